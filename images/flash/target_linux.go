package flash

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// openDevice opens a block device. For writing it is opened with O_EXCL,
// which Linux refuses (EBUSY) while the device or one of its partitions
// is mounted or otherwise claimed. It is opened a second time with
// O_DIRECT (not exclusively: the first open holds the claim), for the
// bulk writes and for every read: a direct read is served by the device,
// never by the page cache, which is what makes the read-back and verify
// honest.
func openDevice(path string, write bool) (*Target, error) {
	flag := os.O_RDONLY
	if write {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(path, flag|excl(write), 0)
	if err != nil {
		return nil, fmt.Errorf("flash: open %s: %w (is it mounted or in use?)", path, err)
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("flash: size of %s: %w", path, err)
	}
	sector, err := unix.IoctlGetInt(int(f.Fd()), unix.BLKSSZGET)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("flash: sector size of %s: %w", path, err)
	}
	direct, err := os.OpenFile(path, flag|unix.O_DIRECT, 0)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("flash: open %s for direct I/O: %w", path, err)
	}
	return &Target{f: f, direct: direct, sector: int64(sector), Path: path, Device: true, Size: size}, nil
}

func excl(write bool) int {
	if write {
		return unix.O_EXCL
	}
	return 0
}

// dropCache asks the kernel to forget the cached pages of f, which after
// a sync are clean, so that buffered reads go to the device too.
func dropCache(f *os.File) error {
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}

func notTarget(path string) error {
	return fmt.Errorf("flash: %s is neither a block device nor a regular file", path)
}
