package drives

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// reasonZh is an exclusion in Chinese, which technicians read first.
func reasonZh(code string) string {
	switch code {
	case "system":
		return "这是正在运行的系统盘"
	case "mounted":
		return "该盘有已挂载的分区，请先卸载"
	case "no-medium":
		return "读卡器里没有卡"
	case "read-only":
		return "该盘只读（检查 SD 卡的写保护开关）"
	case "not-removable":
		return "这不是可移动盘（如确为目标盘，请加 --force-non-removable）"
	}
	return "不能写入此盘"
}

// Find returns the drive that path names: its device path (/dev/sdb) or
// a link to it (/dev/disk/by-id/usb-…). ok is false when path is no
// whole disk of sys, such as a partition or a regular file.
func Find(sys System, path string) (d Drive, ok bool, err error) {
	ds, err := List(sys)
	if err != nil {
		return Drive{}, false, err
	}
	resolved := path
	if r, err := filepath.EvalSymlinks(path); err == nil {
		resolved = r
	}
	for _, d := range ds {
		if d.Path == path || d.Path == resolved {
			return d, true, nil
		}
	}
	// A loop device is never listed (a laptop may have dozens, for its
	// snaps), but one named on purpose is a disk like any other: an image
	// tried on a file before a card, or the tests' real block device. It
	// is not removable, so it needs --force-non-removable.
	name := filepath.Base(resolved)
	if strings.HasPrefix(name, "loop") && filepath.Dir(resolved) == filepath.Clean(sys.Dev) {
		if _, err := os.Stat(filepath.Join(sys.SysBlock, name)); err == nil {
			mounts, err := readMounts(sys.Mounts)
			if err != nil {
				return Drive{}, false, err
			}
			d, err := inspect(sys, name, mounts)
			return d, err == nil, err
		}
	}
	return Drive{}, false, nil
}

// ErrUnsupported is returned by Host where drives cannot be listed yet.
var ErrUnsupported = errors.New("drives: listing drives is not supported on this OS yet: use a Linux laptop")

// ErrRefused is wrapped by what Refuse returns.
var ErrRefused = errors.New("drives: refusing to write")

// Refuse says why d must not receive an image of imageSize bytes, or nil
// when it may; force overrides only the objection that d is not
// removable. The message is in Chinese, then English.
func Refuse(d Drive, imageSize int64, force bool) error {
	if d.Excluded != "" && !(d.NeedsForce && force) {
		return fmt.Errorf("%s / %w to %s: %s", reasonZh(d.Reason), ErrRefused, d.Path, d.Excluded)
	}
	if d.Size < imageSize {
		return fmt.Errorf("容量不足：%s 只有 %d 字节，镜像需要 %d 字节 / %w to %s: it holds %d bytes, the image needs %d",
			d.Path, d.Size, imageSize, ErrRefused, d.Path, d.Size, imageSize)
	}
	return nil
}
