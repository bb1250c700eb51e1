package panel

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/gridkiosk/gridkiosk/internal/fakeclock"
)

const ms = time.Millisecond

// t0 is when every test's fake clock starts; times in tests are offsets
// from it.
var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

// patience bounds every wait for the panel's goroutines; tests that pass
// never come near it.
const patience = 5 * time.Second

// allPins names a pin for every function; the rig's registry knows them.
func allPins() Pins {
	return Pins{Help: "P_HELP", Tech: "P_TECH", LEDReady: "P_READY", LEDOffline: "P_OFFLINE",
		LEDAttention: "P_ATTENTION", LEDBusy: "P_BUSY", Buzzer: "P_BUZZER", Presence: "P_PIR", Relay: "P_RELAY"}
}

// recPin is a gpiotest pin that records each level written to it, with
// the fake clock's time, and whose wait for an edge ends on Halt, as in
// periph's GPIO drivers (gpiotest's Halt does nothing).
type recPin struct {
	*gpiotest.Pin
	clk  *fakeclock.Clock
	mu   sync.Mutex
	outs []levelAt

	// waits holds the timeout of each WaitForEdge called; halt ends the
	// one in progress.
	waits []time.Duration
	halt  chan struct{}
	// endless makes a wait ignore its timeout, as a driver that waits for
	// ever would: only an edge or Halt ends it.
	endless bool
	// loseHalts is how many halts to drop, as gpioioctl does with one
	// that comes before the wait starts.
	loseHalts int
	halts     int // Halt calls, lost ones included
}

func (p *recPin) WaitForEdge(timeout time.Duration) bool {
	p.mu.Lock()
	p.waits = append(p.waits, timeout)
	halt := make(chan struct{})
	p.halt = halt
	endless := p.endless
	p.mu.Unlock()
	var expired <-chan time.Time
	if !endless {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	select {
	case l := <-p.EdgesChan:
		_ = p.Pin.Out(l)
		return true
	case <-halt:
		return false
	case <-expired:
		return false
	}
}

func (p *recPin) Halt() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.halts++
	if p.loseHalts > 0 {
		p.loseHalts--
		return nil
	}
	if p.halt != nil {
		close(p.halt)
		p.halt = nil
	}
	return nil
}

// waiting reports whether a wait for an edge is in progress, and the
// timeouts of every wait so far.
func (p *recPin) waiting() (bool, []time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.halt != nil, append([]time.Duration(nil), p.waits...)
}

type levelAt struct {
	at time.Duration // since t0
	l  gpio.Level
}

func (p *recPin) Out(l gpio.Level) error {
	p.mu.Lock()
	p.outs = append(p.outs, levelAt{p.clk.Now().Sub(t0), l})
	p.mu.Unlock()
	return p.Pin.Out(l)
}

// written returns the levels written since Open.
func (p *recPin) written() []levelAt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]levelAt(nil), p.outs[1:]...) // Open wrote Low
}

// rig is a Panel on gpiotest pins and a fake clock.
type rig struct {
	t      *testing.T
	clk    *fakeclock.Clock
	reg    map[string]*recPin // by pin name
	pins   Pins
	p      *Panel
	events chan Event
	stop   func() error // ends Run and returns its error
}

func openRig(t *testing.T, pins Pins) *rig {
	t.Helper()
	r := &rig{t: t, clk: fakeclock.New(t0), reg: map[string]*recPin{}, pins: pins, events: make(chan Event)}
	for _, name := range []string{"P_HELP", "P_TECH", "P_READY", "P_OFFLINE", "P_ATTENTION", "P_BUSY", "P_BUZZER", "P_PIR", "P_RELAY"} {
		r.reg[name] = &recPin{Pin: &gpiotest.Pin{N: name, EdgesChan: make(chan gpio.Level)}, clk: r.clk}
	}
	p, err := Open(Options{Pins: pins, ByName: r.byName, Clock: r.clk,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	r.p = p
	return r
}

func (r *rig) byName(name string) gpio.PinIO {
	if p, ok := r.reg[name]; ok {
		return p
	}
	return nil
}

// runRig opens a rig and starts Run.
func runRig(t *testing.T, pins Pins) *rig {
	t.Helper()
	r := openRig(t, pins)
	r.run()
	return r
}

// run starts Run; the test's cleanup stops it.
func (r *rig) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.p.Run(ctx, r.events) }()
	r.stop = sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(patience):
			r.t.Error("Run did not return after its context was cancelled")
			return nil
		}
	})
	r.t.Cleanup(func() { r.stop() })
}

