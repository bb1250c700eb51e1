package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/images/drives"
	"github.com/gridkiosk/gridkiosk/images/flash/flashtest"
)

// A real block device, through the host's own sysfs and /proc/mounts: a
// loop device over a file. It is refused without --force-non-removable
// (it is not removable), written and read back with it, passes verify,
// and holds the image's bytes and the provisioning file afterwards. It
// needs root and loop devices, which the test machines have; elsewhere
// it says why it cannot run.
func TestWriteLoopDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to attach a loop device")
	}
	r := newRelease(t, flashtest.Options{})
	backing := filepath.Join(t.TempDir(), "card")
	if err := os.WriteFile(backing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(backing, int64(len(r.img.Data))+8<<20); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", backing).CombinedOutput()
	if err != nil {
		t.Skipf("no loop device here (losetup: %v: %s)", err, out)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "--detach", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup --detach %s: %v: %s", dev, err, out)
		}
	})

	e, _, errb := testEnv(drives.Linux, "")
	if code := e.run(r.writeArgs(dev, "--yes")); code != 1 || !strings.Contains(errb.String(), "not removable") {
		t.Fatalf("a loop device without --force-non-removable: %d\n%s", code, errb.String())
	}
	e, stdout, errb := testEnv(drives.Linux, "")
	if code := e.run(r.writeArgs(dev, "--force-non-removable", "--provision", r.provision, "--yes")); code != 0 {
		t.Fatalf("write %s: %d\n%s", dev, code, errb.String())
	}
	if !strings.Contains(stdout.String(), "verified") {
		t.Errorf("write said: %s", stdout.String())
	}
	e, stdout, errb = testEnv(drives.Linux, "")
	if code := e.run([]string{"verify", "--device", dev, "--manifest", r.manifest, "--pubkey", r.pub}); code != 0 ||
		!strings.Contains(stdout.String(), "provisioning file gridkiosk/provision.toml") {
		t.Fatalf("verify %s: %d\n%s%s", dev, code, stdout.String(), errb.String())
	}

	f, err := os.Open(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := make([]byte, len(r.img.Data))
	if _, err := io.ReadFull(f, got); err != nil {
		t.Fatal(err)
	}
	end := r.img.PartOff + r.img.PartSize
	if !bytes.Equal(got[end:], r.img.Data[end:]) || !bytes.Equal(got[:r.img.PartOff], r.img.Data[:r.img.PartOff]) {
		t.Error("the device differs from the image outside the boot partition")
	}
	flashtest.Fsck(t, backing, r.img.PartOff, r.img.PartSize)
}
