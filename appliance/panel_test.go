package appliance_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
	"github.com/gridkiosk/gridkiosk/drivers/panel/panelsim"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

func simPanel(t *testing.T) (*panelsim.Panel, *panel.Panel) {
	t.Helper()
	sim := panelsim.New()
	p, err := panel.Open(panel.Options{Pins: sim.Pins(), ByName: sim.ByName, LongPress: 300 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return sim, p
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// blinking reports whether an LED changes level within a few periods.
func blinking(sim *panelsim.Panel, led string) bool {
	seen := map[bool]bool{}
	for range 60 {
		seen[sim.LEDs()[led]] = true
		time.Sleep(25 * time.Millisecond)
	}
	return seen[true] && seen[false]
}

// The panel as a resident and a technician meet it: lamps tell the
// station's state, the help button calls staff, the buzzer answers a card,
// the presence sensor is heard.
func TestPanel(t *testing.T) {
	dir := t.TempDir()
	sim, panel := simPanel(t)
	reader, err := idcardsim.New(dir, "idcard", 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	scanner, err := qrscansim.New(dir, "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	defer scanner.Close()
	// A hub that is never there: the offline lamp must say so.
	cfg := demo.Config(filepath.Join(dir, "data"), "http://127.0.0.1:1", filepath.Join(dir, "token"))
	cfg.Devices.IDCard.Port, cfg.Devices.IDCard.Baud = reader.Path(), 115200
	cfg.Devices.Scanner.Port, cfg.Devices.Scanner.Trigger = scanner.Path(), "honeywell"
	st := runStation(t, appliance.Options{Config: cfg, Panel: panel})

	eventually(t, "ready and offline lamps", func() bool { l := sim.LEDs(); return l["ready"] && l["offline"] && !l["busy"] })

	beeps := sim.Beeps()
	c, _ := idcardsim.Card("resident")
	reader.Lay(c)
	eventually(t, "busy lamp with a session", func() bool { return sim.LEDs()["busy"] })
	eventually(t, "a beep for the card", func() bool { return sim.Beeps() > beeps })
	st.CancelSession()
	reader.Lift()
	eventually(t, "busy lamp off", func() bool { return !sim.LEDs()["busy"] })

	sim.Press("help", 150*time.Millisecond)
	eventually(t, "help request", func() bool { return st.Panel().HelpSince != nil })
	// The panel's state is set first and its outputs after, outside its
	// lock: the relay follows the request, not with it.
	eventually(t, "relay (staff call lamp) on after help was pressed", sim.Relay)
	if !blinking(sim, "attention") {
		t.Error("attention lamp does not blink for a help request")
	}
	if h := st.Health(); h.Panel.HelpSince == nil || !h.Panel.Present {
		t.Errorf("healthz panel: %+v", h.Panel)
	}
	st.ClearHelp()
	eventually(t, "help cleared", func() bool { return !sim.Relay() && st.Panel().HelpSince == nil })

	sim.Press("tech", 500*time.Millisecond)
	eventually(t, "technician button", func() bool { return st.Panel().TechAt != nil })

	sim.Presence(true)
	eventually(t, "presence", func() bool { return st.Panel().Presence })
	eventually(t, "scanner triggered by presence", func() bool { return scanner.Triggers() == 1 })
	sim.Presence(false)
	eventually(t, "presence gone", func() bool { return !st.Panel().Presence })
}

// The technician's wiring checks: a beep, and every lamp blinking for a
// while before the lamps show the station again.
func TestPanelSelfTest(t *testing.T) {
	sim, panel := simPanel(t)
	cfg := demo.Config(filepath.Join(t.TempDir(), "data"), "", "")
	st := runStation(t, appliance.Options{Config: cfg, Panel: panel})
	eventually(t, "ready lamp", func() bool { return sim.LEDs()["ready"] })
	beeps := sim.Beeps()
	st.TestBeep()
	eventually(t, "a test beep", func() bool { return sim.Beeps() > beeps })
	st.TestLEDs()
	seen := map[string]map[bool]bool{}
	for range 40 { // 1 s of the 3 s test
		for led, on := range sim.LEDs() {
			if seen[led] == nil {
				seen[led] = map[bool]bool{}
			}
			seen[led][on] = true
		}
		time.Sleep(25 * time.Millisecond)
	}
	for _, led := range []string{"ready", "offline", "attention", "busy"} {
		if !seen[led][true] || !seen[led][false] {
			t.Errorf("%s lamp does not blink in the lamp test", led)
		}
	}
	eventually(t, "lamps back to the station's state", func() bool {
		l := sim.LEDs()
		return l["ready"] && !l["offline"] && !l["busy"] && !blinking(sim, "attention")
	})
}
