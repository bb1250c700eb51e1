package outbox

import (
	"errors"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// faultOnce fails the next sync at the given stage once, with EIO as a
// failing disk gives it.
type faultOnce struct {
	afterMeta bool
	armed     atomic.Bool
}

func (f *faultOnce) sync(afterMeta bool) error {
	if afterMeta == f.afterMeta && f.armed.CompareAndSwap(true, false) {
		return syscall.EIO
	}
	return nil
}

// A commit that fails before its meta page is written stored nothing, and
// says so; one that fails after may have stored the record, and says
// that instead of "NOT stored". Either way a retry under the same ID
// leaves exactly one record.
func TestPutOutcomeOfFailedSync(t *testing.T) {
	for _, c := range []struct {
		name      string
		afterMeta bool
	}{
		{"data pages", false},
		{"meta page", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			f := &faultOnce{afterMeta: c.afterMeta}
			o := openT(t, dir, Options{SyncFault: f.sync})
			if err := o.Put(testRecord(1)); err != nil {
				t.Fatal(err)
			}
			f.armed.Store(true)
			r := testRecord(2)
			err := o.Put(r)
			if err == nil {
				t.Fatal("Put returned nil after its sync failed")
			}
			_, lookErr := o.Lookup(r.ID)
			if c.afterMeta {
				if !errors.Is(err, ErrUnknown) || strings.Contains(err.Error(), "NOT stored") || !strings.Contains(err.Error(), "same ID") {
					t.Fatalf("Put = %v; want ErrUnknown telling to look up and retry under the same ID, not NOT stored", err)
				}
				if lookErr != nil {
					t.Fatalf("Lookup after an unknown outcome: %v", lookErr)
				}
				// The retry finds it and makes sure of it; no second record.
				got, e, err := o.Recommit(r.ID)
				if err != nil || got.ID != r.ID || e.Seq != 2 || string(got.Payload) != string(r.Payload) {
					t.Fatalf("Recommit = %+v %+v %v", got, e, err)
				}
			} else {
				if errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "NOT stored") || !errors.Is(err, syscall.EIO) {
					t.Fatalf("Put = %v; want the EIO and NOT stored", err)
				}
				if !errors.Is(lookErr, ErrNotFound) {
					t.Fatalf("Lookup after a rolled-back commit: %v, want ErrNotFound", lookErr)
				}
				if _, _, err := o.Recommit(r.ID); !errors.Is(err, ErrNotFound) {
					t.Fatalf("Recommit of a record never stored: %v", err)
				}
				if err := o.Put(testRecord(2)); err != nil {
					t.Fatalf("retry under the same ID: %v", err)
				}
			}
			if err := o.Put(testRecord(3)); err != nil {
				t.Fatal(err)
			}
			o.Close()
			o = openT(t, dir, Options{})
			got, err := o.Pending(10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[1].ID != r.ID || o.Stats().Queued != 3 {
				t.Fatalf("after reopening: %d records %v, stats %+v; want records 1, 2, 3 once each", len(got), seqs(got), o.Stats())
			}
		})
	}
}
