package powercut

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFileModel drives one file's page model with random writes,
// truncates, syncs and cuts, beside a plain byte slice for what readers
// see and another for what was synced.
func TestFileModel(t *testing.T) {
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 7))
		m := newModel()
		n := m.newNode(0o100600)
		m.root.entries["f"], m.root.durEntries["f"] = n, n
		var live, durable []byte
		for step := range 300 {
			switch op := rng.IntN(10); {
			case op < 5:
				off := rng.IntN(5 * pageSize)
				b := make([]byte, rng.IntN(2*pageSize))
				for i := range b {
					b[i] = byte(rng.IntN(255) + 1)
				}
				n.writeAt(b, int64(off))
				if end := off + len(b); end > len(live) {
					live = append(live, make([]byte, end-len(live))...)
				}
				copy(live[off:], b)
			case op < 7:
				size := rng.IntN(6 * pageSize)
				n.resize(int64(size))
				if size < len(live) {
					live = live[:size]
				} else {
					live = append(live, make([]byte, size-len(live))...)
				}
			case op < 9:
				m.syncFile(n)
				durable = bytes.Clone(live)
			default:
				m.cut()
				live = bytes.Clone(durable)
			}
			got := make([]byte, n.size+10)
			got = got[:n.readAt(got, 0)]
			if !bytes.Equal(got, live) {
				t.Fatalf("seed %d step %d: the model reads %d bytes, want %d (first difference at %d)",
					seed, step, len(got), len(live), firstDiff(got, live))
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestUnmountBusy: a file left open on the mount (a test that failed half
// way) cannot hold the unmount forever: the connection is aborted and the
// holder gets errors, not a hang.
func TestUnmountBusy(t *testing.T) {
	f := New()
	f.grace = 200 * time.Millisecond
	dir := t.TempDir()
	if err := f.Mount(dir); err != nil {
		t.Fatal(err)
	}
	held, err := os.Create(filepath.Join(dir, "held"))
	if err != nil {
		f.Unmount()
		t.Fatal(err)
	}
	defer held.Close()
	if err := f.Unmount(); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("unmount with a file open: %v, want an error saying it was in use", err)
	}
	if _, err := held.Write([]byte("x")); err == nil {
		t.Fatal("a write to the aborted mount succeeded")
	}
	if err := f.Mount(dir); err != nil {
		t.Fatalf("mount again after the abort: %v", err)
	}
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
}