// pin returns the pin of a function, by its config key.
func (r *rig) pin(key string) *recPin {
	name := map[string]string{"help": r.pins.Help, "tech": r.pins.Tech, "presence": r.pins.Presence,
		"led_ready": r.pins.LEDReady, "led_offline": r.pins.LEDOffline, "led_attention": r.pins.LEDAttention,
		"led_busy": r.pins.LEDBusy, "buzzer": r.pins.Buzzer, "relay": r.pins.Relay}[key]
	p := r.reg[name]
	if p == nil {
		r.t.Fatalf("no pin for %q", key)
	}
	return p
}

func (r *rig) now() time.Duration { return r.clk.Now().Sub(t0) }

func (r *rig) advanceTo(off time.Duration) {
	r.t.Helper()
	if off < r.now() {
		r.t.Fatalf("test goes back in time: from %v to %v", r.now(), off)
	}
	r.clk.AdvanceTo(t0.Add(off))
}

// armed waits until Run has armed its timer for off: it has then done all
// it had to do before off.
func (r *rig) armed(off time.Duration) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := r.clk.WaitLast(ctx, t0.Add(off)); err != nil {
		r.t.Fatalf("at %v: waiting for Run's timer for %v: %v", r.now(), off, err)
	}
}

// fire waits for Run's timer for off and moves the clock to it.
func (r *rig) fire(off time.Duration) {
	r.t.Helper()
	r.armed(off)
	r.advanceTo(off)
}

// edge moves the clock to off, sets an input's level there, and waits for
// Run to arm the debounce timer the edge starts.
func (r *rig) edge(off time.Duration, key string, l gpio.Level) {
	r.t.Helper()
	r.advanceTo(off)
	select {
	case r.pin(key).EdgesChan <- l:
	case <-time.After(patience):
		r.t.Fatalf("at %v: nobody waits for an edge on %s", off, key)
	}
	r.armed(off + r.p.debounce)
}

// sync waits until Run has done all that is due now, for when Run has no
// timer of its own to wait for: it wakes Run with an LED pattern and waits
// for the timer that arms.
func (r *rig) sync() {
	r.t.Helper()
	r.p.SetLED(LEDBusy, Pulse)
	r.armed(r.now() + 100*ms)
	r.p.SetLED(LEDBusy, Off)
}

// want receives the next event and compares it with the one expected.
func (r *rig) want(kind EventKind, button string, at, held time.Duration) {
	r.t.Helper()
	w := Event{Kind: kind, Button: button, At: t0.Add(at), Held: held}
	select {
	case got := <-r.events:
		if got != w {
			r.t.Fatalf("event = %v at %v; want %v at %v", got, got.At.Sub(t0), w, at)
		}
	case <-time.After(patience):
		r.t.Fatalf("no event; want %v at %v", w, at)
	}
}

// quiet checks that no event is waiting, by passing someone in front of
// the presence sensor and checking that their events come next.
func (r *rig) quiet() {
	r.t.Helper()
	now := r.now()
	r.edge(now, "presence", gpio.High)
	r.fire(now + r.p.debounce)
	r.want(PresenceOn, "", now+r.p.debounce, 0)
	now = r.now()
	r.edge(now, "presence", gpio.Low)
	r.fire(now + r.p.debounce)
	r.want(PresenceOff, "", now+r.p.debounce, 0)
}

// poll calls cond until it is true, failing the test after patience.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
