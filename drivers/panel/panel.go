package panel

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
)

// Pins names the pin of each function as gpioreg knows it, e.g. "GPIO17".
// An empty name means the station has no such function.
type Pins struct {
	Help, Tech                                  string // buttons, to ground
	LEDReady, LEDOffline, LEDAttention, LEDBusy string
	Buzzer                                      string
	Presence                                    string // PIR sensor output, high while it sees someone
	Relay                                       string
}

// Clock is what the panel needs of time; tests pass a fake.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Options configure a Panel. Only Pins is required.
type Options struct {
	Pins Pins
	// ByName finds a pin; default gpioreg.ByName, for which the caller
	// must have run host.Init. It returns nil for a name it does not know.
	ByName    func(name string) gpio.PinIO
	Clock     Clock         // default: real time
	Debounce  time.Duration // a level must hold this long to count; default 30ms
	LongPress time.Duration // default 2s
	Log       *slog.Logger  // default slog.Default()
}

// ErrNotConfigured is returned for a function the panel has no pin for.
var ErrNotConfigured = errors.New("function not configured")

// ErrClosed is returned by a Panel after Close.
var ErrClosed = errors.New("panel: panel closed")

// Indexes of Panel.lines, in the order of the config keys.
const (
	fnHelp     = 0
	fnTech     = 1
	fnLED      = 2 // numLEDs of them, in LED order
	fnBuzzer   = fnLED + int(numLEDs)
	fnPresence = fnBuzzer + 1
	fnRelay    = fnPresence + 1
	numFns     = fnRelay + 1
)

// line is one function's pin.
type line struct {
	key    string     // config key, e.g. "button_help"
	name   string     // pin name as configured
	pin    gpio.PinIO // nil: the function is disabled
	input  bool
	button string // "help" or "tech" for a button
	// activeLow is true for the buttons, which close to ground against
	// the pull-up; the PIR sensor drives its line high.
	activeLow bool

	// For outputs, guarded by Panel.mu: the level last written, so that
	// patterns write only changes, and whether writing failed, so that a
	// broken line is logged once, not at every blink.
	level   gpio.Level
	failing bool
}

// active reports whether level means pressed, someone there or on.
func (ln *line) active(level gpio.Level) bool { return bool(level) != ln.activeLow }

type ledState struct {
	pat   Pattern
	since time.Time
}

type beepState struct {
	b       Beep
	seg     int       // the segment sounding (even) or silent (odd)
	since   time.Time // when that segment started
	playing bool
}

// Panel is the kiosk's panel of buttons, LEDs, buzzer, presence sensor
// and relay. Its methods are safe for concurrent use.
type Panel struct {
	clock     Clock
	log       *slog.Logger
	debounce  time.Duration
	longPress time.Duration
	wake      chan struct{} // tells Run that an output's pattern changed

	mu      sync.Mutex
	lines   [numFns]line
	leds    [numLEDs]ledState
	beep    beepState
	running bool
	closed  bool
	halted  bool // a Run halted the inputs, which must be set up again
}

