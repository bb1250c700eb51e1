package appliance_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// The station reports to a real hub: its community, version and
// devices; and when the printer runs out of paper, a report goes at once,
// not at the next interval (5 min).
func TestHealthReportReachesHub(t *testing.T) {
	dir := t.TempDir()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := &hub.Server{Store: store, Tokens: hub.Tokens{"tok-0123456789abcdef": demo.StationID}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ts := httptest.NewServer(h.Handler())
	defer ts.Close()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("tok-0123456789abcdef\n"), 0o600)
	cfg := demo.Config(filepath.Join(dir, "data"), ts.URL, tokenFile)
	sim := printersim.New()
	t.Cleanup(func() { sim.Close() })
	ln, err := sim.ListenTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Devices.Printer.TCP, cfg.Devices.Printer.Port, cfg.Devices.Printer.USB = ln.Addr().String(), "", ""
	runStation(t, appliance.Options{Config: cfg, Version: "9.9.9", HealthTiming: func(r *upstream.Reporter) {
		r.StartJitter, r.Debounce = time.Millisecond, 50*time.Millisecond
	}})
	latest := func() (wire.Health, int) {
		all, err := store.HealthHistory(demo.StationID, 0)
		if err != nil || len(all) == 0 {
			return wire.Health{}, 0
		}
		return all[0].Report, len(all)
	}
	waitUntil(t, "a report with the printer ready", func() bool {
		r, _ := latest()
		return r.Devices.Printer.State == wire.DeviceReady
	})
	r, _ := latest()
	if r.Community != cfg.Station.Grid.Community || r.Version != "9.9.9" || r.IntervalS != 300 || r.Devices.Printer.Paper != wire.PaperOK {
		t.Fatalf("report: %+v", r)
	}
	sim.Set(printersim.State{PaperOut: true})
	waitUntil(t, "the paper-out report", func() bool {
		r, _ := latest()
		return r.Devices.Printer.Paper == wire.PaperOut
	})
	if r, _ := latest(); r.Devices.Printer.State != wire.DeviceError {
		t.Fatalf("paper out reported as %+v", r.Devices.Printer)
	}
}
