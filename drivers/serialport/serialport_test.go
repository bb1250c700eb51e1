package serialport_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/serialport"
	"github.com/gridkiosk/gridkiosk/drivers/serialport/serialporttest"
)

func TestReadWriteTimeoutAndUnplug(t *testing.T) {
	line, err := serialporttest.NewLine(t.TempDir(), "reader", 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer line.Close()
	p, err := serialport.Open(line.Path(), 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	// Nothing sent: a timeout is (0, nil), not an error and not EOF.
	start := time.Now()
	n, err := p.Read(make([]byte, 16))
	if n != 0 || err != nil {
		t.Fatalf("idle read = %d, %v", n, err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("idle read did not time out")
	}

	if _, err := p.Write([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, err = line.Read(buf)
	if err != nil || !bytes.Equal(buf[:n], []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}) {
		t.Fatalf("emulator got % x, %v", buf[:n], err)
	}
	line.Write([]byte{0x0d, 0x0a, 0x00, 0xff})
	var got []byte
	for len(got) < 4 {
		n, err := p.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, []byte{0x0d, 0x0a, 0x00, 0xff}) {
		t.Fatalf("driver got % x", got)
	}

	line.Unplug()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := p.Read(buf)
		if serialport.Gone(err) {
			break
		}
		if err != nil {
			t.Fatalf("read after unplug: %v (want Gone)", err)
		}
		if time.Now().After(deadline) {
			t.Fatal("unplug never noticed")
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := serialport.Open(filepath.Join(dir, "none"), 9600); err == nil || !bytes.Contains([]byte(err.Error()), []byte("none")) {
		t.Fatalf("missing device: %v", err)
	}
	f := filepath.Join(dir, "file")
	os.WriteFile(f, nil, 0o600)
	if _, err := serialport.Open(f, 9600); err == nil || !bytes.Contains([]byte(err.Error()), []byte("not a character device")) {
		t.Fatalf("regular file: %v", err)
	}
	line, _ := serialporttest.NewLine(dir, "dev", 0)
	defer line.Close()
	if _, err := serialport.Open(line.Path(), 12345); err == nil || !bytes.Contains([]byte(err.Error()), []byte("12345")) {
		t.Fatalf("odd baud: %v", err)
	}
}

func TestList(t *testing.T) {
	dev := t.TempDir()
	os.MkdirAll(filepath.Join(dev, "serial", "by-id"), 0o755)
	for _, n := range []string{"ttyUSB0", "ttyACM0", "ttyS0", "ttyS9", "tty1"} {
		os.WriteFile(filepath.Join(dev, n), nil, 0o600)
	}
	os.Symlink(filepath.Join(dev, "ttyUSB0"), filepath.Join(dev, "serial", "by-id", "usb-Synjones_SS628-if00-port0"))
	got, err := serialport.List(dev)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range got {
		paths = append(paths, filepath.Base(c.Path))
	}
	if len(got) != 3 || got[0].Path != filepath.Join(dev, "ttyUSB0") || len(got[0].ByID) != 1 {
		t.Fatalf("List = %v (%+v)", paths, got)
	}
}

func TestWireTime(t *testing.T) {
	if got := serialport.WireTime(1295, 115200); got < 112*time.Millisecond || got > 113*time.Millisecond {
		t.Fatalf("1295 bytes at 115200 = %v, want about 112ms", got)
	}
}

// Idle lines wait for bytes in Go's poller, not each in a read system call
// holding a thread: readers on many lines add no thread per line, and
// Close ends a wait.
func TestIdleReadersHoldNoThreads(t *testing.T) {
	const lines = 32
	dir := t.TempDir()
	threads := func() int {
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			t.Skip("no /proc/self/status:", err)
		}
		var n int
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Threads:"); ok {
				n, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		return n
	}
	before := threads()
	var wg sync.WaitGroup
	reads := make(chan struct{}, lines)
	var ports []*serialport.Port
	for i := range lines {
		line, err := serialporttest.NewLine(dir, fmt.Sprintf("line%d", i), 9600)
		if err != nil {
			t.Fatal(err)
		}
		defer line.Close()
		p, err := serialport.Open(line.Path(), 9600)
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, p)
		wg.Go(func() {
			buf := make([]byte, 64)
			for first := true; ; first = false {
				if _, err := p.Read(buf); err != nil {
					return // closed
				}
				if first {
					reads <- struct{}{}
				}
			}
		})
	}
	for range lines {
		<-reads // every reader has read (nothing) once and waits again
	}
	if grew := threads() - before; grew >= lines/2 {
		t.Errorf("%d idle readers took %d threads more; want them waiting in the poller", lines, grew)
	}
	for _, p := range ports {
		p.Close()
	}
	wg.Wait()
}
