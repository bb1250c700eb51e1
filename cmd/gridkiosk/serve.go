package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/adminapi"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/drivers/gpio"
	"github.com/gridkiosk/gridkiosk/drivers/gpio/gpiosim"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/printer/escposview"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/internal/connguard"
	"github.com/gridkiosk/gridkiosk/internal/sdnotify"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/faultnet"
	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// options are the flags run and serve share.
type options struct {
	config   string
	simulate bool
	data     string
	skew     string
	admin    string
}

func parseFlags(name string, args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&o.config, "config", config.DefaultPath, "configuration file")
	fs.BoolVar(&o.simulate, "simulate", false, "run with a local hub and demo data, no hardware needed")
	fs.StringVar(&o.data, "data", "", "with --simulate: data directory (default ~/.local/state/gridkiosk-sim)")
	fs.StringVar(&o.skew, "clock-skew", "", "with --simulate: the simulated board's clock this far from the hub's (8h, -3d, +1y)")
	fs.StringVar(&o.admin, "admin", "", "listen address of the admin API, overriding admin.listen")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Sprintf("%s: unexpected argument %q", name, fs.Arg(0))}
	}
	if o.skew != "" && !o.simulate {
		return o, usageError{fmt.Sprintf("%s: --clock-skew needs --simulate (a real station's clock is its board's)", name)}
	}
	if _, err := parseSkew(o.skew); err != nil {
		return o, usageError{fmt.Sprintf("%s: --clock-skew: %v", name, err)}
	}
	return o, nil
}

// appliance is a started station with its admin API and, in simulation,
// its local hub.
type app struct {
	st      *appliance.Station
	log     *slog.Logger
	admin   *http.Server
	adminLn net.Listener
	sim     *simulation
	panel   *gpio.Panel // nil without one
	// screenAlive checks the screen's event loop in run; nil in serve,
	// which has no screen.
	screenAlive func(context.Context) error
}

// start loads the config (or builds the simulation's) and opens the
// station. Nothing runs until run is called.
func start(o options, log *slog.Logger) (*app, error) {
	a := &app{log: log}
	var cfg *config.Config
	if o.simulate {
		sim, err := startSimulation(o.data, log)
		if err != nil {
			return nil, err
		}
		a.sim, cfg = sim, sim.cfg
		skew, _ := parseSkew(o.skew) // checked by parseFlags
		if err := sim.SetClockSkew(skew); err != nil {
			a.closeSim()
			return nil, err
		}
	} else {
		var err error
		if cfg, err = config.Load(o.config); err != nil {
			return nil, fmt.Errorf("configuration %s:\n%w\n(run \"gridkiosk config check --config %s\" after fixing it)", o.config, err, o.config)
		}
	}
	if o.admin != "" {
		cfg.Admin.Listen = o.admin
		if err := cfg.Validate(); err != nil {
			a.closeSim()
			return nil, fmt.Errorf("--admin %s: %w", o.admin, err)
		}
	}
	opt := appliance.Options{Config: cfg, Log: log, Version: version}
	if a.sim != nil {
		opt.Now = a.sim.clock.Now
		opt.NTPSynced = func() bool { return false }
	}
	if a.panel = openPanel(cfg, a.sim, log); a.panel != nil {
		opt.Panel = a.panel
	}
	st, err := appliance.New(opt)
	if err != nil {
		a.close()
		return nil, err
	}
	a.st = st
	token, err := adminapi.LoadOrCreateToken(cfg.Storage.Dir)
	if err != nil {
		a.close()
		return nil, err
	}
	a.adminLn, err = net.Listen("tcp", cfg.Admin.Listen)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("admin API: listen on %s (admin.listen): %w; is another gridkiosk running?", cfg.Admin.Listen, err)
	}
	var sim adminapi.Simulator
	if a.sim != nil {
		sim = a.sim
	}
	a.admin, a.adminLn = adminLimits().Server(adminapi.Handler(st, token, sim), a.adminLn, log.With("component", "admin"))
	if a.sim != nil {
		if err := a.sim.seed(st, log); err != nil {
			a.close()
			return nil, err
		}
	}
	return a, nil
}

