package simui

import (
	"context"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/sim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// StationOptions say what differs between the stations tests need.
type StationOptions struct {
	// Hub is the county hub the station sends its records to; nil leaves
	// the station without one, as a kiosk not yet enrolled.
	Hub *Hub
	// Now is the station's clock; nil is the time of day.
	Now func() time.Time
	// Readers adds an emulated ID card reader and QR code scanner to the
	// printer and the panel every station has.
	Readers bool
	// Version is the software version the station reports.
	Version string
}

// Station is a real station of the demo config, running until the test
// ends, with the simulation's emulators on its device lines: the printer
// (and, with StationOptions.Readers, the card reader and the scanner) on
// ptys as on USB serial adapters, and a simulated GPIO panel.
type Station struct {
	Station *appliance.Station
	Hub     *Hub // StationOptions.Hub
	*sim.Devices
}

// NewStation starts a station as opts say. It does not wait for the
// devices or the hub: tests wait for what they need with WaitFor.
func NewStation(t *testing.T, opts StationOptions) *Station {
	t.Helper()
	dir := t.TempDir()
	var hubURL, tokenFile string // none: the station has no upstream
	if opts.Hub != nil {
		hubURL, tokenFile = opts.Hub.URL, opts.Hub.TokenFile
	}
	cfg := demo.Config(filepath.Join(dir, "data"), hubURL, tokenFile)
	devs, err := sim.StartDevices(dir, cfg, sim.DeviceOptions{Readers: opts.Readers, Log: quiet})
	if err != nil {
		t.Fatalf("starting the emulated devices: %v", err)
	}
	closeAtEnd(t, "the emulated devices", devs)
	s := &Station{Hub: opts.Hub, Devices: devs}
	pnl, err := devs.OpenPanel(quiet)
	if err != nil {
		t.Fatalf("opening the simulated panel: %v", err)
	}
	st, err := appliance.New(appliance.Options{Config: cfg, Log: quiet, Now: opts.Now, Panel: pnl, Version: opts.Version,
		// The test machine's clock is whatever it is; the station must
		// not take it as set by a time daemon.
		NTPSynced: func() bool { return false },
		// The card reader's driver looks for a card, and the forwarder
		// retries and idles, in milliseconds rather than the field's
		// half seconds and minutes, so that a test sees a card read or
		// a record delivered soon after it acts.
		IDCard: idcard.Options{Poll: 20 * time.Millisecond},
		Timing: appliance.Timing{MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Idle: 50 * time.Millisecond}})
	if err != nil {
		t.Fatalf("starting the station: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	// Run returns only the context's error, once the test ends.
	wg.Go(func() { _ = st.Run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		if err := st.Close(); err != nil {
			t.Errorf("closing the station: %v", err)
		}
		if err := pnl.Close(); err != nil {
			t.Errorf("closing the simulated panel: %v", err)
		}
	})
	s.Station = st
	return s
}

// closeAtEnd closes c when t ends, and fails t if that fails.
func closeAtEnd(t *testing.T, what string, c io.Closer) {
	t.Helper()
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("closing %s: %v", what, err)
		}
	})
}
