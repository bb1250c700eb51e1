package flash

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"unsafe"

	"github.com/gridkiosk/gridkiosk/internal/hashcopy"
)

// Target is where an image is written: a whole-disk block device, or a
// regular file that becomes a copy of the image.
type Target struct {
	f *os.File
	// direct is the device opened with O_DIRECT, on Linux; nil for a
	// file. Reads and aligned writes go through it (see ReadAt).
	direct *os.File
	sector int64 // what direct I/O must be aligned to
	Path   string
	Device bool  // a block device, not a file
	Size   int64 // bytes available
}

// ErrTooSmall is returned for a device smaller than the image.
var ErrTooSmall = errors.New("flash: device is smaller than the image")

// ErrUnsupported is returned where this OS's drives cannot be written yet.
var ErrUnsupported = errors.New("not supported on this OS yet: use a Linux laptop")

// Create opens path to write an image of imageSize bytes. A block device
// is opened exclusively where the OS allows it, so that a mounted one is
// refused even if the drive checks missed it. A regular file, or a path
// that does not exist, is created afresh at the image's size, so that the
// ranges gridflash does not write read as zeros, as in the image.
func Create(path string, imageSize int64) (*Target, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && st.Mode().IsRegular()):
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return nil, fmt.Errorf("flash: create %s: %w", path, err)
		}
		if err := f.Truncate(imageSize); err != nil {
			f.Close()
			return nil, fmt.Errorf("flash: create %s: %w", path, err)
		}
		return &Target{f: f, Path: path, Size: imageSize}, nil
	case err != nil:
		return nil, fmt.Errorf("flash: %w", err)
	case isBlockDevice(st):
		t, err := openDevice(path, true)
		if err != nil {
			return nil, err
		}
		if t.Size < imageSize {
			t.Close()
			return nil, fmt.Errorf("%w: %s holds %d bytes, the image %d", ErrTooSmall, path, t.Size, imageSize)
		}
		return t, nil
	}
	return nil, notTarget(path)
}

// Open opens a written device or file to verify it.
func Open(path string) (*Target, error) {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, fmt.Errorf("flash: %w", err)
	case st.Mode().IsRegular():
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("flash: %w", err)
		}
		return &Target{f: f, Path: path, Size: st.Size()}, nil
	case isBlockDevice(st):
		return openDevice(path, false)
	}
	return nil, notTarget(path)
}

func isBlockDevice(st fs.FileInfo) bool {
	return st.Mode()&os.ModeDevice != 0 && st.Mode()&os.ModeCharDevice == 0
}

// ReadAt reads from the target. A device is read with O_DIRECT, through
// an aligned buffer when p or off is not aligned: what is read comes from
// the device, not from the page cache.
func (t *Target) ReadAt(p []byte, off int64) (int, error) {
	if t.direct == nil {
		return t.f.ReadAt(p, off)
	}
	if t.aligned(p, off) {
		return t.direct.ReadAt(p, off)
	}
	lo := off / t.sector * t.sector
	hi := (off + int64(len(p)) + t.sector - 1) / t.sector * t.sector
	buf := hashcopy.AlignedBuffer(int(hi - lo))
	n, err := t.direct.ReadAt(buf, lo)
	got := min(max(int64(n)-(off-lo), 0), int64(len(p)))
	copy(p, buf[off-lo:off-lo+got])
	if got < int64(len(p)) {
		if err == nil {
			err = io.EOF
		}
		return int(got), err
	}
	return len(p), nil
}

// aligned reports whether p at off can be read or written with O_DIRECT.
func (t *Target) aligned(p []byte, off int64) bool {
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return off%t.sector == 0 && int64(len(p))%t.sector == 0 && addr%hashcopy.Align == 0
}

// WriteAt writes to the target. Aligned writes to a device (the image's
// ranges) bypass the page cache: the card gets them without a second
// copy in memory or a flood of dirty pages for the kernel to write back
// at the end. The rest (the FAT's sectors when provisioning) go through
// the page cache, which flush writes out.
func (t *Target) WriteAt(p []byte, off int64) (int, error) {
	f := t.f
	if t.direct != nil && t.aligned(p, off) {
		f = t.direct
	}
	n, err := f.WriteAt(p, off)
	if err != nil {
		return n, fmt.Errorf("flash: write %s at byte %d: %w", t.Path, off, err)
	}
	return n, nil
}

// Close closes the target.
func (t *Target) Close() error {
	if t.direct != nil {
		t.direct.Close()
	}
	return t.f.Close()
}

// flush makes what was written durable and drops it from the page cache,
// so that what is read next comes from the card, not from memory that
// only says what was meant to be written.
func (t *Target) flush() error {
	if err := t.f.Sync(); err != nil {
		return fmt.Errorf("flash: sync %s: %w", t.Path, err)
	}
	if err := dropCache(t.f); err != nil {
		return fmt.Errorf("flash: drop cache of %s: %w", t.Path, err)
	}
	return nil
}

// invalidate zeroes the first held bytes, and on a device its last MiB,
// where a backup GPT lives: until the image is written and checked, the
// card must not look like it holds the image or the one before. Zeros
// there agree with the image wherever the image is unmapped; where it is
// mapped the write puts the image's bytes back.
func (t *Target) invalidate(held int64) error {
	zero := make([]byte, max(held, 1<<20))
	if _, err := t.WriteAt(zero[:held], 0); err != nil {
		return err
	}
	if tail := t.Size - 1<<20; t.Device && tail > held {
		if _, err := t.WriteAt(zero[:1<<20], tail); err != nil {
			return err
		}
	}
	return t.flush()
}

// commitHeader writes the held-back first block last, and reads it back.
func (t *Target) commitHeader(header []byte) error {
	if _, err := t.WriteAt(header, 0); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	got := make([]byte, len(header))
	if _, err := io.ReadFull(io.NewSectionReader(t, 0, int64(len(header))), got); err != nil {
		return fmt.Errorf("flash: read back first block of %s: %w", t.Path, err)
	}
	if !bytes.Equal(got, header) {
		return fmt.Errorf("flash: read back first block of %s: differs from what was written", t.Path)
	}
	return nil
}
