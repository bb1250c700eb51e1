package idcard_test

import (
	"context"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/serialport"
)

// rig is a driver polling an emulated reader over a real pty.
type rig struct {
	t      *testing.T
	sim    *idcardsim.Reader
	events chan idcard.Event
	cancel context.CancelFunc
	done   chan error
}

func newRig(t *testing.T, baud int, opt idcard.Options) *rig {
	t.Helper()
	sim, err := idcardsim.New(t.TempDir(), "idcard", baud)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	if opt.Poll == 0 {
		opt.Poll = 20 * time.Millisecond
	}
	if opt.ReopenMin == 0 {
		opt.ReopenMin, opt.ReopenMax = 20*time.Millisecond, 100*time.Millisecond
	}
	rd := idcard.NewReader(func() (idcard.Port, error) { return serialport.Open(sim.Path(), 115200) }, opt)
	ctx, cancel := context.WithCancel(context.Background())
	r := &rig{t: t, sim: sim, events: make(chan idcard.Event, 16), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- rd.Run(ctx, r.events) }()
	t.Cleanup(r.stop)
	r.expect(idcard.ReaderBack)
	return r
}

func (r *rig) stop() {
	r.cancel()
	select {
	case err := <-r.done:
		if err != context.Canceled {
			r.t.Errorf("Run returned %v, want context.Canceled", err)
		}
		r.done <- err // for a second stop
	case <-time.After(10 * time.Second):
		r.t.Fatal("Run did not stop after cancel")
	}
}

func (r *rig) expect(kind idcard.EventKind) idcard.Event {
	r.t.Helper()
	select {
	case ev := <-r.events:
		if ev.Kind != kind {
			r.t.Fatalf("event %v (err %v), want %v", ev.Kind, ev.Err, kind)
		}
		return ev
	case <-time.After(15 * time.Second):
		r.t.Fatalf("no %v event", kind)
	}
	return idcard.Event{}
}

func (r *rig) expectNone(d time.Duration) {
	r.t.Helper()
	select {
	case ev := <-r.events:
		r.t.Fatalf("unexpected %v event (card %v)", ev.Kind, ev.Card != nil)
	case <-time.After(d):
	}
}

func TestEachCardTypeDecodesExactly(t *testing.T) {
	r := newRig(t, 115200, idcard.Options{})
	for _, f := range idcardsim.Cards() {
		t.Run(f.Key, func(t *testing.T) {
			r.sim.Lay(f.Card)
			ev := r.expect(idcard.CardLaid)
			want := f.Card
			want.Photo = fitTo(want.Photo, 1024)
			if !reflect.DeepEqual(*ev.Card, want) {
				t.Fatalf("read\n%+v\nwant\n%+v", *ev.Card, want)
			}
			if ev.Phases.Bytes < 1295 || ev.Phases.Attempts != 1 {
				t.Errorf("phases = %+v", ev.Phases)
			}
			r.sim.Lift()
			r.expect(idcard.CardLifted)
		})
	}
}

func fitTo(b []byte, n int) []byte {
	out := make([]byte, n)
	copy(out, b)
	return out
}

func TestOneEventPerCard(t *testing.T) {
	r := newRig(t, 0, idcard.Options{})
	c, _ := idcardsim.Card("resident")
	r.sim.Lay(c)
	r.expect(idcard.CardLaid)
	// The card stays on the reader: no second read, no second event.
	r.expectNone(300 * time.Millisecond)
	if n := r.sim.Commands()[idcard.CmdReadText]; n != 1 {
		t.Fatalf("card read %d times while it lay there", n)
	}
}

// A card swapped for another between two polls is read as a new card.
func TestCardSwapped(t *testing.T) {
	r := newRig(t, 0, idcard.Options{Poll: 300 * time.Millisecond})
	a, _ := idcardsim.Card("resident")
	b, _ := idcardsim.Card("foreign2023")
	r.sim.Lay(a)
	if ev := r.expect(idcard.CardLaid); ev.Card.IDNumber != a.IDNumber {
		t.Fatal("first card")
	}
	r.sim.Lift()
	r.sim.Lay(b) // well within one poll interval
	r.expect(idcard.CardLifted)
	if ev := r.expect(idcard.CardLaid); ev.Card.IDNumber != b.IDNumber {
		t.Fatalf("second card read as %q", ev.Card.IDNumber)
	}
}

