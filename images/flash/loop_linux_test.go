package flash

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/images/flash/flashtest"
)

// loopDevice attaches a loop device over a new file of size bytes and
// returns the device and the file. It needs root, which the test
// machines have; elsewhere it says why it cannot run.
func loopDevice(t *testing.T, size int64) (dev, backing string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to attach a loop device")
	}
	backing = filepath.Join(t.TempDir(), "card")
	if err := os.WriteFile(backing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(backing, size); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", backing).CombinedOutput()
	if err != nil {
		t.Skipf("no loop device here (losetup: %v: %s)", err, out)
	}
	dev = strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "--detach", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup --detach %s: %v: %s", dev, err, out)
		}
	})
	return dev, backing
}

// The read-back and verify read the card, not the page cache: the card is
// written, its pages are pulled into the cache by an ordinary read, and
// then one byte is changed beneath the cache, in the loop device's
// backing file, as a card that lost a write would. The cache still shows
// the good byte; verify must see the bad one.
func TestVerifyReadsTheDevice(t *testing.T) {
	img, m, pub := signedImage(t, flashtest.Options{})
	dev, backing := loopDevice(t, m.ImageSize+1<<20)
	dst, err := Create(dev, m.ImageSize)
	if err != nil {
		t.Fatal(err)
	}
	im, err := OpenImage(img.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if err := Write(dst, im, m, pub, Options{Provision: []byte(provisionTOML)}); err != nil {
		t.Fatalf("write %s: %v", dev, err)
	}
	dst.Close()

	cached, err := os.Open(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer cached.Close()
	if _, err := io.Copy(io.Discard, cached); err != nil {
		t.Fatal(err)
	}
	mid := len(m.Ranges) / 2
	at := m.Ranges[mid].Offset + 1
	good := img.Data[at]
	f, err := os.OpenFile(backing, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{^good}, at); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b := make([]byte, 1)
	if _, err := cached.ReadAt(b, at); err != nil || b[0] != good {
		t.Fatalf("the page cache was meant to still hold the good byte %#x, it reads %#x (%v): the test proves nothing", good, b[0], err)
	}

	tg, err := Open(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	var re *RangeError
	if _, err := Verify(tg, m, pub, nil); !errors.As(err, &re) || re.Index != mid {
		t.Fatalf("verify of a card changed beneath the cache: %v, want range %d", err, mid+1)
	}
}
