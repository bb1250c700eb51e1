// Package tech is the kiosk's technician mode: the state of each
// peripheral with a test print and, where the station offers them, beep
// and lamp tests; the network and the sync queue; a summary of the
// configuration; and the station's recent log lines. It is what a
// technician on site, often without a network, looks at first.
//
// Like the other screens it holds no rules: it shows what the station
// reports (Station, Health above all) and passes on what is tapped.
package tech

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// PanelTester sounds the panel's buzzer and lights its lamps on demand,
// so a technician can see and hear that they work. Both return at once;
// the lamps go back to showing the station's state afterwards.
type PanelTester interface {
	TestBeep()
	TestLEDs()
}

// Station is what the technician's screens ask of the station, in its own
// vocabulary (appliance/station); *appliance.Station is one.
type Station interface {
	Config() *config.Config
	Health() station.Health
	// Records finds a record to print a test receipt of, when the
	// station cannot print a test page itself.
	Records(since time.Time, max int) ([]station.Row, error)
	PrintReceipt(ctx context.Context, req station.ReceiptRequest) (station.PrintResult, error)
}

// PrinterTester prints a short test receipt (Chinese text and a QR code)
// without storing a record, as "gridkiosk probe printer --test-receipt"
// does.
type PrinterTester interface {
	TestPrint(ctx context.Context) (station.PrintResult, error)
}

// Options are what the technician screen may be given besides the
// station. The zero value is usable.
type Options struct {
	// Panel tests the buzzer and the lamps; nil hides those keys.
	Panel PanelTester
	// Printer prints a test page; nil prints the receipt of the latest
	// registration or matter instead, which stores a receipt record
	// marked as a printer test.
	Printer PrinterTester
	// Logs returns the station's recent log lines, oldest first; nil
	// hides the log page.
	Logs func() []string
	// Every is how often the screen reads the station; default 1s.
	Every time.Duration
}

// Screen is technician mode.
type Screen struct {
	st   Station
	lang string
	now  func() time.Time
	back func()
	opt  Options

	jobs sync.WaitGroup // work off Fyne's goroutine, waited for by tests

	tabs  []*touch.Button
	pages []fyne.CanvasObject
	dev   *devicesPage
	net   *networkPage
	cfg   *configPage
	log   *logPage // nil without Options.Logs
	root  fyne.CanvasObject
}

// New builds technician mode; Run or Refresh fills it. lang is "zh-CN" or
// "en"; back is called on Fyne's goroutine when the technician leaves.
func New(st Station, lang string, now func() time.Time, back func(), opt Options) *Screen {
	if now == nil {
		now = time.Now
	}
	if opt.Every <= 0 {
		opt.Every = time.Second
	}
	s := &Screen{st: st, lang: lang, now: now, back: back, opt: opt}
	s.dev = newDevicesPage(s)
	s.net = newNetworkPage(s)
	s.cfg = newConfigPage(s)
	s.addPage(s.tr("设备", "Devices"), s.dev.content)
	s.addPage(s.tr("网络与同步", "Network"), s.net.content)
	s.addPage(s.tr("配置", "Config"), s.cfg.content)
	if opt.Logs != nil {
		s.log = newLogPage(s)
		s.addPage(s.tr("日志", "Log"), s.log.content)
	}
	title := touch.NewText(s.tr("技术人员", "Technician"), 22, touch.Ink, true)
	leave := touch.NewButton(s.tr("返回", "Back"), widget.MediumImportance, func() { call(s.back) })
	tabs := container.NewGridWithColumns(len(s.tabs))
	for _, t := range s.tabs {
		tabs.Add(t)
	}
	top := container.NewBorder(nil, nil, container.NewCenter(title), leave, tabs)
	s.root = container.NewBorder(top, nil, nil, nil, container.NewStack(s.pages...))
	s.showPage(0)
	return s
}

func (s *Screen) tr(zh, en string) string { return ui.Tr(s.lang, zh, en) }

// word is an update state, reason or source in the screen's language.
func (s *Screen) word(w string) string { return s.tr(station.UpdateWord(w)) }

func (s *Screen) addPage(name string, content fyne.CanvasObject) {
	i := len(s.pages)
	s.tabs = append(s.tabs, touch.NewButton(name, widget.MediumImportance, func() { s.showPage(i) }))
	s.pages = append(s.pages, content)
}

func (s *Screen) showPage(i int) {
	for j, p := range s.pages {
		s.tabs[j].Importance = widget.MediumImportance
		p.Hide()
		if j == i {
			s.tabs[j].Importance = widget.HighImportance
			p.Show()
		}
		s.tabs[j].Refresh()
	}
}

// Content is the screen's root object.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

// reading is what the screen shows, read from the station in one go.
type reading struct {
	health station.Health
	logs   []string
}

func (s *Screen) read() reading {
	r := reading{health: s.st.Health()}
	if s.opt.Logs != nil {
		r.logs = s.opt.Logs()
	}
	return r
}

// Run reads the station every Options.Every until ctx ends.
func (s *Screen) Run(ctx context.Context) {
	t := time.NewTicker(s.opt.Every)
	defer t.Stop()
	for {
		r := s.read()
		fyne.Do(func() { s.show(r) })
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Refresh reads the station and shows what it says. Call it on Fyne's
// goroutine.
func (s *Screen) Refresh() { s.show(s.read()) }

func (s *Screen) show(r reading) {
	s.dev.show(r.health)
	s.net.show(r.health)
	s.cfg.show(r.health)
	if s.log != nil {
		s.log.show(r.logs)
	}
}

// background runs work off Fyne's goroutine (a test print waits on the
// printer) and applies what it returns on Fyne's goroutine.
func (s *Screen) background(work func() func()) {
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		apply := work()
		fyne.Do(apply)
	}()
}

func call(f func()) {
	if f != nil {
		f()
	}
}

// dot is a status lamp on screen, grey until a state colours it.
func dot() *canvas.Circle { return canvas.NewCircle(touch.Grey) }
