//go:build linux || darwin || freebsd

package sparse

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Data calls each with the start and end of every stretch of the first
// size bytes of f that holds data, in order, as the file system reports
// them (SEEK_DATA and SEEK_HOLE). A file system that cannot tell reports
// the whole file as data.
func Data(f *os.File, size int64, each func(start, end int64)) error {
	fd := int(f.Fd())
	var found [][2]int64
	for off := int64(0); off < size; {
		start, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			break // no data past off
		}
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
			each(0, size)
			return nil
		}
		if err != nil {
			return err
		}
		end, err := unix.Seek(fd, start, unix.SEEK_HOLE)
		if err != nil {
			return err
		}
		end = min(end, size)
		if start >= end {
			break
		}
		found = append(found, [2]int64{start, end})
		off = end
	}
	for _, e := range found {
		each(e[0], e[1])
	}
	return nil
}
