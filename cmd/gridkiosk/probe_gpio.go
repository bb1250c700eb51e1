package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
)

// blinkFor is how long --blink blinks, long enough to walk round to the
// front of the kiosk.
const blinkFor = 5 * time.Second

// probeGPIO shows the pins of the station's config and what is on them,
// and on request watches the inputs, blinks an LED or beeps.
func probeGPIO(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("probe gpio", flag.ContinueOnError)
	cfgPath := fs.String("config", config.DefaultPath, "configuration file whose [gpio] section names the pins")
	watch := fs.Bool("watch", false, "print each button press and presence change until the timeout")
	blink := fs.String("blink", "", "blink an LED for a few seconds: ready, offline, attention or busy")
	beep := fs.Bool("beep", false, "play the OK beep")
	asJSON := fs.Bool("json", false, "print JSON")
	timeout := fs.Duration("timeout", 60*time.Second, "how long --watch watches")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("probe gpio: unexpected argument %q", fs.Arg(0))}
	}
	o := gpioProbe{watch: *watch, blink: *blink, beep: *beep, json: *asJSON, timeout: *timeout, config: *cfgPath}
	if err := o.check(); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return fmt.Errorf("probe gpio: %w (give the station's config with --config FILE)", err)
	}
	if _, err := host.Init(); err != nil {
		return fmt.Errorf("probe gpio: host.Init: %w; is this a Raspberry Pi or a board with /dev/gpiochip*? run as root or add the user to the gpio group", err)
	}
	o.pins = pinsOf(cfg.GPIO)
	o.byName = gpioreg.ByName
	o.known = func() []string {
		var names []string
		for _, p := range gpioreg.All() {
			names = append(names, p.Name())
		}
		return names
	}
	// The table says which functions are disabled; the log is for what
	// goes wrong while watching.
	o.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	return o.run(ctx, stdout)
}

// gpioProbe is what probe gpio does, apart from finding the pins, so that
// tests can run it on simulated pins and a fake clock.
type gpioProbe struct {
	pins   panel.Pins
	byName func(string) gpio.PinIO
	clock  panel.Clock     // nil: real time
	log    *slog.Logger    // nil: discard
	known  func() []string // the board's pin names, for hints; may be nil
	config string          // the config file, for messages

	watch, beep, json bool
	blink             string
	timeout           time.Duration
}

// check rejects flags that are wrong whatever the board.
func (o gpioProbe) check() error {
	if o.blink != "" {
		if _, ok := ledByName(o.blink); !ok {
			return usageError{fmt.Sprintf("probe gpio: --blink: no LED called %q; use ready, offline, attention or busy", o.blink)}
		}
	}
	if o.timeout <= 0 {
		return usageError{fmt.Sprintf("probe gpio: --timeout %v: want a positive duration, e.g. 60s", o.timeout)}
	}
	return nil
}

// ledByName finds an LED by its name, "ready", or its config key,
// "led_ready".
func ledByName(name string) (panel.LED, bool) {
	for _, l := range panel.LEDs() {
		if name == l.String() || name == "led_"+l.String() {
			return l, true
		}
	}
	return 0, false
}

func (o gpioProbe) run(ctx context.Context, stdout io.Writer) error {
	if err := o.check(); err != nil {
		return err
	}
	log := o.log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pnl, err := panel.Open(panel.Options{Pins: o.pins, ByName: o.byName, Clock: o.clock, Log: log})
	if err != nil {
		return fmt.Errorf("probe gpio: %w; is the kiosk (gridkiosk run or serve) still running? stop it first: only one program may use a line", err)
	}
	defer pnl.Close()
	fns := pnl.Functions()
	if err := printFunctions(stdout, fns, o.json); err != nil {
		return err
	}
	if !o.json {
		if h := o.hint(fns); h != "" {
			fmt.Fprintln(stdout, "#", h)
		}
	}
	if !o.watch && !o.beep && o.blink == "" {
		return nil
	}
	return o.exercise(ctx, pnl, fns, stdout)
}

// exercise runs the panel to watch, blink or beep.
func (o gpioProbe) exercise(ctx context.Context, pnl *panel.Panel, fns []panel.Function, stdout io.Writer) error {
	enabled := map[string]panel.Function{}
	for _, f := range fns {
		if f.Enabled {
			enabled[f.Name] = f
		}
	}
	var wait time.Duration
	if o.blink != "" {
		led, _ := ledByName(o.blink)
		if err := o.need(fns, "led_"+led.String()); err != nil {
			return err
		}
		wait = blinkFor
		defer pnl.SetLED(led, panel.Off)
		pnl.SetLED(led, panel.BlinkSlow)
		o.note(stdout, "blinking led_%s (%s) for %v", led, enabled["led_"+led.String()].Pin, blinkFor)
	}
	if o.beep {
		if err := o.need(fns, "buzzer"); err != nil {
			return err
		}
		wait = max(wait, panel.BeepOK.Duration())
		o.note(stdout, "beeping twice on the buzzer (%s)", enabled["buzzer"].Pin)
	}
	if o.watch {
		if enabled["button_help"].Name == "" && enabled["button_tech"].Name == "" && enabled["presence"].Name == "" {
			return fmt.Errorf("probe gpio: --watch: no button or presence sensor to watch; name their pins (gpio.button_help, gpio.button_tech, gpio.presence) in %s", o.config)
		}
		wait = max(wait, o.timeout)
		o.note(stdout, "watching for %v: press the buttons, walk past the sensor (Ctrl-C ends)", o.timeout)
	}
	clock := o.clock
	if clock == nil {
		clock = realClock{}
	}
	end := clock.After(wait)
	ctx, cancel := context.WithCancel(ctx)
	events := make(chan panel.Event, 16)
	done := make(chan error, 1)
	go func() { done <- pnl.Run(ctx, events) }()
	defer func() { cancel(); <-done }()
	if o.beep {
		pnl.Beep(panel.BeepOK) // after Run started: a beep needs Run to play
	}
	for {
		select {
		case <-ctx.Done():
			return nil // the technician has seen enough
		case <-end:
			return nil
		case err := <-done:
			done <- err // for the deferred wait
			return fmt.Errorf("probe gpio: %w", err)
		case e := <-events:
			if o.watch {
				printEvent(stdout, e, o.json)
			}
		}
	}
}

