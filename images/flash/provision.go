package flash

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gridkiosk/gridkiosk/images/fatfs"
)

// ProvisionPath is where the station's configuration is put on the boot
// partition, for the appliance to install on its first start.
const ProvisionPath = "gridkiosk/provision.toml"

// patched reads r with patches laid over it.
type patched struct {
	r       io.ReaderAt
	patches []Patch
}

func (p patched) ReadAt(b []byte, off int64) (int, error) {
	n, err := p.r.ReadAt(b, off)
	apply(b[:n], off, p.patches)
	return n, err
}

// partition is a partition's bytes: read through r, written to w.
type partition struct {
	r   io.ReaderAt
	w   io.WriterAt
	off int64
}

func (p partition) ReadAt(b []byte, off int64) (int, error) { return p.r.ReadAt(b, p.off+off) }

func (p partition) WriteAt(b []byte, off int64) (int, error) {
	if p.w == nil {
		return 0, errors.New("flash: partition opened read-only")
	}
	return p.w.WriteAt(b, p.off+off)
}

// openBoot opens the FAT file system of the first partition.
func openBoot(r io.ReaderAt, w io.WriterAt) (*fatfs.FS, Partition, error) {
	part, err := FirstPartition(r)
	if err != nil {
		return nil, part, err
	}
	fs, err := fatfs.Open(partition{r, w, part.Offset}, part.Size)
	if err != nil {
		return nil, part, fmt.Errorf("flash: boot partition at byte %d: %w", part.Offset, err)
	}
	return fs, part, nil
}

// provision writes data as ProvisionPath on the boot partition of the
// target, reading through r (which holds back the first block) and
// writing to w, then reads it back.
func provision(r io.ReaderAt, w io.WriterAt, data []byte, held int64, now time.Time) error {
	fs, part, err := openBoot(r, w)
	if err != nil {
		return err
	}
	if part.Offset < held {
		return fmt.Errorf("flash: boot partition starts at byte %d, inside the first block", part.Offset)
	}
	if err := fs.WriteFile(ProvisionPath, data, now); err != nil {
		if errors.Is(err, fatfs.ErrExist) {
			return fmt.Errorf("flash: the image already has %s: the image recipe must leave it to gridflash", ProvisionPath)
		}
		return fmt.Errorf("flash: provision: %w", err)
	}
	return nil
}

// readProvision reads the provisioning file back from the target.
func readProvision(r io.ReaderAt) ([]byte, error) {
	fs, _, err := openBoot(r, nil)
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(ProvisionPath)
}

// provisionVariants returns the ways the target may differ from the
// image: base alone, and, when the boot partition holds a provisioning
// file, base plus the undoing of that file with or without its directory
// (which the image may or may not have had). It also returns the file.
// A target whose boot partition cannot be read has only base: the range
// hashes will say what is wrong with it.
func provisionVariants(r io.ReaderAt, base []Patch) ([][]Patch, []byte) {
	view := patched{r, base}
	variants := [][]Patch{base}
	data, err := readProvision(view)
	if err != nil {
		return variants, nil
	}
	fs, part, err := openBoot(view, nil)
	if err != nil {
		return variants, nil
	}
	for dirs := 1; dirs >= 0; dirs-- {
		ps, err := fs.Unwrite(ProvisionPath, dirs)
		if err != nil {
			continue
		}
		v := append([]Patch(nil), base...)
		for _, p := range ps {
			v = append(v, Patch{part.Offset + p.Off, p.Data})
		}
		variants = append(variants, v)
	}
	return variants, data
}

// checkProvision reads the provisioning file back and compares it.
func checkProvision(r io.ReaderAt, want []byte) error {
	got, err := readProvision(r)
	if err != nil {
		return fmt.Errorf("flash: read back %s: %w", ProvisionPath, err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("flash: read back %s: %d bytes differ from the %d written", ProvisionPath, len(got), len(want))
	}
	return nil
}
