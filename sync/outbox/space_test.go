package outbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Concurrent Puts share commits, and each gets its own sequence number.
func TestGroupCommit(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	const writers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				r := testRecord(w*each + i + 1)
				if err := o.Put(r); err != nil {
					errs <- err
				} else if r.Seq == 0 {
					errs <- fmt.Errorf("record %s stored without a sequence number", r.ID)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, err := o.Pending(writers * each * 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != writers*each || o.Stats().Queued != writers*each || o.Stats().LastSeq != writers*each {
		t.Fatalf("%d pending, stats %+v; want %d", len(all), o.Stats(), writers*each)
	}
	for i, r := range all {
		if r.Seq != uint64(i+1) {
			t.Fatalf("pending[%d] has seq %d: sequence numbers must be 1..n without gaps", i, r.Seq)
		}
	}
}

// Two Puts of one ID at once, likely in one group: exactly one is stored.
func TestConcurrentDuplicate(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	for round := range 20 {
		var wg sync.WaitGroup
		var stored, refused int
		var mu sync.Mutex
		for range 2 {
			wg.Go(func() {
				err := o.Put(testRecord(round + 1))
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					stored++
				} else if strings.Contains(err.Error(), "already stored") {
					refused++
				}
			})
		}
		wg.Wait()
		if stored != 1 || refused != 1 {
			t.Fatalf("round %d: %d stored, %d refused", round, stored, refused)
		}
	}
}

func TestPutAfterClose(t *testing.T) {
	o, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	if err := o.Put(testRecord(1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close: %v", err)
	}
	if err := o.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestSpaceGuards(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
		want string
	}{
		{"disk reserve", Options{MinFree: 1 << 62}, "MiB free on the disk of"},
		{"cap", Options{MaxBytes: 1}, "storage.max_mb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := openT(t, dir, Options{})
			if err := o.Put(testRecord(1)); err != nil {
				t.Fatal(err)
			}
			o.Close()
			o = openT(t, dir, tc.opt)
			err := o.Put(testRecord(2))
			if !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "NOT stored") {
				t.Fatalf("Put when full: %v", err)
			}
			if got, _ := o.Pending(10); len(got) != 1 || got[0].ID != testRecord(1).ID {
				t.Fatalf("queued records after a refusal: %v", got)
			}
		})
	}
}

// A real full disk: a small tmpfs that a filler file fills. Put refuses
// with the reserve's words; with no reserve, the commit itself fails on
// ENOSPC; either way what was queued stays whole, and Put works again once
// space is freed.
func TestDiskFull(t *testing.T) {
	dir := smallFS(t, 16)
	o := openT(t, dir, Options{MinFree: 4 << 20})
	for i := 1; i <= 20; i++ {
		if err := o.Put(testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	filler := filepath.Join(dir, "filler")
	fill(t, filler, 0)
	err := o.Put(testRecord(21))
	if !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), "MiB free on the disk of "+dir) {
		t.Fatalf("Put on a full disk: %v", err)
	}
	// Without the reserve bbolt meets ENOSPC itself, in a commit or in
	// growing its file.
	o.Close()
	o = openT(t, dir, Options{MinFree: -1})
	var failed error
	for i := 21; i <= 2000 && failed == nil; i++ {
		big := testRecord(i)
		big.Payload = []byte(fmt.Sprintf(`{"category":"repair","description":"%s"}`, strings.Repeat("路", 3000)))
		failed = o.Put(big)
	}
	if !errors.Is(failed, ErrFull) || !strings.Contains(failed.Error(), "no space left") || !strings.Contains(failed.Error(), "NOT stored") {
		t.Fatalf("Put on a disk with no space at all: %v", failed)
	}
	os.Remove(filler)
	// The same outbox goes on once there is room again.
	if err := o.Put(testRecord(4000)); err != nil {
		t.Fatalf("Put after space was freed, before a restart: %v", err)
	}
	o.Close()
	o = openT(t, dir, Options{MinFree: 4 << 20})
	got, err := o.Pending(3000)
	if err != nil || len(got) < 20 {
		t.Fatalf("after the disk was full: %d pending, %v", len(got), err)
	}
	for i, r := range got[:20] {
		if r.ID != testRecord(i+1).ID || string(r.Payload) != string(testRecord(i+1).Payload) {
			t.Fatalf("record %d changed: %s", i+1, r.Payload)
		}
	}
	if err := o.Put(testRecord(5000)); err != nil {
		t.Fatalf("Put after space was freed: %v", err)
	}
	if err := o.Ack([]string{testRecord(1).ID}); err != nil {
		t.Fatal(err)
	}
}

// smallFS mounts a tmpfs of mb MiB for the test. It needs root, and
// like every test that does, it skips saying so for another user (CI
// runs make test as root, so there it runs); as root, a failure to mount
// says why.
func smallFS(t *testing.T, mb int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs for the disk-full test; run make test as root (CI does) to run it")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm,mode=0700", mb), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("mount tmpfs on %s: %v: %s", dir, err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes zeros to path until the disk is full, less leave bytes.
func fill(t *testing.T, path string, leave int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Sync()
	if leave > 0 {
		st, _ := f.Stat()
		f.Truncate(st.Size() - leave)
	}
}
