package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/images/drives"
	"github.com/gridkiosk/gridkiosk/images/fatfs"
	"github.com/gridkiosk/gridkiosk/images/flash/flashtest"
)

// Inputs far over their size are refused before they are all in memory,
// and before anything is written.
func TestWriteInputLimits(t *testing.T) {
	t.Parallel()
	r := newRelease(t, flashtest.Options{DataBlocks: 4})
	dir := t.TempDir()
	big := filepath.Join(dir, "big.toml")
	// Valid TOML, so that only its size can be what is refused.
	os.WriteFile(big, []byte(config.Example()+strings.Repeat("# padding\n", 120_000)), 0o644)
	bigKey := filepath.Join(dir, "big.pub")
	os.WriteFile(bigKey, bytes.Repeat([]byte("A"), 200_000), 0o644)
	tests := []struct {
		name       string
		flag, path string
		want       []string
	}{
		{"provision over 1 MiB", "--provision", big, []string{"站点配置文件过大", "too large (over 1048576 bytes)"}},
		{"provision /dev/zero", "--provision", "/dev/zero", []string{"站点配置文件过大", "too large (over 1048576 bytes)"}},
		{"pubkey over 64 KiB", "--pubkey", bigKey, []string{"读取公钥失败", "too large (over 65536 bytes)"}},
		{"pubkey /dev/zero", "--pubkey", "/dev/zero", []string{"读取公钥失败", "too large (over 65536 bytes)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "card.img")
			args := r.writeArgs(target, "--yes")
			if tc.flag == "--pubkey" {
				args[6] = tc.path
			} else {
				args = append(args, tc.flag, tc.path)
			}
			e, _, errb := testEnv(drives.System{}, "")
			if code := e.run(args); code != 1 {
				t.Errorf("exit %d\n%s", code, errb.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("no %q in:\n%s", w, errb.String())
				}
			}
			if _, err := os.Stat(target); err == nil {
				t.Error("the target was written")
			}
		})
	}
	// verify reads the key the same way.
	e, _, errb := testEnv(drives.System{}, "")
	if code := e.run([]string{"verify", "--device", r.image, "--manifest", r.manifest, "--pubkey", "/dev/zero"}); code != 1 || !strings.Contains(errb.String(), "too large") {
		t.Errorf("verify with /dev/zero as key: exit %d\n%s", code, errb.String())
	}
}

// A provisioning file the card's boot partition has no room for is refused
// before the card is touched, for a raw and for a compressed image; one
// that fits still goes on.
func TestWriteProvisionTooBigForCard(t *testing.T) {
	t.Parallel()
	r := newRelease(t, flashtest.Options{DataBlocks: 4})
	// Fill the 4 MiB boot partition but for about 256 KiB, then sign the
	// image again.
	f, err := os.OpenFile(r.image, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := fatfs.Open(section{f, r.img.PartOff}, r.img.PartSize)
	if err != nil {
		t.Fatal(err)
	}
	filler := bytes.Repeat([]byte{0xA5}, int(r.img.PartSize)-(256<<10)-(200<<10))
	if err := fs.WriteFile("firmware.bin", filler, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	e, _, errb := testEnv(drives.System{}, "")
	if code := e.run([]string{"sign", "--key", r.key, "--image", r.image, "--out", r.manifest + ".full"}); code != 0 {
		t.Fatalf("sign: %s", errb.String())
	}
	r.manifest += ".full"
	zst := compressZstd(t, r.image)

	large := filepath.Join(t.TempDir(), "station.toml")
	os.WriteFile(large, []byte(config.Example()+strings.Repeat("# 站点说明 padding\n", 40_000)), 0o644)
	for _, image := range []string{r.image, zst} {
		target := filepath.Join(t.TempDir(), "card.img")
		args := r.writeArgs(target, "--yes", "--provision", large)
		args[2] = image
		e, _, errb := testEnv(drives.System{}, "")
		if code := e.run(args); code != 1 {
			t.Errorf("%s: exit %d\n%s", image, code, errb.String())
		}
		for _, w := range []string{"站点配置文件放不下", "does not fit on the image's boot partition", "are free"} {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("%s: no %q in:\n%s", image, w, errb.String())
			}
		}
		if _, err := os.Stat(target); err == nil {
			t.Errorf("%s: the target was written", image)
		}
		// The station's real file fits in what is left.
		args = r.writeArgs(target, "--yes", "--provision", r.provision)
		args[2] = image
		e, _, errb = testEnv(drives.System{}, "")
		if code := e.run(args); code != 0 {
			t.Errorf("%s with a small file: exit %d\n%s", image, code, errb.String())
		}
	}
}

// A --device that is a link to a regular file is refused, naming the
// file, and the file is left as it was; a link to nothing is refused too.
func TestWriteDeviceLinkToFile(t *testing.T) {
	t.Parallel()
	r := newRelease(t, flashtest.Options{DataBlocks: 4})
	dir := t.TempDir()
	precious := filepath.Join(dir, "records-backup.db")
	os.WriteFile(precious, []byte("residents' records"), 0o600)
	link := filepath.Join(dir, "sdcard")
	os.Symlink(precious, link)
	dangling := filepath.Join(dir, "gone")
	os.Symlink(filepath.Join(dir, "nowhere", "card.img"), dangling)

	e, _, errb := testEnv(drives.System{}, "yes\n")
	if code := e.run(r.writeArgs(link)); code != 1 {
		t.Errorf("link to a file: exit %d\n%s", code, errb.String())
	}
	for _, w := range []string{"普通文件 " + precious, "symbolic link to the regular file " + precious, "未写入任何数据"} {
		if !strings.Contains(errb.String(), w) {
			t.Errorf("no %q in:\n%s", w, errb.String())
		}
	}
	if got, _ := os.ReadFile(precious); string(got) != "residents' records" {
		t.Errorf("the link's target was overwritten: %d bytes", len(got))
	}
	e, _, errb = testEnv(drives.System{}, "yes\n")
	if code := e.run(r.writeArgs(dangling)); code != 1 || !strings.Contains(errb.String(), "symbolic link to nothing") {
		t.Errorf("dangling link: exit %d\n%s", code, errb.String())
	}
}

// A link to a drive (/dev/disk/by-id/…) is written as the drive it names,
// and the prompt names the drive.
func TestWriteDeviceLinkToDrive(t *testing.T) {
	t.Parallel()
	r := newRelease(t, flashtest.Options{DataBlocks: 4})
	sys := fakeDrives(t, "", [4]string{"sdb", "pci0000:00/usb1/1-2/host3", "62333952", "SD Reader"})
	dev := filepath.Join(sys.Dev, "sdb")
	os.WriteFile(dev, nil, 0o644) // the fake's device node
	link := filepath.Join(t.TempDir(), "usb-SD_Reader-0:0")
	os.Symlink(dev, link)
	e, _, errb := testEnv(sys, "yes\n")
	if code := e.run(r.writeArgs(link)); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "drive "+dev+" (31.9 GB, SD Reader)") {
		t.Errorf("prompt does not name %s:\n%s", dev, errb.String())
	}
}

// section is a partition of a file, readable and writable.
type section struct {
	f   *os.File
	off int64
}

func (s section) ReadAt(p []byte, off int64) (int, error)  { return s.f.ReadAt(p, s.off+off) }
func (s section) WriteAt(p []byte, off int64) (int, error) { return s.f.WriteAt(p, s.off+off) }

func compressZstd(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		t.Fatal(err)
	}
	out := strings.TrimSuffix(path, ".img") + "-z.img.zst"
	if err := os.WriteFile(out, enc.EncodeAll(data, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