func TestFaultsAreSurvived(t *testing.T) {
	tests := []struct {
		name     string
		cmd      idcard.Command
		faults   []idcardsim.Fault
		attempts int
	}{
		{"noise before the read reply", idcard.CmdReadText, []idcardsim.Fault{idcardsim.Noise}, 1},
		{"noise before find and select", 0, []idcardsim.Fault{idcardsim.Noise, idcardsim.Noise}, 1},
		{"bad checksum on the read", idcard.CmdReadText, []idcardsim.Fault{idcardsim.BadChecksum}, 2},
		{"torn read reply", idcard.CmdReadText, []idcardsim.Fault{idcardsim.Truncate}, 2},
		{"two torn reads", idcard.CmdReadText, []idcardsim.Fault{idcardsim.Truncate, idcardsim.BadChecksum}, 3},
		{"silent select", idcard.CmdSelect, []idcardsim.Fault{idcardsim.Silent}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 115200, idcard.Options{ReadTimeout: 1200 * time.Millisecond, CmdTimeout: 500 * time.Millisecond})
			c, _ := idcardsim.Card("resident")
			r.sim.Inject(tc.cmd, tc.faults...)
			r.sim.Lay(c)
			ev := r.expect(idcard.CardLaid)
			if ev.Card.IDNumber != c.IDNumber || ev.Card.Name != c.Name {
				t.Fatalf("card read wrongly after faults: %+v", ev.Card)
			}
			if ev.Phases.Attempts != tc.attempts {
				t.Errorf("attempts = %d, want %d", ev.Phases.Attempts, tc.attempts)
			}
		})
	}
}

func TestUnplugMidReadThenRecover(t *testing.T) {
	r := newRig(t, 115200, idcard.Options{ReadTimeout: 500 * time.Millisecond})
	c, _ := idcardsim.Card("hmt")
	r.sim.Inject(idcard.CmdReadText, idcardsim.UnplugMidReply)
	r.sim.Lay(c)
	lost := r.expect(idcard.ReaderLost)
	if lost.Err == nil {
		t.Fatal("ReaderLost without a reason")
	}
	r.expectNone(200 * time.Millisecond) // a torn read is never a card
	if err := r.sim.Replug(); err != nil {
		t.Fatal(err)
	}
	back := r.expect(idcard.ReaderBack)
	if back.SAMID != "05.01-20100101-0123456789-1234567890" {
		t.Errorf("SAM ID = %q", back.SAMID)
	}
	ev := r.expect(idcard.CardLaid)
	if ev.Card.PassNumber != c.PassNumber {
		t.Fatalf("card after replug: %+v", ev.Card)
	}
}

func TestSilentReader(t *testing.T) {
	r := newRig(t, 0, idcard.Options{CmdTimeout: 300 * time.Millisecond})
	r.sim.SetSilent(true)
	ev := r.expect(idcard.ReaderLost)
	if ev.Err == nil {
		t.Fatal("no reason given")
	}
	r.sim.SetSilent(false)
	r.expect(idcard.ReaderBack)
}

func TestNoReaderAtStart(t *testing.T) {
	dir := t.TempDir()
	rd := idcard.NewReader(func() (idcard.Port, error) { return serialport.Open(dir+"/none", 115200) },
		idcard.Options{ReopenMin: 10 * time.Millisecond, ReopenMax: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan idcard.Event, 4)
	done := make(chan error)
	go func() { done <- rd.Run(ctx, events) }()
	ev := <-events
	if ev.Kind != idcard.ReaderLost || ev.Err == nil {
		t.Fatalf("first event = %+v", ev)
	}
	// Retries do not repeat the event.
	select {
	case ev := <-events:
		t.Fatalf("second event %v", ev.Kind)
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	<-done
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 3 {
		func() {
			sim, err := idcardsim.New(t.TempDir(), "idcard", 0)
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			rd := idcard.NewReader(func() (idcard.Port, error) { return serialport.Open(sim.Path(), 115200) }, idcard.Options{Poll: 10 * time.Millisecond})
			ctx, cancel := context.WithCancel(context.Background())
			events := make(chan idcard.Event, 16)
			done := make(chan error)
			go func() { done <- rd.Run(ctx, events) }()
			c, _ := idcardsim.Card("resident")
			sim.Lay(c)
			for ev := range events {
				if ev.Kind == idcard.CardLaid {
					break
				}
			}
			cancel()
			<-done
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
