package tech

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/demo"
	"github.com/gridkiosk/gridkiosk/drivers/gpio"
	"github.com/gridkiosk/gridkiosk/drivers/gpio/gpiosim"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/ui"
)

// TestMain makes one test app with the kiosk's theme for all the tests:
// each new theme parses the 4 MB CJK font again, a second under -race.
func TestMain(m *testing.M) {
	test.NewApp().Settings().SetTheme(ui.NewTheme())
	os.Exit(m.Run())
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// rig is a real station of the demo config with its county hub (sync/hub
// with the demo reference data) and every device emulated: the card
// reader, the scanner and the printer on ptys, and the GPIO panel.
type rig struct {
	st      *appliance.Station
	reader  *idcardsim.Reader
	scanner *qrscansim.Scanner
	prn     *printersim.Printer
	panel   *gpiosim.Panel
}

func newRig(t *testing.T) *rig {
	t.Helper()
	dir := t.TempDir()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	rd := demo.RefData()
	hs := &hub.Server{Store: store, Tokens: hub.Tokens{"tok": demo.StationID}, Log: quiet,
		RefData: func(string) ([]byte, error) { return rd, nil }}
	ts := httptest.NewServer(hs.Handler())
	t.Cleanup(ts.Close)
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	r := &rig{prn: printersim.New(), panel: gpiosim.New()}
	t.Cleanup(func() { r.prn.Close() })
	line, err := r.prn.ServePTY(dir, "printer", 115200)
	if err != nil {
		t.Fatal(err)
	}
	if r.reader, err = idcardsim.New(dir, "idcard", 115200); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.reader.Close() })
	if r.scanner, err = qrscansim.New(dir, "scanner", 9600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.scanner.Close() })
	p, err := gpio.Open(gpio.Options{Pins: r.panel.Pins(), ByName: r.panel.ByName, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}

	cfg := demo.Config(filepath.Join(dir, "data"), ts.URL, tokenFile)
	cfg.Devices.Printer.Port = line.Path()
	cfg.Devices.IDCard.Port = r.reader.Path()
	cfg.Devices.Scanner.Port, cfg.Devices.Scanner.Baud = r.scanner.Path(), 9600
	st, err := appliance.New(appliance.Options{Config: cfg, Log: quiet, Panel: p, Version: "test",
		NTPSynced: func() bool { return false },
		IDCard:    idcard.Options{Poll: 20 * time.Millisecond},
		Timing:    appliance.Timing{MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Idle: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait(); st.Close(); p.Close() })
	r.st = st
	return r
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s in 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// show puts o in a window of the given size.
func show(t *testing.T, o fyne.CanvasObject, size fyne.Size) fyne.Window {
	t.Helper()
	w := test.NewTempWindow(t, o)
	w.SetPadded(false)
	w.Resize(size)
	return w
}

// onScreen is every text drawn and visible under o, without spaces or line
// breaks: a label wraps its text in lines.
func onScreen(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch o := o.(type) {
		case *canvas.Text:
			b.WriteString(o.Text + "\n")
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return strings.Join(strings.Fields(b.String()), "")
}

func has(o fyne.CanvasObject, want string) bool {
	return strings.Contains(onScreen(o), strings.Join(strings.Fields(want), ""))
}

// wantOnScreen fails unless every one of want is drawn under o.
func wantOnScreen(t *testing.T, o fyne.CanvasObject, want ...string) {
	t.Helper()
	for _, w := range want {
		if !has(o, w) {
			t.Errorf("%q is not on screen; the screen shows:\n%s", w, onScreen(o))
		}
	}
}

// refreshUntil reads the station again until want is on screen.
func (s *Screen) refreshUntil(t *testing.T, want string) {
	t.Helper()
	waitFor(t, want+" on screen", func() bool { s.Refresh(); return has(s.Content(), want) })
}
