package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/images/drives"
	"github.com/gridkiosk/gridkiosk/images/flash/flashtest"
)

func TestWriteVerify(t *testing.T) {
	t.Parallel()
	r := newRelease(t, flashtest.Options{})
	target := filepath.Join(t.TempDir(), "card.img")
	e, out, errb := testEnv(drives.System{}, "")
	if code := e.run(r.writeArgs(target, "--provision", r.provision, "--yes")); code != 0 {
		t.Fatalf("write: %d\n%s", code, errb.String())
	}
	if !strings.Contains(out.String(), "verified") || !strings.Contains(out.String(), "provision.toml") {
		t.Errorf("write said: %s", out.String())
	}
	got, _ := os.ReadFile(target)
	end := r.img.PartOff + r.img.PartSize
	if !bytes.Equal(got[end:], r.img.Data[end:]) || !bytes.Equal(got[:r.img.PartOff], r.img.Data[:r.img.PartOff]) {
		t.Error("target differs from the image outside the boot partition")
	}
	flashtest.Fsck(t, target, r.img.PartOff, r.img.PartSize)

	verify := []string{"verify", "--device", target, "--manifest", r.manifest, "--pubkey", r.pub}
	e, out, errb = testEnv(drives.System{}, "")
	if code := e.run(verify); code != 0 || !strings.Contains(out.String(), "provisioning file gridkiosk/provision.toml") || !strings.Contains(out.String(), "valid") {
		t.Fatalf("verify: %d\n%s%s", code, out.String(), errb.String())
	}
	// A card cut short fails, naming the range.
	os.Truncate(target, r.img.PartOff+r.img.PartSize+4096)
	e, _, errb = testEnv(drives.System{}, "")
	if code := e.run(verify); code != 1 || !strings.Contains(errb.String(), "校验失败") || !strings.Contains(errb.String(), "range ") || !strings.Contains(errb.String(), "cut short") {
		t.Fatalf("verify a cut card: %d\n%s", code, errb.String())
	}
}

