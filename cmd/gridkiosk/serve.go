package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/adminapi"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
	"github.com/gridkiosk/gridkiosk/drivers/voice"
	"github.com/gridkiosk/gridkiosk/internal/connguard"
	"github.com/gridkiosk/gridkiosk/internal/sdnotify"
	"github.com/gridkiosk/gridkiosk/sim"
)

// options are the flags run and serve share.
type options struct {
	config   string
	simulate bool
	data     string
	skew     string
	admin    string
	// speak opens the voice pack and its player: run has a screen to
	// speak for, serve has none.
	speak bool
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
	if _, err := sim.ParseSkew(o.skew); err != nil {
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
	sim     *sim.World   // nil unless --simulate
	panel   *panel.Panel // nil without one
	// screenAlive checks the screen's event loop in run; nil in serve,
	// which has no screen.
	screenAlive func(context.Context) error
	voice       *voice.Player // nil in serve, or when the kiosk runs silent
}

// start loads the config (or builds the simulation's) and opens the
// station. Nothing runs until run is called.
func start(o options, log *slog.Logger) (*app, error) {
	a := &app{log: log}
	var cfg *config.Config
	if o.simulate {
		w, err := sim.Start(o.data, log)
		if err != nil {
			return nil, err
		}
		a.sim, cfg = w, w.Config()
		skew, _ := sim.ParseSkew(o.skew) // checked by parseFlags
		if err := w.SetClockSkew(skew); err != nil {
			a.closeSim()
			return nil, err
		}
	} else {
		var err error
		if cfg, err = config.Load(o.config); err != nil {
			return nil, fmt.Errorf("configuration %s:\n%w\n(run \"gridkiosk config check --config %s\" after fixing it)", o.config, err, o.config)
		}
	}
	if a.sim != nil {
		// The simulated station runs on a developer's machine, whose
		// system it must not update.
		cfg.Update.Enabled = false
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
		opt.Now = a.sim.Now
		opt.NTPSynced = func() bool { return false }
	}
	if a.panel = openPanel(cfg, a.sim, log); a.panel != nil {
		opt.Panel = a.panel
	}
	if o.speak {
		path := o.config
		if a.sim != nil {
			path = ""
		}
		var info appliance.VoiceInfo
		a.voice, info = openVoice(cfg, path, log)
		opt.VoiceInfo = info
		if a.voice != nil {
			opt.Voice = a.voice
		}
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
	// The update endpoints and, in simulation, the simulation's own,
	// beside the station's.
	mux := http.NewServeMux()
	upd := updateHandler(st, token)
	mux.Handle(pathUpdate, upd)
	mux.Handle(pathUpdate+"/", upd)
	if a.sim != nil {
		mux.Handle("/v1/sim/", sim.Handler(a.sim, token))
	}
	mux.Handle("/", adminapi.Handler(st, token))
	var h http.Handler = mux
	a.admin, a.adminLn = adminLimits().Server(h, a.adminLn, log.With("component", "admin"))
	if a.sim != nil {
		if err := sim.Seed(st, log); err != nil {
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
	if a.voice != nil {
		wg.Go(func() { a.voice.Run(ctx) })
	}
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
		if err := a.sim.Close(); err != nil {
			a.log.Error("gridkiosk: close simulation", "err", err)
		}
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
