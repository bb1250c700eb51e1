package outbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/sdnotify/sdnotifytest"
)

// waitTurn polls the commit turn until cond holds, or fails the test after
// a deadline a loaded machine does not reach.
func waitTurn(t *testing.T, o *Outbox, what string, cond func(busy bool, waiting int) bool) {
	t.Helper()
	deadline := time.Now().Add(sdnotifytest.Wait)
	for {
		o.cmu.Lock()
		ok := cond(o.busy, len(o.waiting))
		o.cmu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// countCommits returns Options that count the commits reaching bbolt's
// fsync, and the count.
func countCommits() (Options, *atomic.Int32) {
	var n atomic.Int32
	return Options{SyncFault: func(afterMeta bool) error {
		if !afterMeta {
			n.Add(1)
		}
		return nil
	}}, &n
}

// Puts that come while a commit waits share the next commit: one
// transaction and one fsync for all of them, each with its own sequence
// number.
func TestQueuedPutsShareOneCommit(t *testing.T) {
	opt, commits := countCommits()
	o := openT(t, t.TempDir(), opt)
	release := holdWriteLock(t, o)
	const queued = 10
	errs := make(chan error, queued+1)
	go func() { errs <- o.Put(testRecord(1)) }()
	waitTurn(t, o, "the first Put to take the commit turn", func(busy bool, _ int) bool { return busy })
	for i := range queued {
		go func() { errs <- o.Put(testRecord(i + 2)) }()
	}
	waitTurn(t, o, "the other Puts to queue", func(_ bool, waiting int) bool { return waiting == queued })
	release()
	for range queued + 1 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := commits.Load(); got != 2 {
		t.Fatalf("%d commits for a Put and %d queued behind it, want 2", got, queued)
	}
	all, err := o.Pending(2 * queued)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range all {
		if r.Seq != uint64(i+1) {
			t.Fatalf("pending[%d] has seq %d, want %d", i, r.Seq, i+1)
		}
	}
	if len(all) != queued+1 {
		t.Fatalf("%d records pending, want %d", len(all), queued+1)
	}
	waitTurn(t, o, "the turn to be free again", func(busy bool, waiting int) bool { return !busy && waiting == 0 })
}

// A lone Put commits once, in its own transaction, and leaves the turn
// free for the next.
func TestLonePutCommitsOnce(t *testing.T) {
	opt, commits := countCommits()
	o := openT(t, t.TempDir(), opt)
	for i := range 3 {
		if err := o.Put(testRecord(i + 1)); err != nil {
			t.Fatal(err)
		}
		o.cmu.Lock()
		busy, waiting := o.busy, len(o.waiting)
		o.cmu.Unlock()
		if busy || waiting != 0 {
			t.Fatalf("after Put %d returned: turn busy=%v, %d waiting; want it free", i+1, busy, waiting)
		}
	}
	if got := commits.Load(); got != 3 {
		t.Fatalf("%d commits for 3 Puts one after the other, want 3", got)
	}
}

// Close lets the Puts already waiting for a commit finish and store their
// records; a Put after Close began is refused, with nothing stored.
func TestCloseCommitsQueuedPuts(t *testing.T) {
	dir := t.TempDir()
	o, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	release := holdWriteLock(t, o)
	const queued = 5
	errs := make(chan error, queued+1)
	go func() { errs <- o.Put(testRecord(1)) }()
	waitTurn(t, o, "the first Put to take the commit turn", func(busy bool, _ int) bool { return busy })
	for i := range queued {
		go func() { errs <- o.Put(testRecord(i + 2)) }()
	}
	waitTurn(t, o, "the other Puts to queue", func(_ bool, waiting int) bool { return waiting == queued })
	closed := make(chan error, 1)
	go func() { closed <- o.Close() }()
	deadline := time.Now().Add(sdnotifytest.Wait)
	for {
		o.cmu.Lock()
		c := o.closed
		o.cmu.Unlock()
		if c {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Close never began")
		}
		time.Sleep(time.Millisecond)
	}
	late := testRecord(99)
	if err := o.Put(late); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put while closing: %v, want ErrClosed", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while Puts waited for their commit", err)
	default:
	}
	release()
	for range queued + 1 {
		if err := <-errs; err != nil {
			t.Fatalf("queued Put: %v", err)
		}
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	o = openT(t, dir, Options{})
	if got := o.Stats().Queued; got != queued+1 {
		t.Fatalf("%d records after reopening, want %d", got, queued+1)
	}
	if _, err := o.Lookup(late.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the refused Put's record: %v, want ErrNotFound", err)
	}
}

// A commit that panics ends the process even when the Put's caller
// recovers panics (net/http's server does): a process that lived on would
// keep the commit turn taken and every later Put waiting for ever.
func TestCommitPanicEndsProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), sdnotifytest.Wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+t.TempDir(), crashEnv+"_MODE=panic")
	out, err := cmd.CombinedOutput()
	if err == nil || strings.Contains(string(out), "lived on") || !strings.Contains(string(out), "outbox: commit: disk on fire") {
		t.Fatalf("writer whose commit panicked ended with %v, want a panic naming the commit; it printed:\n%s", err, out)
	}
}

// panicWriter is the writer process of TestCommitPanicEndsProcess: one Put
// whose commit panics, from a caller that recovers.
func panicWriter(o *Outbox) {
	o.opt.SyncFault = func(bool) error { panic("disk on fire") }
	func() {
		defer func() { recover() }()
		o.Put(testRecord(1))
	}()
	fmt.Println("the writer lived on")
	os.Exit(0)
}
