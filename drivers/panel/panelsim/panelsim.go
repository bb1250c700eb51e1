// Package panelsim is a simulated kiosk panel for the kiosk's --simulate
// mode and for tests: gpiotest pins for every function of package panel,
// buttons to press and a presence sensor to trigger, and outputs to look
// at. It runs in real time, as the kiosk does.
//
//	sim := panelsim.New()
//	pnl, err := panel.Open(panel.Options{Pins: sim.Pins(), ByName: sim.ByName})
//	…
//	go sim.Press("help", 100*time.Millisecond)
package panelsim

import (
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/panel"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// edgeBuffer is how many edges an input holds for a driver that is not
// watching yet; beyond it an edge sets the level without being reported.
const edgeBuffer = 64

// Panel is a simulated panel. Its methods are safe for concurrent use.
type Panel struct {
	help, tech, presence *inPin
	leds                 map[string]*outPin // by LED name, e.g. "ready"
	buzzer, relay        *outPin
	byName               map[string]gpio.PinIO

	mu      sync.Mutex
	changed chan struct{} // closed, and replaced, when an output changes
}

// New returns a panel with every function on a pin of its own, named
// "SIM_HELP", "SIM_LED_READY" and so on.
func New() *Panel {
	in := func(name string) *inPin {
		return &inPin{Pin: &gpiotest.Pin{N: name, EdgesChan: make(chan gpio.Level, edgeBuffer)}}
	}
	s := &Panel{changed: make(chan struct{})}
	out := func(name string) *outPin { return &outPin{Pin: &gpiotest.Pin{N: name}, changed: s.outputChanged} }
	s.help, s.tech, s.presence = in("SIM_HELP"), in("SIM_TECH"), in("SIM_PRESENCE")
	s.leds = map[string]*outPin{
		"ready": out("SIM_LED_READY"), "offline": out("SIM_LED_OFFLINE"),
		"attention": out("SIM_LED_ATTENTION"), "busy": out("SIM_LED_BUSY"),
	}
	s.buzzer, s.relay = out("SIM_BUZZER"), out("SIM_RELAY")
	s.byName = map[string]gpio.PinIO{}
	for _, p := range []*inPin{s.help, s.tech, s.presence} {
		s.byName[p.N] = p
	}
	for _, p := range []*outPin{s.leds["ready"], s.leds["offline"], s.leds["attention"], s.leds["busy"], s.buzzer, s.relay} {
		s.byName[p.N] = p
	}
	return s
}

// Pins returns the names of the panel's pins, for panel.Options.
func (s *Panel) Pins() panel.Pins {
	return panel.Pins{Help: s.help.N, Tech: s.tech.N, LEDReady: s.leds["ready"].N, LEDOffline: s.leds["offline"].N,
		LEDAttention: s.leds["attention"].N, LEDBusy: s.leds["busy"].N, Buzzer: s.buzzer.N,
		Presence: s.presence.N, Relay: s.relay.N}
}

// ByName finds one of the panel's pins, for panel.Options; it returns nil
// for any other name, as gpioreg.ByName does.
func (s *Panel) ByName(name string) gpio.PinIO {
	if p, ok := s.byName[name]; ok {
		return p
	}
	return nil
}

// Press presses a button, "help" or "tech", holds it for hold and lets it
// go; it returns when the button is up again. Other names are ignored.
func (s *Panel) Press(button string, hold time.Duration) {
	var p *inPin
	switch button {
	case "help", "button_help":
		p = s.help
	case "tech", "button_tech":
		p = s.tech
	default:
		return
	}
	edge(p, gpio.Low) // the buttons close to ground
	// The hold is timed from when the driver took the press, as a finger
	// is on the button while the driver looks: on a loaded machine the
	// driver may look late, and a press it saw end as it saw it begin
	// would be a bounce to it.
	for deadline := time.Now().Add(pressSeen); len(p.EdgesChan) > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(hold)
	edge(p, gpio.High)
}

// pressSeen bounds how long Press waits for a driver to take a press
// before timing its hold anyway (there may be no driver).
const pressSeen = time.Second

// Presence has the presence sensor see someone (on) or no one.
func (s *Panel) Presence(on bool) {
	edge(s.presence, gpio.Level(on))
}

// edge reports a new level to the driver, which sets it on reading the
// edge; without a driver watching, once the buffer is full, the level is
// set straight away.
func edge(p *inPin, l gpio.Level) {
	select {
	case p.EdgesChan <- l:
	default:
		p.Out(l)
	}
}

// LEDs returns whether each LED is lit, by name: "ready", "offline",
// "attention" and "busy".
func (s *Panel) LEDs() map[string]bool {
	m := make(map[string]bool, len(s.leds))
	for name, p := range s.leds {
		m[name] = bool(p.Read())
	}
	return m
}

// Buzzer reports whether the buzzer sounds.
func (s *Panel) Buzzer() bool { return bool(s.buzzer.Read()) }

// Relay reports whether the relay is closed.
func (s *Panel) Relay() bool { return bool(s.relay.Read()) }

// Beeps returns how many times the buzzer has started sounding: a BeepOK
// counts two.
func (s *Panel) Beeps() int { return s.buzzer.risesSoFar() }

// Changed returns a channel closed at the next change of an output (a
// lamp, the buzzer or the relay), so that what shows them need not poll.
func (s *Panel) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *Panel) outputChanged() {
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// outPin is an output pin that counts its rising edges and tells of each
// change of its level.
type outPin struct {
	*gpiotest.Pin
	changed func()
	mu      sync.Mutex
	high    bool
	rises   int
}

// Out implements gpio.PinOut.
func (p *outPin) Out(l gpio.Level) error {
	p.mu.Lock()
	if bool(l) && !p.high {
		p.rises++
	}
	moved := bool(l) != p.high
	p.high = bool(l)
	p.mu.Unlock()
	err := p.Pin.Out(l)
	if moved {
		p.changed()
	}
	return err
}

func (p *outPin) risesSoFar() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rises
}

// inPin is an input pin whose wait for an edge ends on Halt, as it does in
// periph's GPIO drivers: the panel halts its inputs to stop rather than
// wake every so often to look whether it should (gpiotest's Halt does
// nothing).
type inPin struct {
	*gpiotest.Pin
	mu   sync.Mutex
	halt chan struct{} // closed by Halt to end the wait in progress
}

// WaitForEdge implements gpio.PinIn; a timeout of -1 waits for ever.
func (p *inPin) WaitForEdge(timeout time.Duration) bool {
	halt := make(chan struct{})
	p.mu.Lock()
	p.halt = halt
	p.mu.Unlock()
	var expired <-chan time.Time
	if timeout >= 0 {
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

// Halt implements conn.Resource: it ends the wait for an edge in
// progress, if any.
func (p *inPin) Halt() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.halt != nil {
		close(p.halt)
		p.halt = nil
	}
	return nil
}
