package panel

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

func TestOpenConfiguresPins(t *testing.T) {
	r := openRig(t, allPins())
	for _, tt := range []struct {
		key  string
		pull gpio.Pull
		l    gpio.Level
	}{
		{"help", gpio.PullUp, gpio.High}, {"tech", gpio.PullUp, gpio.High}, {"presence", gpio.PullDown, gpio.Low},
		{"led_ready", gpio.PullNoChange, gpio.Low}, {"buzzer", gpio.PullNoChange, gpio.Low}, {"relay", gpio.PullNoChange, gpio.Low},
	} {
		p := r.pin(tt.key)
		p.Lock()
		pull, l := p.P, p.L
		p.Unlock()
		if pull != tt.pull || l != tt.l {
			t.Errorf("%s: pull %v level %v, want %v %v", tt.key, pull, l, tt.pull, tt.l)
		}
	}
	r.p.SetLED(LEDBusy, On)
	fs := r.p.Functions()
	var names []string
	for _, f := range fs {
		names = append(names, f.Name)
		if !f.Enabled {
			t.Errorf("%s disabled", f.Name)
		}
		if wantActive := f.Name == "led_busy"; f.Active != wantActive {
			t.Errorf("%s active = %v", f.Name, f.Active)
		}
	}
	if got := strings.Join(names, " "); got != "button_help button_tech led_ready led_offline led_attention led_busy buzzer presence relay" {
		t.Errorf("functions %s", got)
	}
	if f := fs[0]; f.Pin != "P_HELP" || !f.Input || f.Level != gpio.High {
		t.Errorf("button_help = %+v", f)
	}
	if f := fs[5]; f.Pin != "P_BUSY" || f.Input || f.Level != gpio.High {
		t.Errorf("led_busy = %+v", f)
	}
}

func TestDisabledFunctions(t *testing.T) {
	for _, tt := range []struct {
		name     string
		pins     func(*Pins)
		function string
		pin      string
		log      string // in the log line
	}{
		{"empty name", func(p *Pins) { p.LEDBusy = "" }, "led_busy", "", "level=DEBUG msg=\"panel: function not configured\" function=led_busy"},
		{"pin missing on the board", func(p *Pins) { p.LEDBusy = "GPIO99" }, "led_busy", "GPIO99", "level=WARN msg=\"panel: no such pin on this board; function disabled\" function=led_busy pin=GPIO99"},
		{"unknown button pin", func(p *Pins) { p.Help = "PIN 11" }, "button_help", "PIN 11", "level=WARN msg=\"panel: no such pin on this board; function disabled\" function=button_help pin=\"PIN 11\""},
		{"unknown relay pin", func(p *Pins) { p.Relay = "GPIO5" }, "relay", "GPIO5", "function=relay pin=GPIO5"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pins := allPins()
			tt.pins(&pins)
			r := openRig(t, allPins()) // for its pins
			var buf bytes.Buffer
			p, err := Open(Options{Pins: pins, ByName: r.byName, Clock: r.clk,
				Log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tt.log) {
				t.Errorf("log does not contain %s:\n%s", tt.log, buf.String())
			}
			if n := strings.Count(buf.String(), "\n"); n != 1 {
				t.Errorf("%d log lines, want 1:\n%s", n, buf.String())
			}
			for _, f := range p.Functions() {
				if f.Enabled == (f.Name == tt.function) {
					t.Errorf("%s enabled = %v", f.Name, f.Enabled)
				}
				if f.Name == tt.function && (f.Pin != tt.pin || f.Active || f.Level != gpio.Low) {
					t.Errorf("%+v", f)
				}
			}
			// The disabled function is harmless to use.
			p.SetLED(LEDBusy, BlinkFast)
			p.Beep(BeepOK)
			if err := p.SetRelay(true); (err != nil) != (tt.function == "relay") {
				t.Errorf("SetRelay: %v", err)
			}
		})
	}
}

// failPin is a pin that cannot be configured.
type failPin struct{ gpiotest.Pin }

func (*failPin) In(gpio.Pull, gpio.Edge) error { return errors.New("line busy") }
func (*failPin) Out(gpio.Level) error          { return errors.New("line busy") }

func TestOpenErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		pins Pins
		pin  gpio.PinIO
		want string
	}{
		{"input", Pins{Help: "BAD"}, &failPin{}, "panel: button_help BAD: line busy"},
		{"presence", Pins{Presence: "BAD"}, &failPin{}, "panel: presence BAD: line busy"},
		{"output", Pins{Relay: "BAD"}, &failPin{}, "panel: relay BAD: line busy"},
		{"no edges", Pins{Tech: "BAD"}, &gpiotest.Pin{N: "BAD"}, "panel: button_tech BAD: gpiotest: please set p.EdgesChan first"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(Options{Pins: tt.pins, ByName: func(string) gpio.PinIO { return tt.pin }})
			if err == nil || err.Error() != tt.want {
				t.Errorf("Open: %v, want %s", err, tt.want)
			}
		})
	}
}

func TestNoPins(t *testing.T) {
	p, err := Open(Options{}) // real clock, gpioreg, nothing to look up
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Functions() {
		if f.Enabled {
			t.Errorf("%s enabled", f.Name)
		}
	}
	p.SetLED(LEDReady, BlinkFast)
	p.Beep(BeepError)
	if err := p.SetRelay(true); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("SetRelay: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, make(chan Event)) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("Run did not return")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRelayAndClose(t *testing.T) {
	r := runRig(t, allPins())
	relay := r.pin("relay")
	if err := r.p.SetRelay(true); err != nil || relay.Read() != gpio.High {
		t.Fatalf("SetRelay(true): %v, level %v", err, relay.Read())
	}
	if f := r.p.Functions()[8]; f.Name != "relay" || !f.Active {
		t.Errorf("%+v", f)
	}
	if err := r.p.SetRelay(false); err != nil || relay.Read() != gpio.Low {
		t.Fatalf("SetRelay(false): %v, level %v", err, relay.Read())
	}
	if err := r.p.SetRelay(true); err != nil {
		t.Fatal(err)
	}
	r.p.SetLED(LEDReady, On)
	r.p.SetLED(LEDOffline, BlinkSlow)
	r.p.Beep(BeepLong)
	r.armed(500 * ms)
	if err := r.stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	if err := r.p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"led_ready", "led_offline", "led_attention", "led_busy", "buzzer", "relay"} {
		if r.pin(key).Read() != gpio.Low {
			t.Errorf("%s high after Close", key)
		}
	}
	if err := r.p.SetRelay(true); !errors.Is(err, ErrClosed) {
		t.Errorf("SetRelay after Close: %v", err)
	}
	if err := r.p.Run(context.Background(), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close: %v", err)
	}
	r.p.SetLED(LEDReady, On)
	if r.pin("led_ready").Read() != gpio.Low {
		t.Error("SetLED after Close lit the LED")
	}
	if err := r.p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestRunTwice(t *testing.T) {
	r := runRig(t, allPins())
	r.edge(0, "help", down) // Run is up: it armed the debounce timer
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := r.p.Run(ctx, nil); err == nil || ctx.Err() != nil {
		t.Fatalf("second Run: %v", err)
	}
}

func TestRunStopsCleanly(t *testing.T) {
	before := runtime.NumGoroutine()
	r := openRig(t, allPins())
	r.events = make(chan Event) // nobody reads it
	r.run()
	r.edge(0, "help", down)
	r.fire(30 * ms)
	r.edge(100*ms, "help", up)
	r.fire(130 * ms) // a Pressed event waits for a reader
	r.edge(200*ms, "presence", gpio.High)
	if err := r.stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	poll(t, "Run's goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func TestStrings(t *testing.T) {
	e := Event{Kind: LongPressed, Button: "tech", Held: 2 * time.Second}
	for _, tt := range []struct{ got, want string }{
		{e.String(), "tech long-pressed (held 2s)"},
		{e.Function(), "button_tech"},
		{Event{Kind: PresenceOn}.String(), "presence-on"},
		{Event{Kind: PresenceOff}.Function(), "presence"},
		{EventKind(9).String(), "EventKind(9)"},
		{LEDAttention.String(), "attention"},
		{LED(7).String(), "LED(7)"},
		{BlinkFast.String(), "blink-fast"},
		{BeepError.String(), "error"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// syncBuffer is a log sink safe for the panel's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// brokenPin fails to write once broken.
type brokenPin struct {
	*gpiotest.Pin
	broken atomic.Bool
}

func (p *brokenPin) Out(l gpio.Level) error {
	if p.broken.Load() {
		return errors.New("input/output error")
	}
	return p.Pin.Out(l)
}

func TestOutputFailureLoggedOnce(t *testing.T) {
	r := openRig(t, allPins())
	led := &brokenPin{Pin: &gpiotest.Pin{N: "P_BROKEN"}}
	var log syncBuffer
	p, err := Open(Options{Pins: Pins{LEDReady: "P_BROKEN"}, Clock: r.clk,
		ByName: func(string) gpio.PinIO { return led }, Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	r.p = p
	r.run()
	led.broken.Store(true)
	p.SetLED(LEDReady, BlinkFast)
	r.armed(125 * ms)
	r.runTo(1000*ms, []time.Duration{125 * ms, 250 * ms, 375 * ms, 500 * ms, 625 * ms, 750 * ms, 875 * ms, 1000 * ms, 1125 * ms})
	if n := strings.Count(log.String(), "cannot set output"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, log.String())
	}
	if !strings.Contains(log.String(), "function=led_ready pin=P_BROKEN err=\"input/output error\"") {
		t.Errorf("log:\n%s", log.String())
	}
	led.broken.Store(false)
	r.fire(1125 * ms)
	r.armed(1250 * ms)
	if led.Read() != gpio.Low {
		t.Error("LED not off after the line recovered")
	}
}

func TestEventQueueBounded(t *testing.T) {
	r := openRig(t, allPins())
	var log syncBuffer
	p, err := Open(Options{Pins: allPins(), ByName: r.byName, Clock: r.clk, Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	r.p = p
	r.run()
	level := gpio.Low
	for i := range maxQueued + 2 {
		level = !level
		at := time.Duration(i) * time.Second
		r.edge(at, "presence", level)
		r.fire(at + 30*ms)
		r.sync() // the event is queued
	}
	// The first two, PresenceOn and PresenceOff, were dropped.
	r.want(PresenceOn, "", 2*time.Second+30*ms, 0)
	if n := strings.Count(log.String(), "dropping the oldest"); n != 2 {
		t.Errorf("%d warnings, want 2:\n%s", n, log.String())
	}
}

// TestIdleInputsWaitUntilHalted checks that an idle panel waits for its
// inputs' edges without a short timeout to look at its context, and that
// Run ends the waits by halting the pins. The pins here wait for ever,
// whatever timeout they are given, so a Run that polled its context
// between waits would never return; and each loses the first halt, as
// gpioioctl loses one that comes just before a wait starts.
func TestIdleInputsWaitUntilHalted(t *testing.T) {
	r := openRig(t, allPins())
	inputs := []string{"help", "tech", "presence"}
	for _, key := range inputs {
		r.pin(key).endless = true
		r.pin(key).loseHalts = 1
	}
	r.run()
	// A press ends a wait with an edge, and the next waits are as long.
	r.edge(0, "help", down)
	r.fire(30 * ms)
	r.armed(2000 * ms)
	r.edge(200*ms, "help", up)
	r.fire(230 * ms)
	r.want(Pressed, "help", 230*ms, 200*ms)
	for _, key := range inputs {
		poll(t, key+" to wait for an edge", func() bool { w, _ := r.pin(key).waiting(); return w })
		_, waits := r.pin(key).waiting()
		for _, d := range waits {
			if d < time.Minute {
				t.Errorf("%s: waited for an edge %v at a time; want a minute or more, so that an idle panel does not wake to poll", key, d)
			}
		}
	}
	if err := r.stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	for _, key := range inputs {
		p := r.pin(key)
		p.mu.Lock()
		if p.halts < 2 {
			t.Errorf("%s halted %d times; want it halted again after the lost halt", key, p.halts)
		}
		p.mu.Unlock()
	}
}

// TestRunAgainAfterHalt checks that the inputs are set up again for a
// second Run, as halting a sysfs line turns its edge detection off.
func TestRunAgainAfterHalt(t *testing.T) {
	r := runRig(t, allPins())
	r.edge(0, "help", down)
	if err := r.stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("first Run: %v", err)
	}
	if err := r.pin("help").In(gpio.Float, gpio.NoEdge); err != nil { // as sysfs's Halt leaves it
		t.Fatal(err)
	}
	r.run()
	poll(t, "the second Run to wait for help's edges", func() bool { w, _ := r.pin("help").waiting(); return w })
	if got := r.pin("help").Pull(); got != gpio.PullUp {
		t.Errorf("help's pull after a second Run = %v; want %v", got, gpio.PullUp)
	}
	r.edge(100*ms, "help", down)
	r.fire(130 * ms)
	r.armed(2100 * ms) // a long press, timed from the edge
}