// adminLimits are what the admin API allows each connection. Its clients
// are the kiosk's own screens and a few staff tools, on a board with a
// modest file limit: 256 connections, the longest-waiting idle or slow
// ones closed first when more come; a header within 10 s, a request
// within 30 s, an answer (a receipt printed) within 1 min, keep-alive
// idling for 1 min.
func adminLimits() connguard.Limits {
	return connguard.Limits{
		MaxConns:          connguard.FitFileLimit(256),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// run serves until ctx ends, then stops everything and waits for it.
func (a *app) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Go(func() {
		if err := a.admin.Serve(a.adminLn); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("admin API: %w", err)
			cancel()
		}
	})
	wg.Go(func() { a.st.Run(ctx) })
	cfg := a.st.Config()
	a.log.Info("gridkiosk: station running", "station", cfg.Station.ID, "admin", a.adminLn.Addr().String(),
		"data", cfg.Storage.Dir, "upstream", config.RedactURL(cfg.Upstream.URL), "version", version)
	// Under systemd (Type=notify, WatchdogSec) the unit waits for this,
	// and the watchdog is fed only while the station's loops answer.
	stopNotify := sdnotify.Ready(a.log, "station running", a.alive)
	<-ctx.Done()
	stopNotify()
	shut, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	a.admin.Shutdown(shut)
	wg.Wait()
	a.close()
	a.log.Info("gridkiosk: stopped")
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// alive is the liveness check that earns each watchdog ping: the
// station's loops and, in run, the screen's. The two run side by side, so
// that one slow to answer does not use up the other's time and get it
// named too.
func (a *app) alive(ctx context.Context) error {
	if a.screenAlive == nil {
		return a.st.Alive(ctx)
	}
	screen := make(chan error, 1)
	go func() { screen <- a.screenAlive(ctx) }()
	return errors.Join(a.st.Alive(ctx), <-screen)
}

func (a *app) close() {
	if a.st != nil {
		if err := a.st.Close(); err != nil {
			a.log.Error("gridkiosk: close station", "err", err)
		}
	}
	if a.panel != nil {
		a.panel.Close()
	}
	a.closeSim()
}

func (a *app) closeSim() {
	if a.sim != nil {
		a.sim.close()
	}
}

func cmdServe(ctx context.Context, args []string, log *slog.Logger) error {
	o, err := parseFlags("serve", args)
	if err != nil {
		return err
	}
	a, err := start(o, log)
	if err != nil {
		return err
	}
	return a.run(ctx)
}

// simulation is an in-process county hub on loopback with the demo
// station's config pointing at it.
type simulation struct {
	cfg     *config.Config
	store   *hub.BoltStore
	srv     *http.Server
	done    chan struct{}
	reader  *idcardsim.Reader
	printer *printersim.Printer
	scanner *qrscansim.Scanner
	signer  signedcode.Signer
	panel   *gpiosim.Panel
	net     *faultnet.Proxy // between the station and its hub
	clock   boardClock      // the simulated board's clock
}

// SetNetwork cuts the simulated network between the station and its hub
// (connections refused, as with a cable pulled) or restores it.
func (s *simulation) SetNetwork(up bool) error {
	if up {
		s.net.Heal()
		return nil
	}
	return s.net.Partition(faultnet.PartitionRefuse)
}

// simCodeKey loads (or makes, on the first run) the simulated hub's
// code-signing key and returns the demo reference data carrying it.
func simCodeKey(path string) (signedcode.Signer, []byte, error) {
	signer, err := signedcode.LoadSigner(path)
	if errors.Is(err, os.ErrNotExist) {
		signer, err = signedcode.NewSignerFile(path, "sim-hub")
	}
	if err != nil {
		return signer, nil, fmt.Errorf("simulate: %w", err)
	}
	rd, err := signedcode.AttachKeys(demo.RefData(), signer.ForStation(demo.StationID))
	if err != nil {
		return signer, nil, fmt.Errorf("simulate: %w", err)
	}
	return signer, rd, nil
}

// IssueCode has the simulated hub sign a demo code: "appointment" (today's,
// for the demo returnee), "appointment-expired" (yesterday's) or "staff"
// (李建国's badge).
func (s *simulation) IssueCode(kind string) (string, error) {
	day := time.Now().In(time.FixedZone("CST", 8*3600))
	switch kind {
	case "appointment", "appointment-expired":
		if kind != "appointment" {
			day = day.AddDate(0, 0, -1)
		}
		a, err := demo.Appointment(day.Format(time.DateOnly))
		if err != nil {
			return "", err
		}
		return s.signer.Appointment(a)
	case "staff":
		return s.signer.Staff(demo.StaffBadge(time.Now()))
	}
	return "", fmt.Errorf("no demo code %q (have appointment, appointment-expired, staff)", kind)
}

// ScanCode has the emulated scanner read a code, as a QR with its AIM
// prefix when aim is given.
func (s *simulation) ScanCode(data, aim string) error {
	return s.scanner.Scan(data, qrscansim.How{AIM: aim})
}

// SetPrinter changes the emulated printer's sensors.
func (s *simulation) SetPrinter(paperOut, nearEnd, coverOpen, offline bool) {
	s.printer.Set(printersim.State{PaperOut: paperOut, PaperNearEnd: nearEnd, CoverOpen: coverOpen, Offline: offline})
}

// PrinterRunOutAfter runs the emulated printer out of paper after n more
// printed bytes.
func (s *simulation) PrinterRunOutAfter(n int) { s.printer.RunOutAfter(n) }

// LastPrint renders the emulated printer's last job.
func (s *simulation) LastPrint(w io.Writer, format string) (bool, error) {
	jobs := s.printer.Jobs()
	if len(jobs) == 0 {
		return false, nil
	}
	dots := 384
	if s.cfg.Devices.Printer.Paper == "80mm" {
		dots = 576
	}
	r, err := escposview.Parse(jobs[len(jobs)-1], escposview.Options{Dots: dots})
	if err != nil {
		return true, err
	}
	if format == "txt" {
		_, err = io.WriteString(w, r.Text)
		return true, err
	}
	return true, r.PNG(w)
}

// LayCard lays one of the emulator's demo cards on the simulated reader.
func (s *simulation) LayCard(key string) error {
	c, ok := idcardsim.Card(key)
	if !ok {
		var keys []string
		for _, f := range idcardsim.Cards() {
			keys = append(keys, f.Key)
		}
		return fmt.Errorf("no demo card %q (have %s)", key, strings.Join(keys, ", "))
	}
	s.reader.Lay(c)
	return nil
}

// LiftCard lifts the card off the simulated reader.
func (s *simulation) LiftCard() { s.reader.Lift() }

func startSimulation(dir string, log *slog.Logger) (*simulation, error) {
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
	if err := os.MkdirAll(filepath.Join(dir, "hub"), 0o700); err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	store, err := hub.OpenBolt(filepath.Join(dir, "hub", "hub.db"))
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	raw := make([]byte, 24)
	rand.Read(raw)
	token := hex.EncodeToString(raw)
	tokenFile := filepath.Join(dir, "upstream.token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		store.Close()
		return nil, fmt.Errorf("simulate: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("simulate: hub: %w", err)
	}
	signer, refdata, err := simCodeKey(filepath.Join(dir, "hub", "code.key"))
	if err != nil {
		store.Close()
		ln.Close()
		return nil, err
	}
	hs := &hub.Server{Store: store, Tokens: hub.Tokens{token: demo.StationID}, Log: log.With("component", "hub"),
		RefData: func(string) ([]byte, error) { return refdata, nil }}
	s := &simulation{store: store, signer: signer, panel: gpiosim.New(), done: make(chan struct{})}
	var gl net.Listener
	s.srv, gl = hub.HTTPLimits(0).Server(hs.Handler(), ln, log.With("component", "hub"))
	go func() { s.srv.Serve(gl); close(s.done) }()
	// The station reaches its hub through a proxy, so that the control
	// panel can cut the network and put it back.
	if s.net, err = faultnet.Listen(ln.Addr().String(), faultnet.Options{Log: log.With("component", "network")}); err != nil {
		s.close()
		return nil, fmt.Errorf("simulate: network: %w", err)
	}
	s.cfg = demo.Config(filepath.Join(dir, "station"), "http://"+s.net.Addr(), tokenFile)
	log.Info("simulate: county hub running", "url", s.cfg.Upstream.URL, "data", dir)
	devDir := filepath.Join(dir, "dev")
	if err := os.MkdirAll(devDir, 0o700); err != nil {
		s.close()
		return nil, fmt.Errorf("simulate: %w", err)
	}
	if s.reader, err = idcardsim.New(devDir, "idcard", 115200); err != nil {
		s.close()
		return nil, fmt.Errorf("simulate: card reader: %w", err)
	}
	s.cfg.Devices.IDCard.Port = s.reader.Path()
	log.Info("simulate: ID card reader emulated", "port", s.reader.Path())
	s.printer = printersim.New()
	// A slow printer, so that paper running out in the middle of a
	// receipt (the control panel, /v1/sim/printer) can be seen.
	s.printer.SetSpeed(2000)
	line, err := s.printer.ServePTY(devDir, "printer", 115200)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("simulate: printer: %w", err)
	}
	s.cfg.Devices.Printer.Port, s.cfg.Devices.Printer.Baud = line.Path(), 115200
	log.Info("simulate: receipt printer emulated", "port", line.Path())
	if s.scanner, err = qrscansim.New(devDir, "scanner", 9600); err != nil {
		s.close()
		return nil, fmt.Errorf("simulate: scanner: %w", err)
	}
	// The emulator ends its codes with CR, as the scanners sold for
	// kiosks are set to.
	s.cfg.Devices.Scanner.Port, s.cfg.Devices.Scanner.Baud, s.cfg.Devices.Scanner.Suffix = s.scanner.Path(), 9600, "cr"
	log.Info("simulate: QR scanner emulated", "port", s.scanner.Path())
	return s, nil
}

// seed submits the demo records on a fresh station, so there is something
// to see flow.
func (s *simulation) seed(st *appliance.Station, log *slog.Logger) error {
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

func (s *simulation) close() {
	if s.reader != nil {
		s.reader.Close()
	}
	if s.printer != nil {
		s.printer.Close()
	}
	if s.scanner != nil {
		s.scanner.Close()
	}
	if s.net != nil {
		s.net.Close()
	}
	s.srv.Close()
	<-s.done
	s.store.Close()
}
