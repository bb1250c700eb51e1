package outbox

import (
	"errors"
	"testing"
	"time"
)

func TestPutOnce(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	o := openT(t, dir, Options{Now: func() time.Time { return now }})
	keep := now.Add(48 * time.Hour)
	if used, err := o.Used("appt-1"); err != nil || used {
		t.Fatalf("fresh key used=%v err=%v", used, err)
	}
	if err := o.PutOnce(testRecord(1), "appt-1", keep); err != nil {
		t.Fatal(err)
	}
	r2 := testRecord(2)
	err := o.PutOnce(r2, "appt-1", keep)
	if !errors.Is(err, ErrUsed) {
		t.Fatalf("second use: %v", err)
	}
	if r2.Seq != 0 || o.Stats().Queued != 1 {
		t.Fatalf("refused record was stored: seq %d, queued %d", r2.Seq, o.Stats().Queued)
	}
	if _, err := o.Lookup(r2.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("refused record in the index: %v", err)
	}
	// A record that fails for another reason leaves the key unspent.
	if err := o.PutOnce(testRecord(1), "appt-2", keep); err == nil {
		t.Fatal("duplicate record ID stored")
	}
	if used, _ := o.Used("appt-2"); used {
		t.Fatal("a failed Put spent its key")
	}
	if err := o.PutOnce(testRecord(3), "", keep); err == nil {
		t.Fatal("empty one-time key accepted")
	}

	// The spent key survives a restart, and is forgotten after keep-until.
	o.Close()
	o = openT(t, dir, Options{Now: func() time.Time { return now }})
	if used, err := o.Used("appt-1"); err != nil || !used {
		t.Fatalf("after reopen used=%v err=%v", used, err)
	}
	if _, err := o.Purge(); err != nil {
		t.Fatal(err)
	}
	if used, _ := o.Used("appt-1"); !used {
		t.Fatal("purge forgot a key before its time")
	}
	now = keep.Add(time.Second)
	if _, err := o.Purge(); err != nil {
		t.Fatal(err)
	}
	if used, _ := o.Used("appt-1"); used {
		t.Fatal("purge kept a key past its time")
	}
}
