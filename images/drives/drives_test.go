package drives

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSystem builds a sysfs-like tree: each disk is a directory under
// devices/<bus path>/block/<name>, linked from block/<name>, as on Linux.
type fakeDisk struct {
	name, busPath string
	sectors       string
	removable, ro string
	model         string
	parts         []string
}

func fakeSystem(t *testing.T, disks []fakeDisk, mounts string) System {
	root := t.TempDir()
	sys := System{SysBlock: filepath.Join(root, "block"), Mounts: filepath.Join(root, "mounts"), Dev: "/dev"}
	os.MkdirAll(sys.SysBlock, 0o755)
	for _, d := range disks {
		dir := filepath.Join(root, "devices", d.busPath, "block", d.name)
		os.MkdirAll(filepath.Join(dir, "device"), 0o755)
		write := func(name, v string) { os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o644) }
		write("size", d.sectors)
		write("removable", d.removable)
		write("ro", d.ro)
		write(filepath.Join("device", "model"), d.model)
		for _, p := range d.parts {
			os.MkdirAll(filepath.Join(dir, p), 0o755)
		}
		if err := os.Symlink(dir, filepath.Join(sys.SysBlock, d.name)); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(sys.Mounts, []byte(mounts), 0o644)
	return sys
}

func TestList(t *testing.T) {
	sys := fakeSystem(t, []fakeDisk{
		{"nvme0n1", "pci0000:00/nvme/nvme0", "1000215216", "0", "0", "Samsung SSD", []string{"nvme0n1p1", "nvme0n1p2"}},
		{"sdb", "pci0000:00/usb1/1-2/host3/target3:0:0", "62333952", "0", "0", "SD/MMC Reader", nil},
		{"sdc", "pci0000:00/usb1/1-3/host4", "0", "1", "0", "Card Reader", nil},
		{"mmcblk0", "platform/fe340000.mmc/mmc_host/mmc0", "31116288", "0", "0", "", []string{"mmcblk0p1"}},
		{"sda", "pci0000:00/ata1/host0", "3907029168", "0", "0", "WDC WD20", nil},
		{"sdd", "pci0000:00/usb2/2-1/host5", "31116288", "1", "1", "Locked SD", nil},
		{"loop0", "virtual", "2048", "0", "0", "", nil},
	}, "/dev/nvme0n1p2 / ext4 rw 0 0\n/dev/nvme0n1p1 /boot/efi vfat rw 0 0\n/dev/mmcblk0p1 /media/tech/GK\\040BOOT vfat rw 0 0\nproc /proc proc rw 0 0\n")
	got, err := List(sys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		bus, excluded string
		force         bool
	}{
		"mmcblk0": {"mmc", "mounted partitions (/media/tech/GK BOOT)", false},
		"nvme0n1": {"nvme", "running system (/)", false},
		"sda":     {"sata", "not removable", true},
		"sdb":     {"usb", "", false},
		"sdc":     {"usb", "no medium", false},
		"sdd":     {"usb", "read-only", false},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d drives: %+v", len(got), got)
	}
	for _, d := range got {
		w, ok := want[d.Name]
		if !ok {
			t.Errorf("unexpected drive %s", d.Name)
			continue
		}
		if d.Bus != w.bus || d.NeedsForce != w.force || (w.excluded == "") != (d.Excluded == "") || !strings.Contains(d.Excluded, w.excluded) {
			t.Errorf("%s: bus %s excluded %q force %v; want %s %q %v", d.Name, d.Bus, d.Excluded, d.NeedsForce, w.bus, w.excluded, w.force)
		}
	}
	if sdb := got[3]; sdb.Name != "sdb" || sdb.Size != 62333952*512 || sdb.Path != "/dev/sdb" || sdb.Model != "SD/MMC Reader" || !sdb.Removable {
		t.Errorf("sdb = %+v", sdb)
	}
}

func TestListErrors(t *testing.T) {
	if _, err := List(System{SysBlock: filepath.Join(t.TempDir(), "none")}); err == nil || !strings.Contains(err.Error(), "none") {
		t.Fatalf("missing sysfs: %v", err)
	}
	sys := fakeSystem(t, []fakeDisk{{"sdb", "usb1", "junk", "1", "0", "", nil}}, "")
	if _, err := List(sys); err == nil || !strings.Contains(err.Error(), "size") {
		t.Fatalf("garbled size: %v", err)
	}
}

// The real system can always be listed, and the disk holding / is never
// offered as a target.
func TestListThisMachine(t *testing.T) {
	ds, err := List(Linux)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		for _, m := range d.Mounts {
			if m == "/" && d.Excluded == "" {
				t.Fatalf("%s holds / but is not excluded", d.Name)
			}
		}
	}
}

func TestFindRefuse(t *testing.T) {
	sys := fakeSystem(t, []fakeDisk{
		{"nvme0n1", "pci0000:00/nvme/nvme0", "1000215216", "0", "0", "Samsung SSD", []string{"nvme0n1p2"}},
		{"sdb", "pci0000:00/usb1/1-2/host3", "62333952", "1", "0", "SD Reader", []string{"sdb1"}},
		{"sdc", "pci0000:00/usb1/1-3/host4", "62333952", "1", "0", "SD Reader", nil},
		{"sda", "pci0000:00/ata1/host0", "3907029168", "0", "0", "WDC", nil},
		{"sdd", "pci0000:00/usb1/1-4/host5", "2048", "1", "0", "Tiny", nil},
	}, "/dev/nvme0n1p2 / ext4 rw 0 0\n/dev/sdb1 /media/tech/BOOT vfat rw 0 0\n")
	const image = 1 << 30
	tests := []struct {
		path  string
		force bool
		found bool
		want  string // in the refusal; empty for none
	}{
		{"/dev/nvme0n1", false, true, "系统盘"},
		{"/dev/nvme0n1", true, true, "running system"},
		{"/dev/sdb", false, true, "mounted partitions (/media/tech/BOOT)"},
		{"/dev/sdc", false, true, ""},
		{"/dev/sda", false, true, "--force-non-removable"},
		{"/dev/sda", true, true, ""},
		{"/dev/sdd", false, true, "容量不足"},
		{"/dev/sdb1", false, false, ""},
		{"/tmp/card.img", false, false, ""},
	}
	for _, tc := range tests {
		d, ok, err := Find(sys, tc.path)
		if err != nil || ok != tc.found {
			t.Errorf("%s: found %v, %v", tc.path, ok, err)
			continue
		}
		if !ok {
			continue
		}
		err = Refuse(d, image, tc.force)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s force=%v: %v, want %q", tc.path, tc.force, err, tc.want)
		}
	}
}