func TestWriteRefusals(t *testing.T) {
	t.Parallel()
	r := newRelease(t, flashtest.Options{DataBlocks: 8})
	dir := t.TempDir()
	otherKey := filepath.Join(dir, "other")
	e, _, _ := testEnv(drives.System{}, "")
	e.run([]string{"keygen", "--out", otherKey})
	badManifest := filepath.Join(dir, "bad.json")
	b, _ := os.ReadFile(r.manifest)
	os.WriteFile(badManifest, bytes.Replace(b, []byte(`"arch": "arm64"`), []byte(`"arch": "amd64"`), 1), 0o644)
	badTOML := filepath.Join(dir, "station.toml")
	os.WriteFile(badTOML, []byte(strings.Replace(config.Example(), "batch_size = 100", "batch_size = 0", 1)), 0o644)
	badLine := strings.Count(config.Example()[:strings.Index(config.Example(), "batch_size = 100")], "\n") + 1
	badImage := filepath.Join(dir, "tampered.img")
	img := bytes.Clone(r.img.Data)
	img[len(img)-4096] ^= 0xFF // a data block near the end
	os.WriteFile(badImage, img, 0o644)
	sys := fakeDrives(t, "/dev/nvme0n1p1 / ext4 rw 0 0\n/dev/sdb1 /media/tech/GK vfat rw 0 0\n",
		[4]string{"nvme0n1", "pci0000:00/nvme/nvme0", "1000215216", "Samsung SSD"},
		[4]string{"sdb", "pci0000:00/usb1/1-2/host3", "62333952", "SD Reader"},
		[4]string{"sdc", "pci0000:00/usb1/1-3/host4", "2048", "Tiny Card"},
		[4]string{"sda", "pci0000:00/ata1/host0", "62333952", "WDC"},
	)
	file := func() string { return filepath.Join(t.TempDir(), "card.img") }
	tests := []struct {
		name   string
		args   []string
		device string
		want   []string
	}{
		{"wrong key", r.writeArgs("", "--yes"), file(), []string{"公钥", "signed by another key"}},
		{"tampered manifest", append(r.writeArgs("", "--yes"), "--manifest", badManifest), file(), []string{"清单签名无效", "altered"}},
		{"bad provisioning", r.writeArgs("", "--yes", "--provision", badTOML), file(), []string{"站点配置文件有误", fmt.Sprintf("%s:%d: upstream.batch_size: 0 is out of range", badTOML, badLine)}},
		{"system disk", r.writeArgs("", "--yes"), filepath.Join(sys.Dev, "nvme0n1"), []string{"系统盘", "running system"}},
		{"mounted", r.writeArgs("", "--yes"), filepath.Join(sys.Dev, "sdb"), []string{"卸载", "mounted partitions"}},
		{"too small", r.writeArgs("", "--yes"), filepath.Join(sys.Dev, "sdc"), []string{"容量不足", "image needs"}},
		{"fixed disk", r.writeArgs("", "--yes"), filepath.Join(sys.Dev, "sda"), []string{"可移动", "--force-non-removable"}},
		{"partition", r.writeArgs("", "--yes"), "/dev/null", []string{"找不到这块磁盘", "not a whole disk"}},
		{"typo in /dev", r.writeArgs("", "--yes"), filepath.Join(sys.Dev, "sdb9"), []string{"找不到这块磁盘", "no such drive"}},
		{"cancelled", r.writeArgs(""), file(), []string{"已取消", "nothing was written"}},
	}
	for _, tc := range tests {
		args := append([]string(nil), tc.args...)
		for i := range args {
			if args[i] == "--device" {
				args[i+1] = tc.device
			}
			if args[i] == "--pubkey" && tc.name == "wrong key" {
				args[i+1] = otherKey + ".pub"
			}
		}
		e, _, errb := testEnv(sys, "no\n")
		if code := e.run(args); code != 1 {
			t.Errorf("%s: exit %d\n%s", tc.name, code, errb.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("%s: no %q in:\n%s", tc.name, w, errb.String())
			}
		}
		if _, err := os.Stat(tc.device); err == nil && tc.device != "/dev/null" {
			t.Errorf("%s: %s was created", tc.name, tc.device)
		}
	}
	// A tampered image is refused during the write, and the card does not
	// pass for a good one.
	target := file()
	e, _, errb := testEnv(sys, "")
	args := r.writeArgs(target, "--yes")
	args[2] = badImage
	if code := e.run(args); code != 1 || !strings.Contains(errb.String(), "镜像文件与签名清单不符") {
		t.Fatalf("tampered image: %d\n%s", code, errb.String())
	}
	e, _, errb = testEnv(sys, "")
	if code := e.run([]string{"verify", "--device", target, "--manifest", r.manifest, "--pubkey", r.pub}); code != 1 || !strings.Contains(errb.String(), "range 1 of") {
		t.Fatalf("verify after a refused write: %d\n%s", code, errb.String())
	}
}

// A drive that passes the rules is named in the prompt, with its size and
// model, and written once confirmed; the progress goes to stderr.
func TestWriteDriveConfirmed(t *testing.T) {
	t.Parallel()
	r := newRelease(t, flashtest.Options{DataBlocks: 8})
	sys := fakeDrives(t, "", [4]string{"sdb", "pci0000:00/usb1/1-2/host3", "62333952", "SD Reader"})
	dev := filepath.Join(sys.Dev, "sdb")
	e, out, errb := testEnv(sys, "yes\n")
	if code := e.run(r.writeArgs(dev)); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	for _, w := range []string{dev + "（31.9 GB，SD Reader）", "drive " + dev + " (31.9 GB, SD Reader)", "type yes", "写入 write", "MB/s", "left", "校验 verify 100%"} {
		if !strings.Contains(errb.String(), w) {
			t.Errorf("no %q in stderr:\n%s", w, errb.String())
		}
	}
	if got, _ := os.ReadFile(dev); !bytes.Equal(got, r.img.Data) || !strings.Contains(out.String(), "done") {
		t.Errorf("drive not written: %s", out.String())
	}
}

func TestUnsupportedOS(t *testing.T) {
	t.Parallel()
	r := newRelease(t, flashtest.Options{DataBlocks: 4})
	e, _, errb := testEnv(drives.System{}, "")
	e.sysErr = drives.ErrUnsupported
	if code := e.run(r.writeArgs("/dev/null", "--yes")); code != 1 || !strings.Contains(errb.String(), "Linux 笔记本") || !strings.Contains(errb.String(), "use a Linux laptop") {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	// An image file is still a target.
	e, _, errb = testEnv(drives.System{}, "")
	e.sysErr = drives.ErrUnsupported
	if code := e.run(r.writeArgs(filepath.Join(t.TempDir(), "copy.img"), "--yes")); code != 0 {
		t.Fatalf("file target: exit %d\n%s", code, errb.String())
	}
}
