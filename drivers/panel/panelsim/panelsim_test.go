package panelsim

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/panel"
)

const patience = 5 * time.Second

func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func next(t *testing.T, events <-chan panel.Event) panel.Event {
	t.Helper()
	select {
	case e := <-events:
		return e
	case <-time.After(patience):
		t.Fatal("no event")
		return panel.Event{}
	}
}

func TestSimulatedPanel(t *testing.T) {
	sim := New()
	// A long press is 600 ms, far from both presses below: a loaded
	// machine sees an edge late by tens of milliseconds, and a margin of
	// 50 ms made a short press long now and then.
	p, err := panel.Open(panel.Options{Pins: sim.Pins(), ByName: sim.ByName, LongPress: 600 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Functions() {
		if !f.Enabled {
			t.Errorf("%s (%s) disabled", f.Name, f.Pin)
		}
	}
	if sim.ByName("GPIO17") != nil {
		t.Error("ByName found a pin the simulator does not have")
	}
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan panel.Event, 8)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, events) }()

	sim.Press("help", 150*time.Millisecond)
	if e := next(t, events); e.Kind != panel.Pressed || e.Button != "help" || e.Held < 100*time.Millisecond {
		t.Errorf("event %v, want help pressed", e)
	}
	sim.Press("tech", 1000*time.Millisecond)
	if e := next(t, events); e.Kind != panel.LongPressed || e.Button != "tech" {
		t.Errorf("event %v, want tech long-pressed", e)
	}
	sim.Presence(true)
	if e := next(t, events); e.Kind != panel.PresenceOn {
		t.Errorf("event %v, want presence on", e)
	}
	sim.Presence(false)
	if e := next(t, events); e.Kind != panel.PresenceOff {
		t.Errorf("event %v, want presence off", e)
	}

	p.SetLED(panel.LEDOffline, panel.On)
	if leds := sim.LEDs(); !leds["offline"] || leds["ready"] || leds["attention"] || leds["busy"] || len(leds) != 4 {
		t.Errorf("LEDs = %v", leds)
	}
	p.SetLED(panel.LEDReady, panel.BlinkFast)
	poll(t, "the ready LED to blink", func() bool { return !sim.LEDs()["ready"] })
	poll(t, "the ready LED to blink", func() bool { return sim.LEDs()["ready"] })

	p.Beep(panel.BeepOK)
	poll(t, "two beeps", func() bool { return sim.Beeps() == 2 && !sim.Buzzer() })

	if err := p.SetRelay(true); err != nil || !sim.Relay() {
		t.Errorf("SetRelay(true): %v, relay %v", err, sim.Relay())
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if sim.Relay() || sim.LEDs()["offline"] {
		t.Error("outputs on after Close")
	}
	if sim.Beeps() != 2 {
		t.Errorf("Beeps() = %d after Close", sim.Beeps())
	}
}

func TestUnknownButtonIgnored(t *testing.T) {
	sim := New()
	sim.Press("reset", time.Millisecond)
	if len(sim.help.EdgesChan)+len(sim.tech.EdgesChan) != 0 {
		t.Error("an unknown button pressed a known one")
	}
}

// TestHaltEndsAWait checks that an input's wait for ever ends on Halt, as
// the panel relies on to stop without polling, and that an edge still
// ends the next wait.
func TestHaltEndsAWait(t *testing.T) {
	sim := New()
	pin := sim.ByName("SIM_PRESENCE")
	ended := make(chan bool)
	go func() { ended <- pin.WaitForEdge(-1) }()
	deadline := time.After(patience)
	for halted := false; !halted; {
		if err := pin.Halt(); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-ended:
			if got {
				t.Fatal("a halted wait reported an edge")
			}
			halted = true
		case <-time.After(10 * time.Millisecond): // the wait may not have begun
		case <-deadline:
			t.Fatal("Halt did not end the wait")
		}
	}
	sim.Presence(true)
	if !pin.WaitForEdge(-1) || !bool(pin.Read()) {
		t.Error("the wait after a halt missed the presence edge")
	}
}

// Changed tells of an output's change, and only of a change: writing a
// level the pin has already is none.
func TestChangedTellsOfOutputs(t *testing.T) {
	sim := New()
	relay := sim.ByName("SIM_RELAY")
	ch := sim.Changed()
	if err := relay.Out(false); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
		t.Fatal("Changed told of a level the relay had already")
	default:
	}
	if err := relay.Out(true); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	default:
		t.Fatal("Changed said nothing of the relay closing")
	}
	if !sim.Relay() {
		t.Error("the relay is not closed")
	}
}
