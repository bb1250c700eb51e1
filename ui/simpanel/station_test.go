package simpanel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/demo"
	"github.com/gridkiosk/gridkiosk/drivers/gpio"
	"github.com/gridkiosk/gridkiosk/drivers/gpio/gpiosim"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
)

// emulators is a Simulator made of the real device emulators, as the
// simulation in cmd/gridkiosk is, without its hub: a station with no
// upstream issues no codes and has no network to cut.
type emulators struct {
	reader  *idcardsim.Reader
	prn     *printersim.Printer
	scanner *qrscansim.Scanner
	panel   *gpiosim.Panel
}

var errNoHub = errors.New("no hub in this test")

func (e *emulators) LayCard(key string) error {
	c, ok := idcardsim.Card(key)
	if !ok {
		return fmt.Errorf("no demo card %q", key)
	}
	e.reader.Lay(c)
	return nil
}
func (e *emulators) LiftCard() { e.reader.Lift() }
func (e *emulators) SetPrinter(paperOut, nearEnd, coverOpen, offline bool) {
	e.prn.Set(printersim.State{PaperOut: paperOut, PaperNearEnd: nearEnd, CoverOpen: coverOpen, Offline: offline})
}
func (e *emulators) ScanCode(data, aim string) error {
	return e.scanner.Scan(data, qrscansim.How{AIM: aim})
}
func (e *emulators) IssueCode(string) (string, error) { return "", errNoHub }
func (e *emulators) PressButton(button string, hold time.Duration) error {
	e.panel.Press(button, hold)
	return nil
}
func (e *emulators) SetPresence(on bool)   { e.panel.Presence(on) }
func (e *emulators) SetNetwork(bool) error { return errNoHub }
func (e *emulators) PanelOutputs() map[string]any {
	return map[string]any{"leds": e.panel.LEDs(), "buzzer": e.panel.Buzzer(), "beeps": e.panel.Beeps(), "relay": e.panel.Relay()}
}

// station starts a real demo station on the emulators.
func station(t *testing.T) (*appliance.Station, *emulators) {
	t.Helper()
	dir := t.TempDir()
	e := &emulators{prn: printersim.New(), panel: gpiosim.New()}
	t.Cleanup(func() { e.prn.Close() })
	line, err := e.prn.ServePTY(dir, "printer", 115200)
	if err != nil {
		t.Fatal(err)
	}
	if e.reader, err = idcardsim.New(dir, "idcard", 115200); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.reader.Close() })
	if e.scanner, err = qrscansim.New(dir, "scanner", 9600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.scanner.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	pnl, err := gpio.Open(gpio.Options{Pins: e.panel.Pins(), ByName: e.panel.ByName, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	cfg := demo.Config(filepath.Join(dir, "data"), "", "")
	cfg.Devices.IDCard.Port = e.reader.Path()
	cfg.Devices.Printer.Port = line.Path()
	cfg.Devices.Scanner.Port, cfg.Devices.Scanner.Baud = e.scanner.Path(), 9600
	st, err := appliance.New(appliance.Options{Config: cfg, Log: quiet, Panel: pnl,
		NTPSynced: func() bool { return false }, IDCard: idcard.Options{Poll: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait(); st.Close(); pnl.Close() })
	// A code sent before the scanner's driver opened its line is lost,
	// as on a real serial line.
	waitFor(t, "the devices ready", func() bool {
		ps := st.Health().Peripherals
		return ps["scanner"].State == "ready" && ps["idcard"].State == "ready"
	})
	return st, e
}

// The panel's keys drive a real station through the device emulators: a
// card laid on the pty reader opens a session, and so on.
func TestDrivesStation(t *testing.T) {
	st, e := station(t)
	p := New(e, st, "zh-CN")
	show(t, p.Content(), fyne.NewSize(1280, 800))

	p.tap("card:resident")
	waitFor(t, "a card session", func() bool { return st.Session().State == appliance.SessionCard })
	if v := st.Session(); v.Person == nil || v.Person.Name != "王秀兰" {
		t.Fatalf("session %+v", v)
	}
	p.Refresh()
	if s := onScreen(p.Content()); !strings.Contains(s, "会话：card（卡在阅读器上）") {
		t.Errorf("status:\n%s", s)
	}
	p.tap("lift")
	waitFor(t, "the card lifted", func() bool { return !st.Session().CardOnReader })

	// The station asks an idle printer how it is every few seconds; the
	// emulator's sensors are what the keys set.
	for _, tc := range []struct {
		key  string
		want printersim.State
	}{
		{"printer:paper", printersim.State{PaperOut: true}},
		{"printer:cover", printersim.State{CoverOpen: true}},
		{"printer:ok", printersim.State{}},
	} {
		p.tap(tc.key)
		if got := e.prn.State(); got != tc.want {
			t.Errorf("%s: printer %+v, want %+v", tc.key, got, tc.want)
		}
	}

	raw, _ := json.Marshal(map[string]any{"category": "repair", "description": "7号楼楼道灯不亮"})
	rc, err := st.Submit(t.Context(), appliance.Submission{Kind: "matter", Payload: raw})
	if err != nil {
		t.Fatal(err)
	}
	p.tap("code:receipt")
	waitFor(t, "the receipt code read", func() bool { s := st.LastScan(); return s != nil && s.RecordID == rc.ID })
	p.tap("code:other")
	waitFor(t, "the other code read", func() bool { s := st.LastScan(); return s != nil && s.Kind == "unknown" })

	p.tap("help")
	waitFor(t, "the help request", func() bool { return st.Panel().HelpSince != nil })
	waitFor(t, "the call bell lamp", func() bool {
		p.Refresh()
		return p.lamps.dots["relay"].FillColor == outputs()[5].lit && p.lamps.dots["ready"].FillColor == outputs()[0].lit
	})

	p.tap("presence")
	waitFor(t, "someone at the kiosk", func() bool { return st.Panel().Presence })

	p.tap("code:staff")
	if !strings.Contains(p.result.Text, errNoHub.Error()) {
		t.Errorf("a code without a hub: %q", p.result.Text)
	}
}
