//go:build !linux

package flash

import (
	"fmt"
	"os"
)

// errUnsupported is the answer for raw drives where gridflash cannot yet
// open them safely: it needs the OS's own ways to find a drive's size, to
// lock it and to bypass the cache.
func errUnsupported(path string) error {
	return fmt.Errorf("flash: %s: drives: %w (writing to an image file works)", path, ErrUnsupported)
}

func openDevice(path string, _ bool) (*Target, error) { return nil, errUnsupported(path) }

// dropCache does nothing here: only files can be targets, and the sync
// before it is what makes their read-back meaningful.
func dropCache(*os.File) error { return nil }

// notTarget treats what is neither a file nor a block device (Windows'
// \\.\PhysicalDrive1, macOS's raw /dev/rdisk2) as a drive it cannot write.
func notTarget(path string) error { return errUnsupported(path) }
