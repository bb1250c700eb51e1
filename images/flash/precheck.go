package flash

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gridkiosk/gridkiosk/images/fatfs"
)

// MaxProvisionSize bounds the provisioning file: a station's configuration
// is a few kilobytes, and anything near this is a wrong file (or
// /dev/zero), not a configuration.
const MaxProvisionSize = 1 << 20

// ErrTooLarge is wrapped by the errors about an input file over its limit.
var ErrTooLarge = errors.New("too large")

// ReadProvision reads the provisioning file at path, refusing one over
// MaxProvisionSize before it is all in memory.
func ReadProvision(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("flash: provisioning file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxProvisionSize+1))
	if err != nil {
		return nil, fmt.Errorf("flash: read provisioning file %s: %w", path, err)
	}
	if len(data) > MaxProvisionSize {
		return nil, fmt.Errorf("flash: provisioning file %s is %w (over %d bytes): name the station's .toml file", path, ErrTooLarge, MaxProvisionSize)
	}
	return data, nil
}

// ErrProvisionNoRoom is wrapped when the provisioning file does not fit
// on the image's boot partition.
var ErrProvisionNoRoom = errors.New("flash: the provisioning file does not fit on the image's boot partition")

// CheckProvisionFits reports whether data fits as ProvisionPath on the
// boot partition of the image at path. It decompresses the image only as
// far as the partition table, the boot partition's FAT and the
// directories on the way, and writes nothing, so that a file that cannot
// go on the card is refused before the card is touched.
func CheckProvisionFits(path string, data []byte) error {
	r := &streamAt{open: func() (io.ReadCloser, error) { return OpenImage(path) }, chunks: map[int64][]byte{}}
	defer r.close()
	fs, _, err := openBoot(r, nil)
	if err != nil {
		return fmt.Errorf("flash: boot partition of %s: %w", path, err)
	}
	if err := fs.Fits(ProvisionPath, int64(len(data))); err != nil {
		if errors.Is(err, fatfs.ErrExist) {
			return fmt.Errorf("flash: the image already has %s: the image recipe must leave it to gridflash", ProvisionPath)
		}
		if errors.Is(err, fatfs.ErrNoRoom) {
			return fmt.Errorf("%w: %w", ErrProvisionNoRoom, err)
		}
		return fmt.Errorf("flash: boot partition of %s: %w", path, err)
	}
	return nil
}

// streamAt reads a stream that can only be read forward (a decompressor)
// at random offsets: it keeps the chunks asked for, skips forward to new
// ones and starts over for an earlier one. The FAT's reads go mostly
// forward, so a check decompresses little more than the partition's head.
type streamAt struct {
	open   func() (io.ReadCloser, error)
	r      io.ReadCloser
	pos    int64
	chunks map[int64][]byte
	kept   int64
}

const (
	streamChunk = 64 << 10
	// streamKeep bounds what a check keeps in memory: above the largest
	// FAT fatfs loads (64 MiB) and a few directories.
	streamKeep = 96 << 20
)

func (s *streamAt) close() {
	if s.r != nil {
		s.r.Close()
	}
}

func (s *streamAt) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		o := off + int64(n)
		c, err := s.chunk(o / streamChunk)
		if err != nil {
			return n, err
		}
		if o%streamChunk >= int64(len(c)) {
			return n, io.EOF
		}
		n += copy(p[n:], c[o%streamChunk:])
	}
	return n, nil
}

func (s *streamAt) chunk(i int64) ([]byte, error) {
	if c, ok := s.chunks[i]; ok {
		return c, nil
	}
	start := i * streamChunk
	if s.r == nil || start < s.pos {
		s.close()
		r, err := s.open()
		if err != nil {
			return nil, err
		}
		s.r, s.pos = r, 0
	}
	skipped, err := io.CopyN(io.Discard, s.r, start-s.pos)
	s.pos += skipped
	if err != nil {
		return nil, err
	}
	buf := make([]byte, streamChunk)
	n, err := io.ReadFull(s.r, buf)
	s.pos += int64(n)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	if s.kept += int64(n); s.kept > streamKeep {
		return nil, fmt.Errorf("flash: reading the boot partition took more than %d MiB", streamKeep>>20)
	}
	s.chunks[i] = buf[:n]
	return buf[:n], nil
}
