// Package drives finds the drives a technician could flash an appliance
// image onto, and says why each one that must not be written is excluded:
// the disk the running system lives on, a drive with mounted partitions, a
// drive with no medium, a fixed disk. It reads Linux's sysfs and
// /proc/mounts; the paths are parameters so tests can build a fake system.
package drives

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Drive is one whole-disk block device.
type Drive struct {
	Name      string   `json:"name"` // sda, mmcblk0
	Path      string   `json:"path"` // /dev/sda
	Size      int64    `json:"size"` // bytes
	Model     string   `json:"model,omitempty"`
	Vendor    string   `json:"vendor,omitempty"`
	Bus       string   `json:"bus"` // usb, mmc, nvme, sata, virtio, scsi, unknown
	Removable bool     `json:"removable"`
	ReadOnly  bool     `json:"read_only"`
	Mounts    []string `json:"mounts,omitempty"` // mount points of the drive or its partitions
	// Excluded says why the drive must not be written; empty when it may.
	Excluded string `json:"excluded,omitempty"`
	// Reason is Excluded as a code for programs: system, mounted,
	// no-medium, read-only or not-removable.
	Reason string `json:"reason,omitempty"`
	// NeedsForce is set when the only objection is that the drive is not
	// removable, which --force-non-removable overrides.
	NeedsForce bool `json:"needs_force,omitempty"`
}

// System names where the kernel's view of the machine is read from.
type System struct {
	SysBlock string // /sys/block
	Mounts   string // /proc/mounts
	Dev      string // /dev
}

// Linux is the running system.
var Linux = System{SysBlock: "/sys/block", Mounts: "/proc/mounts", Dev: "/dev"}

// List returns every whole disk, sorted by name, with its exclusion.
// Virtual devices that are never a flash target (loop, zram, ram, device
// mapper, md) are left out.
func List(sys System) ([]Drive, error) {
	ents, err := os.ReadDir(sys.SysBlock)
	if err != nil {
		return nil, fmt.Errorf("drives: list %s: %w", sys.SysBlock, err)
	}
	mounts, err := readMounts(sys.Mounts)
	if err != nil {
		return nil, err
	}
	var out []Drive
	for _, e := range ents {
		name := e.Name()
		if virtual(name) {
			continue
		}
		d, err := inspect(sys, name, mounts)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func virtual(name string) bool {
	for _, p := range []string{"loop", "zram", "ram", "dm-", "md", "sr", "nbd"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func inspect(sys System, name string, mounts map[string][]string) (Drive, error) {
	dir := filepath.Join(sys.SysBlock, name)
	d := Drive{Name: name, Path: filepath.Join(sys.Dev, name)}
	sectors, err := readInt(filepath.Join(dir, "size"))
	if err != nil {
		return d, err
	}
	d.Size = sectors * 512 // sysfs counts 512-byte sectors whatever the device's own
	rem, _ := readInt(filepath.Join(dir, "removable"))
	ro, _ := readInt(filepath.Join(dir, "ro"))
	d.Removable, d.ReadOnly = rem == 1, ro == 1
	d.Model = readString(filepath.Join(dir, "device", "model"))
	d.Vendor = readString(filepath.Join(dir, "device", "vendor"))
	d.Bus = bus(dir)
	// An SD card in a USB reader often reports removable=0; a card
	// reader's bus says more than the flag.
	if d.Bus == "usb" || d.Bus == "mmc" {
		d.Removable = true
	}
	d.Mounts = append(d.Mounts, mounts[name]...)
	parts, _ := os.ReadDir(dir)
	for _, p := range parts {
		if strings.HasPrefix(p.Name(), name) {
			d.Mounts = append(d.Mounts, mounts[p.Name()]...)
		}
	}
	sort.Strings(d.Mounts)
	d.Reason, d.Excluded, d.NeedsForce = exclusion(d)
	return d, nil
}

func exclusion(d Drive) (code, why string, force bool) {
	for _, m := range d.Mounts {
		if m == "/" || m == "/boot" || m == "/usr" || strings.HasPrefix(m, "/boot/") {
			return "system", "holds the running system (" + m + ")", false
		}
	}
	switch {
	case len(d.Mounts) > 0:
		return "mounted", "has mounted partitions (" + strings.Join(d.Mounts, ", ") + "); unmount them first", false
	case d.Size == 0:
		return "no-medium", "no medium (is the card inserted?)", false
	case d.ReadOnly:
		return "read-only", "read-only (check the card's lock switch)", false
	case !d.Removable:
		return "not-removable", "not removable (use --force-non-removable if this really is the target)", true
	}
	return "", "", false
}

func bus(dir string) string {
	target, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "unknown"
	}
	for _, b := range []struct{ marker, bus string }{
		{"/usb", "usb"}, {"/mmc", "mmc"}, {"/nvme", "nvme"}, {"/virtio", "virtio"}, {"/ata", "sata"}, {"/host", "scsi"},
	} {
		if strings.Contains(target, b.marker) {
			return b.bus
		}
	}
	return "unknown"
}

// readMounts maps device names (sda1, mmcblk0p2) to their mount points.
func readMounts(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("drives: read mounts: %w", err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || !strings.HasPrefix(fields[0], "/dev/") {
			continue
		}
		dev := filepath.Base(fields[0])
		out[dev] = append(out[dev], unescapeMount(fields[1]))
	}
	return out, sc.Err()
}

// unescapeMount undoes /proc/mounts' octal escapes (\040 for a space).
func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func readInt(path string) (int64, error) {
	s := readString(path)
	if s == "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("drives: %s is missing", path)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("drives: %s: %w", path, err)
	}
	return n, nil
}

func readString(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
