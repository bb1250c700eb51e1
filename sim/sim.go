package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/faultnet"
)

// Simulator is the control of the simulated world's devices, network and
// clock, so that headless tests (through Handler) and the control panel
// act on the station the same way.
type Simulator interface {
	LayCard(key string) error
	LiftCard()
	// SetPrinter changes the emulated printer's sensors.
	SetPrinter(paperOut, nearEnd, coverOpen, offline bool)
	// PrinterRunOutAfter runs the emulated printer out of paper once it
	// has printed n more bytes: in the middle of the next receipt.
	PrinterRunOutAfter(n int)
	// LastPrint writes the last printed job as PNG (format "png") or
	// text ("txt"); it returns false when nothing was printed yet.
	LastPrint(w io.Writer, format string) (bool, error)
	// ScanCode has the emulated scanner read a code.
	ScanCode(data, aim string) error
	// IssueCode has the simulated hub sign a demo code of a kind
	// (appointment, appointment-expired, staff).
	IssueCode(kind string) (string, error)
	// PressButton presses a panel button ("help", "tech") for hold.
	PressButton(button string, hold time.Duration) error
	// SetPresence has the presence sensor see someone, or no one.
	SetPresence(on bool)
	// PanelOutputs reports the panel's lamps, buzzer and relay.
	PanelOutputs() map[string]any
	// PanelChanged returns a channel closed at the next change of the
	// panel's lamps, buzzer or relay.
	PanelChanged() <-chan struct{}
	// SetNetwork cuts the network between station and hub, or restores it.
	SetNetwork(up bool) error
	// SetClockSkew moves the simulated board's clock from the host's.
	SetClockSkew(skew time.Duration) error
}

var _ Simulator = (*World)(nil)

// World is the simulated world of one station: its county hub on
// loopback behind a network that can be cut, its emulated devices, its
// board clock, and the demo station's config pointing at them all.
type World struct {
	*Devices // the station's emulated devices
	cfg      *config.Config
	hub      *simHub
	net      *faultnet.Proxy // between the station and its hub
	clock    boardClock      // the simulated board's clock
}

// Start builds the world with its state in dir (the default, for "", is
// ~/.local/state/gridkiosk-sim): the hub's database and code-signing key
// are kept there between runs, the devices' lines are made there. Close
// stops it.
func Start(dir string, log *slog.Logger) (*World, error) {
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("simulate: no --data and no home directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state", "gridkiosk-sim")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	w := &World{}
	if w.hub, err = startHub(filepath.Join(dir, "hub"), filepath.Join(dir, "upstream.token"), log); err != nil {
		return nil, err
	}
	// The station reaches its hub through a proxy, so that the control
	// panel can cut the network and put it back.
	if w.net, err = faultnet.Listen(w.hub.addr, faultnet.Options{Log: log.With("component", "network")}); err != nil {
		w.Close()
		return nil, fmt.Errorf("simulate: network: %w", err)
	}
	w.cfg = demo.Config(filepath.Join(dir, "station"), "http://"+w.net.Addr(), w.hub.tokenFile)
	log.Info("simulate: county hub running", "url", w.cfg.Upstream.URL, "data", dir)
	devDir := filepath.Join(dir, "dev")
	if err := os.MkdirAll(devDir, 0o700); err != nil {
		w.Close()
		return nil, fmt.Errorf("simulate: %w", err)
	}
	// A slow printer, so that paper running out in the middle of a
	// receipt (the control panel, /v1/sim/printer) can be seen.
	w.Devices, err = StartDevices(devDir, w.cfg, DeviceOptions{Readers: true, PrinterSpeed: 2000, Log: log})
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("simulate: %w", err)
	}
	return w, nil
}

// Config is the demo station's config, its devices and hub the world's.
func (w *World) Config() *config.Config { return w.cfg }

// Now is the simulated board's clock, for appliance.Options.Now.
func (w *World) Now() time.Time { return w.clock.Now() }

// SetNetwork cuts the simulated network between the station and its hub
// (connections refused, as with a cable pulled) or restores it.
func (w *World) SetNetwork(up bool) error {
	if up {
		w.net.Heal()
		return nil
	}
	return w.net.Partition(faultnet.PartitionRefuse)
}

// IssueCode has the simulated hub sign a demo code: "appointment" (today's,
// for the demo returnee), "appointment-expired" (yesterday's) or "staff"
// (李建国's badge).
func (w *World) IssueCode(kind string) (string, error) { return w.hub.issueCode(kind) }

// Station is what Seed needs of the simulated station.
type Station interface {
	Health() station.Health
	Submit(ctx context.Context, sub station.Submission) (station.Ack, error)
}

// Seed submits the demo records on a fresh station, so there is something
// to see flow.
func Seed(st Station, log *slog.Logger) error {
	if st.Health().Outbox.LastSeq > 0 {
		return nil
	}
	subs, err := demo.Submissions(time.Now())
	if err != nil {
		return err
	}
	for _, sub := range subs {
		rc, err := st.Submit(context.Background(), sub)
		if err != nil {
			return fmt.Errorf("simulate: demo %s: %w", sub.Kind, err)
		}
		log.Info("simulate: demo record stored", "kind", sub.Kind, "ticket", rc.Ticket)
	}
	return nil
}

// Close stops the devices, the network and the hub.
func (w *World) Close() error {
	var errs []error
	if w.Devices != nil {
		errs = append(errs, w.Devices.Close())
	}
	if w.net != nil {
		errs = append(errs, w.net.Close())
	}
	if w.hub != nil {
		errs = append(errs, w.hub.close())
	}
	return errors.Join(errs...)
}