// need fails unless the function key is enabled.
func (o gpioProbe) need(fns []panel.Function, key string) error {
	for _, f := range fns {
		switch {
		case f.Name != key:
		case f.Enabled:
			return nil
		case f.Pin == "":
			return fmt.Errorf("probe gpio: %s has no pin; name it as gpio.%s in %s", key, key, o.config)
		default:
			return fmt.Errorf("probe gpio: %s: this board has no pin %q; fix gpio.%s in %s", key, f.Pin, key, o.config)
		}
	}
	return errors.New("probe gpio: no function " + key)
}

// note prints a remark for the technician; in JSON it would spoil the
// output.
func (o gpioProbe) note(w io.Writer, format string, args ...any) {
	if !o.json {
		fmt.Fprintf(w, "# "+format+"\n", args...)
	}
}

// hint says what to do about pins that are missing.
func (o gpioProbe) hint(fns []panel.Function) string {
	configured, missing := 0, 0
	for _, f := range fns {
		if f.Pin != "" {
			configured++
		}
		if f.Pin != "" && !f.Enabled {
			missing++
		}
	}
	switch {
	case configured == 0:
		return fmt.Sprintf("no pins configured: name them in the [gpio] section of %s", o.config)
	case missing == 0:
		return ""
	}
	var known []string
	if o.known != nil {
		known = o.known()
	}
	if len(known) == 0 {
		return "this board offers no GPIO pins: is there a /dev/gpiochip*, and may this user open it? run as root or add the user to the gpio group"
	}
	const most = 60
	list := strings.Join(known[:min(len(known), most)], " ")
	if len(known) > most {
		list += " …"
	}
	return fmt.Sprintf("pins not found on this board are disabled; it has: %s", list)
}

// probedFunction is a panel.Function as probe gpio --json prints it.
type probedFunction struct {
	Function string `json:"function"`
	Pin      string `json:"pin"`
	State    string `json:"state"`
	Level    string `json:"level,omitempty"`
	Active   bool   `json:"active"`
	Meaning  string `json:"meaning,omitempty"`
}

func describe(f panel.Function) probedFunction {
	p := probedFunction{Function: f.Name, Pin: f.Pin, State: "enabled"}
	switch {
	case f.Pin == "":
		p.State = "not configured"
		return p
	case !f.Enabled:
		p.State = "not found on this board"
		return p
	}
	p.Level, p.Active = f.Level.String(), f.Active
	words := map[string][2]string{"button_help": {"released", "pressed"}, "button_tech": {"released", "pressed"},
		"presence": {"no one", "someone"}, "buzzer": {"silent", "sounding"}, "relay": {"open", "closed"}}[f.Name]
	if words[0] == "" {
		words = [2]string{"off", "lit"}
	}
	p.Meaning = words[0]
	if f.Active {
		p.Meaning = words[1]
	}
	return p
}

func printFunctions(w io.Writer, fns []panel.Function, asJSON bool) error {
	ps := make([]probedFunction, len(fns))
	for i, f := range fns {
		ps[i] = describe(f)
	}
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"functions": ps})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FUNCTION\tPIN\tSTATE\tLEVEL")
	for _, p := range ps {
		pin, level := p.Pin, p.Level
		if pin == "" {
			pin = "-"
		}
		if level != "" {
			level += " (" + p.Meaning + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Function, pin, p.State, level)
	}
	return tw.Flush()
}

func printEvent(w io.Writer, e panel.Event, asJSON bool) {
	if asJSON {
		json.NewEncoder(w).Encode(map[string]any{"time": e.At.Format(time.RFC3339Nano), "function": e.Function(),
			"event": e.Kind.String(), "held_ms": e.Held.Milliseconds()})
		return
	}
	what := e.Kind.String()
	if e.Button != "" {
		what += fmt.Sprintf(" (held %v)", e.Held.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "%s  %-12s %s\n", e.At.Format("15:04:05.000"), e.Function(), what)
}

// realClock is the panel's default clock, for waits of probe gpio itself.
type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
