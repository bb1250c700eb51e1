package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
	"github.com/gridkiosk/gridkiosk/internal/logring"
	"github.com/gridkiosk/gridkiosk/sim/simpanel"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/handwriting"
	"github.com/gridkiosk/gridkiosk/ui/kiosk"
	"github.com/gridkiosk/gridkiosk/ui/mm"
	"github.com/gridkiosk/gridkiosk/ui/pinyin"
	"github.com/gridkiosk/gridkiosk/ui/staff"
	"github.com/gridkiosk/gridkiosk/ui/tech"
)

// screenStartup is how long the watchdog forgives a screen whose event
// loop has not answered yet: under emulation or on a slow board the first
// frame takes tens of seconds. It matches the unit's TimeoutStartSec=.
const screenStartup = 2 * time.Minute

// errNoDisplay is run's answer on a machine without a screen.
var errNoDisplay = errors.New("gridkiosk run: no display (DISPLAY/WAYLAND_DISPLAY not set); use gridkiosk serve for a station without a screen")

// runOptions are run's own flags beside serve's.
type runOptions struct {
	tour string // write a screenshot of every screen here, then quit
	size fyne.Size
	lang string
	// noPanel leaves the simulation's control window shut: a station has
	// none, and its fonts and repaints would be counted as the kiosk's.
	noPanel bool
}

// oneProc runs the kiosk's Go code on one processor unless GOMAXPROCS
// says otherwise. The window's event loop wakes sixty times a second
// whether anything moves or not, and each wake-up with more processors
// than work sets idle ones spinning to look for some: at 1280×800 here the
// waiting kiosk took 1.03 % of a core with two, 0.81 % with one (make
// bench), while a tap still reached the screen in 67 ms (p95 83 ms). Its
// work comes in short turns (a tap, a recognised character, a receipt)
// that never needed two at once; the runtime still preempts a long one
// every 10 ms for the window.
func oneProc() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}

// cmdRun is serve with the kiosk's window. Fyne owns the main goroutine;
// the station runs beside it and both stop when either does.
func cmdRun(ctx context.Context, args []string, log *slog.Logger, ring *logring.Ring, started time.Time) error {
	o, ro, err := parseRunFlags(args)
	if err != nil {
		return err
	}
	o.speak = true
	oneProc()
	// Without a display GLFW panics deep in the driver, after the station
	// has started; say what to do instead, before anything starts.
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errNoDisplay
	}
	// The on-screen keyboards are sized in Fyne units for a 7-inch 800x480
	// panel at scale 1; Fyne would otherwise scale by the panel's DPI and
	// the keyboard would not fit.
	if os.Getenv("FYNE_SCALE") == "" {
		os.Setenv("FYNE_SCALE", "1")
	}
	a, err := start(o, log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The screens' regular face is a subset of the full one, which stands
	// behind it among the system's fonts: Fyne then parses the full face
	// once rather than once per text style.
	if dirs, err := fonts.InstallFallback(filepath.Join(a.dataDir, "share"), os.Getenv("XDG_DATA_DIRS")); err != nil {
		log.Warn("run: names with characters outside GB 2312 may show a box", "err", err)
	} else {
		os.Setenv("XDG_DATA_DIRS", dirs)
	}
	th := ui.NewTheme()
	if faces, err := fonts.InstallFaces(filepath.Join(a.dataDir, "faces")); err != nil {
		log.Warn("run: the screens' faces are read from the binary, 2.5 MB more resident", "err", err)
	} else {
		th = ui.NewThemeFaces(faces)
	}
	fa := fyneapp.NewWithID("org.gridkiosk.kiosk")
	fa.Settings().SetTheme(th)
	cfg := a.st.Config()
	w := fa.NewWindow(cfg.Station.Name)
	var app *kiosk.App
	fa.Lifecycle().SetOnStarted(func() {
		log.Info("gridkiosk: first frame", "since_start_ms", time.Since(started).Milliseconds())
		fitPanel(fa, th, w, cfg.UI.PanelInches, log)
		if app != nil {
			// Built before the panel was known: again in its millimetres.
			app.Restyle()
		}
	})
	w.Resize(ro.size)
	if cfg.UI.Fullscreen && ro.tour == "" {
		w.SetFullScreen(true)
	}
	w.SetCloseIntercept(cancel)
	engine := pinyin.New()
	lang := ro.lang
	if lang == "" {
		lang = cfg.UI.Language
	}
	// Read only when a resident first needs it (the manual name), in the
	// background: a kiosk whose image lacks the model offers pinyin only.
	ko := kiosk.Options{Lang: lang, Pinyin: engine, Screens: a.screens(engine, ring), Log: log.With("component", "kiosk"),
		Handwriting: handwriting.NewLazy(handwriting.DefaultModelPath, fonts.CJK())}
	if a.voice != nil {
		ko.Speaker = a.voice
	}
	app = kiosk.New(a.st, w, ko)
	go app.Run(ctx)
	go trimWhenIdle(ctx, a.st, time.After(trimAfterStart), freeOSMemory)
	if a.sim != nil {
		// GET /v1/sim/screen: what the window shows, for the trials that
		// drive it as a person would.
		a.sim.SetScreen(func(ctx context.Context) (any, error) { return app.Inspect(ctx) })
		defer a.sim.SetScreen(nil)
	}

	if a.sim != nil && !ro.noPanel {
		sw := fa.NewWindow("模拟控制台 / Simulation control panel")
		p := simpanel.New(a.sim, a.st, lang)
		sw.SetContent(p.Content())
		sw.Resize(fyne.NewSize(720, 800))
		go p.Run(ctx)
		if ro.tour == "" {
			sw.Show()
		}
	}

	a.screenAlive = ui.NewLoopCheck(fa.Driver(), screenStartup).Alive
	errc := make(chan error, 1)
	// The driver's Quit, not the app's. Fyne catches SIGTERM itself and
	// ends its loop, racing the waits below, and once its loop has ended
	// it runs what it is handed at once, off the loop: there the app's
	// Quit closes the windows in a GLFW already terminated, and panics
	// (TestTrials' kiosk did, stopped under load). The driver's only ends
	// the loop, once however often it is asked, as Fyne's own SIGTERM
	// handler does; the loop's end destroys the windows.
	quit := func() { fyne.Do(fa.Driver().Quit) }
	go func() {
		errc <- a.run(ctx)
		quit()
	}()
	go func() {
		<-ctx.Done()
		quit()
	}()
	if ro.tour != "" {
		go func() {
			if err := a.tour(ctx, w, app, ro); err != nil {
				log.Error("gridkiosk: screenshot tour", "err", err)
			}
			cancel()
		}()
	}
	w.ShowAndRun()
	cancel()
	return <-errc
}

