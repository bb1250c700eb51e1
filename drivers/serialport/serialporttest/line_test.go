package serialporttest

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"
)

func TestLineBytesPassUnchanged(t *testing.T) {
	l, err := NewLine(t.TempDir(), "dev", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	far, err := os.OpenFile(l.Path(), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer far.Close()
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	go l.Write(all)
	got := make([]byte, 0, 256)
	buf := make([]byte, 256)
	for len(got) < 256 {
		n, err := far.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("bytes changed on the way: % x", got)
	}
	far.Write([]byte{0x0d, 0x0a, 0x03, 0xAA})
	n, err := l.Read(buf)
	if err != nil || !bytes.Equal(buf[:n], []byte{0x0d, 0x0a, 0x03, 0xAA}) {
		t.Fatalf("reverse: % x %v", buf[:n], err)
	}
}

func TestLinePacing(t *testing.T) {
	l, err := NewLine(t.TempDir(), "dev", 9600)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	far, _ := os.OpenFile(l.Path(), os.O_RDWR, 0)
	defer far.Close()
	go func() {
		buf := make([]byte, 1024)
		for {
			if _, err := far.Read(buf); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	l.Write(make([]byte, 480)) // 480 bytes at 9600 baud: 0.5 s on the wire
	if el := time.Since(start); el < 480*time.Millisecond {
		t.Fatalf("480 bytes at 9600 baud took %v, less than their wire time", el)
	}
}

func TestUnplugReplug(t *testing.T) {
	l, err := NewLine(t.TempDir(), "dev", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	first, _ := os.Readlink(l.Path())
	readErr := make(chan error, 1)
	go func() {
		_, err := l.Read(make([]byte, 8))
		readErr <- err
	}()
	time.Sleep(20 * time.Millisecond)
	l.Unplug()
	select {
	case err := <-readErr:
		if !errors.Is(err, ErrUnplugged) {
			t.Fatalf("read during unplug: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Unplug did not interrupt a Read")
	}
	if _, err := os.Lstat(l.Path()); !os.IsNotExist(err) {
		t.Fatal("path still there after unplug")
	}
	if _, err := l.Write([]byte{1}); !errors.Is(err, ErrUnplugged) {
		t.Fatalf("write while unplugged: %v", err)
	}
	done := make(chan struct{})
	go func() { l.WaitPlugged(); close(done) }()
	if err := l.Replug(); err != nil {
		t.Fatal(err)
	}
	<-done
	if _, err := os.Stat(l.Path()); err != nil {
		t.Fatalf("path after replug: %v", err)
	}
	if second, _ := os.Readlink(l.Path()); second == "" {
		t.Fatalf("replug link %q (first %q)", second, first)
	}
}
