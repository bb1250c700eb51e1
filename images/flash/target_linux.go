package flash

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// openDevice opens a block device. For writing it is opened with O_EXCL,
// which Linux refuses (EBUSY) while the device or one of its partitions
// is mounted or otherwise claimed.
func openDevice(path string, write bool) (*Target, error) {
	flag := os.O_RDONLY
	if write {
		flag = os.O_RDWR | unix.O_EXCL
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, fmt.Errorf("flash: open %s: %w (is it mounted or in use?)", path, err)
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("flash: size of %s: %w", path, err)
	}
	return &Target{f: f, Path: path, Device: true, Size: size}, nil
}

// dropCache asks the kernel to forget the cached pages of f, which after
// a sync are clean, so that reads go to the device.
func dropCache(f *os.File) error {
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}

func notTarget(path string) error {
	return fmt.Errorf("flash: %s is neither a block device nor a regular file", path)
}