// screens builds the staff's and the technician's screens for the kiosk.
func (a *app) screens(engine *pinyin.Engine, ring *logring.Ring) kiosk.Screens {
	var lastJob func() []byte
	if a.sim != nil {
		lastJob = a.sim.LastJob
	}
	return kiosk.Screens{
		Staff: func(ctx context.Context, lang string, back func()) fyne.CanvasObject {
			s := staff.New(a.st, lang, a.st.Now, back, staff.Options{Pinyin: engine, LastJob: lastJob})
			go s.Run(ctx)
			return s.Content()
		},
		StaffLogin: func(ctx context.Context, lang string, back func()) fyne.CanvasObject {
			// Once the station has logged them in, the kiosk moves on
			// to staff mode by itself.
			return staff.NewLogin(a.st, lang, func() {}, back).Content()
		},
		Tech: func(ctx context.Context, lang string, back func()) fyne.CanvasObject {
			s := tech.New(a.st, lang, a.st.Now, back, tech.Options{Panel: a.st, Printer: a.st, Logs: ring.Lines})
			go s.Run(ctx)
			return s.Content()
		},
	}
}

func parseRunFlags(args []string) (options, runOptions, error) {
	ro := runOptions{size: fyne.NewSize(1280, 800)}
	var rest []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--no-control-panel":
			ro.noPanel = true
		case "--tour", "--size", "--lang":
			if i+1 >= len(args) {
				return options{}, ro, usageError{fmt.Sprintf("run: %s needs a value", args[i])}
			}
			v := args[i+1]
			i++
			switch args[i-1] {
			case "--tour":
				ro.tour = v
			case "--lang":
				if v != "zh-CN" && v != "en" {
					return options{}, ro, usageError{"run: --lang is zh-CN or en"}
				}
				ro.lang = v
			case "--size":
				var w, h float32
				if _, err := fmt.Sscanf(v, "%fx%f", &w, &h); err != nil || w < 320 || h < 240 {
					return options{}, ro, usageError{fmt.Sprintf("run: --size %q is not WIDTHxHEIGHT (e.g. 800x480)", v)}
				}
				ro.size = fyne.NewSize(w, h)
			}
		default:
			rest = append(rest, args[i])
		}
	}
	o, err := parseFlags("run", rest)
	return o, ro, err
}

// fitPanel sizes the theme in millimetres for the panel the window fills
// (ui.panel_inches, or the diagonal its resolution implies), once the
// window is up and its size known.
func fitPanel(fa fyne.App, th *ui.Theme, w fyne.Window, inches float64, log *slog.Logger) {
	c := w.Canvas()
	size, scale := c.Size(), c.Scale()
	p := mm.ForWindow(size.Width, size.Height, scale, inches)
	if th.SetPanel(p, scale) {
		fa.Settings().SetTheme(th)
	}
	log.Info("gridkiosk: panel", "pixels", fmt.Sprintf("%dx%d", p.Width, p.Height),
		"inches", p.Inches, "scale", scale, "body_units", th.Sizes().Body)
}
