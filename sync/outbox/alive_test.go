package outbox

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/internal/sdnotify/sdnotifytest"
)

func TestAliveAnswers(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	ctx, cancel := context.WithTimeout(context.Background(), sdnotifytest.Wait)
	defer cancel()
	if err := o.Alive(ctx); err != nil {
		t.Fatalf("idle committer: %v", err)
	}
	if err := o.Put(testRecord(1)); err != nil {
		t.Fatal(err)
	}
	if err := o.Alive(ctx); err != nil {
		t.Fatalf("after a Put: %v", err)
	}
	o.Close()
	if err := o.Alive(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

// holdWriteLock starts a write transaction that keeps bbolt's write lock,
// as a commit stuck in a hung disk's fsync would, until release is called
// or the test ends (before the outbox closes, which would wait for ever).
func holdWriteLock(t *testing.T, o *Outbox) (release func()) {
	t.Helper()
	held, done, back := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		back <- o.db.Update(func(*bolt.Tx) error {
			close(held)
			<-done
			return nil
		})
	}()
	<-held
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(done)
			if err := <-back; err != nil {
				t.Errorf("the transaction holding the lock: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// A committer that cannot get the write lock, idle or with a Put waiting,
// is not alive, and the error says which it is.
func TestAliveFailsWhileWriteLockHeld(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	release := holdWriteLock(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := o.Alive(ctx)
	if err == nil || !strings.Contains(err.Error(), "write lock") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("idle committer, lock held: %v, want one naming the write lock", err)
	}
	// The probe is now waiting for the lock itself: the next finds the
	// committer busy.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel2()
	if err := o.Alive(ctx2); err == nil || !strings.Contains(err.Error(), "has not come back") {
		t.Fatalf("committer waiting for the lock: %v, want one saying it has not come back", err)
	}
	release()
	ctx3, cancel3 := context.WithTimeout(context.Background(), sdnotifytest.Wait)
	defer cancel3()
	if err := o.Alive(ctx3); err != nil {
		t.Fatalf("after the lock is given back: %v", err)
	}
}

// The watchdog stops while a Put's commit is stuck behind a transaction
// that keeps bbolt's write lock, and the record is stored once the lock
// comes back: nothing is lost to the restart that would follow.
func TestWatchdogStopsWhenCommitterWedged(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	w := sdnotifytest.Start(t, 500*time.Millisecond, o.Alive)
	w.WaitPings(t, 2)

	release := holdWriteLock(t, o)
	put := make(chan error, 1)
	go func() { put <- o.Put(testRecord(1)) }()
	for _, err := range w.WaitStopped(t) {
		if !strings.Contains(err.Error(), "committer") {
			t.Fatalf("check failed with %v, want one naming the committer", err)
		}
	}
	select {
	case err := <-put:
		t.Fatalf("Put returned (%v) while the write lock was held", err)
	default:
	}
	release()
	if err := <-put; err != nil {
		t.Fatalf("Put after the lock came back: %v", err)
	}
	w.WaitPings(t, 2)
	if got := o.Stats().Queued; got != 1 {
		t.Fatalf("%d records queued, want 1", got)
	}
}

// BenchmarkAlive is what one watchdog check of the committer costs an
// idle outbox: a round trip to the committer and the write lock taken and
// given back.
func BenchmarkAlive(b *testing.B) {
	o, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	ctx := context.Background()
	for b.Loop() {
		if err := o.Alive(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