// Open finds and configures the panel's pins: the buttons as inputs with
// pull-up, the presence sensor as an input with pull-down, both edges
// watched, and every output low. A function whose pin is not configured
// or not known to the board is disabled and logged; Open fails only for a
// pin that exists but cannot be configured.
func Open(opt Options) (*Panel, error) {
	p := &Panel{clock: opt.Clock, log: opt.Log, debounce: opt.Debounce, longPress: opt.LongPress,
		wake: make(chan struct{}, 1)}
	if p.clock == nil {
		p.clock = realClock{}
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.debounce <= 0 {
		p.debounce = 30 * time.Millisecond
	}
	if p.longPress <= 0 {
		p.longPress = 2 * time.Second
	}
	byName := opt.ByName
	if byName == nil {
		byName = gpioreg.ByName
	}
	pins := opt.Pins
	p.lines = [numFns]line{
		fnHelp:     {key: "button_help", name: pins.Help, input: true, button: "help", activeLow: true},
		fnTech:     {key: "button_tech", name: pins.Tech, input: true, button: "tech", activeLow: true},
		fnLED + 0:  {key: "led_ready", name: pins.LEDReady},
		fnLED + 1:  {key: "led_offline", name: pins.LEDOffline},
		fnLED + 2:  {key: "led_attention", name: pins.LEDAttention},
		fnLED + 3:  {key: "led_busy", name: pins.LEDBusy},
		fnBuzzer:   {key: "buzzer", name: pins.Buzzer},
		fnPresence: {key: "presence", name: pins.Presence, input: true},
		fnRelay:    {key: "relay", name: pins.Relay},
	}
	for i := range p.lines {
		if err := p.setup(&p.lines[i], byName); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// setup looks ln's pin up and configures it.
func (p *Panel) setup(ln *line, byName func(string) gpio.PinIO) error {
	if ln.name == "" {
		p.log.Debug("panel: function not configured", "function", ln.key)
		return nil
	}
	pin := byName(ln.name)
	if pin == nil {
		p.log.Warn("panel: no such pin on this board; function disabled", "function", ln.key, "pin", ln.name)
		return nil
	}
	if err := p.configure(ln, pin); err != nil {
		return err
	}
	ln.pin = pin
	return nil
}

// configure sets pin up for ln's function.
func (p *Panel) configure(ln *line, pin gpio.PinIO) error {
	var err error
	switch {
	case ln.button != "":
		err = pin.In(gpio.PullUp, gpio.BothEdges)
	case ln.input:
		// The pull-down makes an unplugged sensor read as nobody there,
		// rather than as someone there for ever.
		err = pin.In(gpio.PullDown, gpio.BothEdges)
	default:
		err = pin.Out(gpio.Low)
	}
	if err != nil {
		return fmt.Errorf("panel: %s %s: %w", ln.key, ln.name, err)
	}
	return nil
}

// Function describes one of the panel's functions, for a technician.
type Function struct {
	Name    string // the config key, e.g. "button_help" or "led_ready"
	Pin     string // the pin name configured, "" if none
	Enabled bool   // the pin was found and configured
	Input   bool
	// Level is the pin's level: read from the pin for an input, the level
	// last written for an output (reading an output would turn some
	// drivers' lines into inputs).
	Level gpio.Level
	// Active says whether the function is on: a button pressed, someone
	// in front of the sensor, an LED lit, the buzzer sounding, the relay
	// closed.
	Active bool
}

// Functions returns every function of the panel, in config order.
func (p *Panel) Functions() []Function {
	p.mu.Lock()
	defer p.mu.Unlock()
	fs := make([]Function, len(p.lines))
	for i := range p.lines {
		ln := &p.lines[i]
		f := Function{Name: ln.key, Pin: ln.name, Enabled: ln.pin != nil, Input: ln.input}
		switch {
		case ln.pin == nil:
		case ln.input:
			f.Level = ln.pin.Read()
			f.Active = ln.active(f.Level)
		default:
			f.Level, f.Active = ln.level, bool(ln.level)
		}
		fs[i] = f
	}
	return fs
}

// SetLED sets an LED's pattern. The LED takes the pattern's first level
// at once; Run plays the rest. An LED without a pin is ignored.
func (p *Panel) SetLED(l LED, pat Pattern) {
	if l < 0 || l >= numLEDs || pat < Off || pat > Pulse {
		return
	}
	p.mu.Lock()
	if !p.closed {
		now := p.clock.Now()
		p.leds[l] = ledState{pat: pat, since: now}
		lvl, _ := pat.at(0)
		p.write(&p.lines[fnLED+int(l)], lvl)
	}
	p.mu.Unlock()
	p.poke()
}

// Beep plays a beep pattern, cutting short the one playing, if any. It
// does not wait: Run plays the pattern, and a beep asked for while Run is
// not running is lost rather than left sounding.
func (p *Panel) Beep(b Beep) {
	if b.segments() == nil {
		return
	}
	p.mu.Lock()
	if !p.closed && p.lines[fnBuzzer].pin != nil {
		p.beep = beepState{b: b, since: p.clock.Now(), playing: true}
	}
	p.mu.Unlock()
	p.poke()
}

// SetRelay closes (on) or opens the relay.
func (p *Panel) SetRelay(on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ln := &p.lines[fnRelay]
	switch {
	case p.closed:
		return ErrClosed
	case ln.pin == nil:
		return fmt.Errorf("panel: relay: %w", ErrNotConfigured)
	}
	if err := ln.pin.Out(gpio.Level(on)); err != nil {
		return fmt.Errorf("panel: relay %s: %w", ln.name, err)
	}
	ln.level = gpio.Level(on)
	return nil
}

// Close sets every output low. The pins stay configured, so a line does
// not float and flicker an LED or click the relay; Run should have
// returned.
func (p *Panel) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	var errs []error
	for i := range p.lines {
		ln := &p.lines[i]
		if ln.pin == nil || ln.input {
			continue
		}
		if err := ln.pin.Out(gpio.Low); err != nil {
			errs = append(errs, fmt.Errorf("panel: %s %s: %w", ln.key, ln.name, err))
			continue
		}
		ln.level = gpio.Low
	}
	return errors.Join(errs...)
}

// write sets an output to l if it is not there already. The caller holds
// p.mu.
func (p *Panel) write(ln *line, l gpio.Level) {
	if ln.pin == nil || ln.level == l {
		return
	}
	if err := ln.pin.Out(l); err != nil {
		if !ln.failing {
			p.log.Warn("panel: cannot set output", "function", ln.key, "pin", ln.name, "err", err)
		}
		ln.failing = true
		return
	}
	ln.failing = false
	ln.level = l
}

// poke wakes Run to look at the outputs' patterns again.
func (p *Panel) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}
