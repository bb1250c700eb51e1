//go:build linux || darwin || freebsd

package flash

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// dataExtents asks the file system where f holds data (SEEK_DATA and
// SEEK_HOLE), so that the holes of a sparse image cost nothing to read.
// A file system that does not know reports the whole file as data.
func dataExtents(f *os.File, size int64) ([]span, error) {
	fd := int(f.Fd())
	var out []span
	for off := int64(0); off < size; {
		start, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			break // no data past off
		}
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
			return []span{{0, size}}, nil
		}
		if err != nil {
			return nil, err
		}
		end, err := unix.Seek(fd, start, unix.SEEK_HOLE)
		if err != nil {
			return nil, err
		}
		end = min(end, size)
		if start >= end {
			break
		}
		out = append(out, span{start, end})
		off = end
	}
	return out, nil
}
