package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/panel"
	"github.com/gridkiosk/gridkiosk/drivers/panel/panelsim"
	"github.com/gridkiosk/gridkiosk/internal/fakeclock"
)

// simProbe is a probe of a simulated panel whose relay is not configured
// and whose presence sensor is on a pin the board does not have.
func simProbe() (gpioProbe, *panelsim.Panel) {
	sim := panelsim.New()
	pins := sim.Pins()
	pins.Relay = ""
	pins.Presence = "GPIO99"
	return gpioProbe{pins: pins, byName: sim.ByName, config: "station.toml", timeout: time.Minute,
		known: func() []string { return []string{"SIM_HELP", "SIM_TECH"} }}, sim
}

func TestProbeGPIOTable(t *testing.T) {
	o, _ := simProbe()
	var out bytes.Buffer
	if err := o.run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"FUNCTION", "PIN", "STATE", "LEVEL"},
		{"button_help", "SIM_HELP", "enabled", "High", "(released)"},
		{"button_tech", "SIM_TECH", "enabled", "High", "(released)"},
		{"led_ready", "SIM_LED_READY", "enabled", "Low", "(off)"},
		{"led_offline", "SIM_LED_OFFLINE", "enabled", "Low", "(off)"},
		{"led_attention", "SIM_LED_ATTENTION", "enabled", "Low", "(off)"},
		{"led_busy", "SIM_LED_BUSY", "enabled", "Low", "(off)"},
		{"buzzer", "SIM_BUZZER", "enabled", "Low", "(silent)"},
		{"presence", "GPIO99", "not", "found", "on", "this", "board"},
		{"relay", "-", "not", "configured"},
		{"#", "pins", "not", "found", "on", "this", "board", "are", "disabled;", "it", "has:", "SIM_HELP", "SIM_TECH"},
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", out.String())
	}
	for i, l := range lines {
		if got := strings.Fields(l); strings.Join(got, " ") != strings.Join(want[i], " ") {
			t.Errorf("line %d = %q, want %q", i, got, want[i])
		}
	}

	o.json = true
	out.Reset()
	if err := o.run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	var res struct{ Functions []probedFunction }
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if len(res.Functions) != 9 || res.Functions[0] != (probedFunction{"button_help", "SIM_HELP", "enabled", "High", false, "released"}) ||
		res.Functions[8] != (probedFunction{Function: "relay", State: "not configured"}) {
		t.Errorf("JSON functions = %+v", res.Functions)
	}
}

func TestProbeGPIOWatch(t *testing.T) {
	o, sim := simProbe()
	o.watch = true
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- o.run(ctx, &out) }()
	waitOutput(t, &out, "# watching for 1m0s")
	sim.Press("help", 150*time.Millisecond)
	waitOutput(t, &out, "button_help  pressed (held ")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("probe: %v", err)
	}
}

func waitOutput(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in output:\n%s", want, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestProbeGPIOBlink(t *testing.T) {
	o, sim := simProbe()
	t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	clk := fakeclock.New(t0)
	o.clock, o.blink = clk, "led_attention"
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- o.run(context.Background(), &out) }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := clk.WaitFor(ctx, t0.Add(blinkFor)); err != nil {
		t.Fatal(err)
	}
	if err := clk.WaitFor(ctx, t0.Add(500*time.Millisecond)); err != nil { // the LED's first change
		t.Fatal(err)
	}
	if leds := sim.LEDs(); !leds["attention"] || leds["ready"] {
		t.Errorf("LEDs while blinking: %v", leds)
	}
	clk.Advance(blinkFor)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sim.LEDs()["attention"] {
		t.Error("LED still lit after the probe")
	}
	if !strings.Contains(out.String(), "# blinking led_attention (SIM_LED_ATTENTION) for 5s") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestProbeGPIOErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*gpioProbe)
		want   string
	}{
		{"unknown LED", func(o *gpioProbe) { o.blink = "green" },
			`probe gpio: --blink: no LED called "green"; use ready, offline, attention or busy`},
		{"LED without pin", func(o *gpioProbe) { o.blink = "busy"; o.pins.LEDBusy = "" },
			"probe gpio: led_busy has no pin; name it as gpio.led_busy in station.toml"},
		{"buzzer not on the board", func(o *gpioProbe) { o.beep = true; o.pins.Buzzer = "GPIO40" },
			`probe gpio: buzzer: this board has no pin "GPIO40"; fix gpio.buzzer in station.toml`},
		{"nothing to watch", func(o *gpioProbe) { o.watch = true; o.pins.Help, o.pins.Tech = "", "" },
			"probe gpio: --watch: no button or presence sensor to watch"},
		{"pin busy", func(o *gpioProbe) { o.pins.Help = "SIM_LED_READY" }, // an output: no edges to watch
			"probe gpio: panel: button_help SIM_LED_READY: gpiotest: please set p.EdgesChan first; is the kiosk (gridkiosk run or serve) still running?"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, _ := simProbe()
			tt.change(&o)
			err := o.run(context.Background(), new(bytes.Buffer))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want %s", err, tt.want)
			}
		})
	}
}

func TestProbeGPIOCommandLine(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.toml")
	for _, tt := range []struct {
		args  []string
		want  string
		usage bool
	}{
		{[]string{"--blink", "green"}, `no LED called "green"`, true},
		{[]string{"--timeout", "0s"}, "want a positive duration", true},
		{[]string{"extra"}, `unexpected argument "extra"`, true},
		{[]string{"--config", missing}, "cannot read config file: no such file or directory (give the station's config with --config FILE)", false},
	} {
		err := probeGPIO(context.Background(), tt.args, new(bytes.Buffer))
		var ue usageError
		if err == nil || !strings.Contains(err.Error(), tt.want) || errors.As(err, &ue) != tt.usage {
			t.Errorf("probe gpio %q: %v, want %s", tt.args, err, tt.want)
		}
	}
}

// The probe's events are the driver's, printed as they come.
func TestPrintEvent(t *testing.T) {
	at := time.Date(2025, 3, 1, 8, 0, 1, 500e6, time.UTC)
	var out bytes.Buffer
	printEvent(&out, panel.Event{Kind: panel.Pressed, Button: "tech", At: at, Held: 120 * time.Millisecond}, false)
	printEvent(&out, panel.Event{Kind: panel.PresenceOn, At: at}, false)
	printEvent(&out, panel.Event{Kind: panel.LongPressed, Button: "help", At: at, Held: 2 * time.Second}, true)
	want := "08:00:01.500  button_tech  pressed (held 120ms)\n" +
		"08:00:01.500  presence     presence-on\n" +
		`{"event":"long-pressed","function":"button_help","held_ms":2000,"time":"2025-03-01T08:00:01.5Z"}` + "\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
