// Package simpanel is the control panel of the kiosk's simulation, shown
// in a second window beside the kiosk: it lays and lifts the demo ID cards,
// scans each kind of code, runs the printer out of paper or opens its
// cover, cuts the network to the hub, presses the panel's buttons and
// trips its presence sensor, and shows the emulated lamps, buzzer and
// relay as they change.
//
// It drives the simulation through sim.Simulator, as the /v1/sim
// endpoints do, so that it works with the real simulation (sim.World) and
// with a test's recording fake alike.
package simpanel

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sim"
	"github.com/gridkiosk/gridkiosk/ui"
)

// Station is what the panel reads of the simulated station: the newest
// record for its receipt code, and what became of the last tap.
type Station interface {
	Records(since time.Time, max int) ([]station.Row, error)
	Session() station.SessionView
	LastScan() *station.ScanResult
	Health() station.Health
	// SessionChanged is closed at the station's next change: the panel
	// reads the station then, not on its lamps' timer.
	SessionChanged() <-chan struct{}
}

// Timings of the panel's buttons: a press, and a hold longer than the
// panel's two-second long press.
const (
	press = 150 * time.Millisecond
	hold  = 2500 * time.Millisecond
)

// Panel is the control panel.
type Panel struct {
	sim  sim.Simulator
	st   Station
	lang string

	jobs     sync.WaitGroup // actions off Fyne's goroutine, waited for by tests
	mu       sync.Mutex
	others   int  // which non-gridkiosk code is next
	presence bool // what the sensor was last told

	keys   map[string]*widget.Button
	lamps  *lamps
	status *widget.Label
	result *widget.Label
	root   fyne.CanvasObject
}

// New builds the panel; Run keeps its lamps and status current. lang is
// "zh-CN" or "en".
func New(s sim.Simulator, st Station, lang string) *Panel {
	p := &Panel{sim: s, st: st, lang: lang, keys: map[string]*widget.Button{}}
	p.lamps = newLamps(lang)
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.result = widget.NewLabel("")
	p.result.Wrapping = fyne.TextWrapWord
	p.result.TextStyle.Bold = true
	rows := container.NewVBox(
		p.section(p.tr("身份证", "ID card"), p.cardKeys()...),
		p.section(p.tr("扫码", "Scan"), p.codeKeys()...),
		p.section(p.tr("打印机", "Printer"), p.printerKeys()...),
		container.NewGridWithColumns(2,
			p.section(p.tr("网络", "Network"), p.networkKeys()...),
			p.section(p.tr("时钟", "Clock"), p.clockKeys()...)),
		p.section(p.tr("面板", "Panel"), p.panelKeys()...),
		p.section(p.tr("指示灯", "Lamps"), p.lamps.content),
		p.status, p.result,
	)
	p.root = container.NewThemeOverride(rows, compact{})
	return p
}

// Content is the panel's root object.
func (p *Panel) Content() fyne.CanvasObject { return p.root }

func (p *Panel) tr(zh, en string) string { return ui.Tr(p.lang, zh, en) }

// section is a row of keys under a heading at the left.
func (p *Panel) section(name string, objs ...fyne.CanvasObject) fyne.CanvasObject {
	head := widget.NewLabel(name)
	head.TextStyle.Bold = true
	return container.NewBorder(nil, nil, container.New(fixedWidth(72), head), nil, container.NewGridWithColumns(len(objs), objs...))
}

// key makes a button that runs act off Fyne's goroutine (the simulation
// may block: a held button takes seconds) and shows what it says.
func (p *Panel) key(id, label string, act func() (string, error)) fyne.CanvasObject {
	b := widget.NewButton(label, func() { p.run(act) })
	p.keys[id] = b
	return container.New(atLeast(touch), b)
}

func (p *Panel) run(act func() (string, error)) {
	p.jobs.Add(1)
	go func() {
		defer p.jobs.Done()
		msg, err := act()
		if err != nil {
			msg = "✗ " + err.Error()
		} else {
			msg = "✓ " + msg
		}
		st := p.read()
		fyne.Do(func() {
			p.result.SetText(msg)
			p.show(st)
		})
	}()
}

// reading is what the panel shows, read in one go.
type reading struct {
	outputs map[string]any
	session station.SessionView
	scan    *station.ScanResult
	health  station.Health
}

func (p *Panel) read() reading {
	return reading{outputs: p.sim.PanelOutputs(), session: p.st.Session(), scan: p.st.LastScan(), health: p.st.Health()}
}

// Run shows the lamps as they change, and the station's state when it
// changes, until ctx ends. Only what changed is drawn again, and nothing
// is read on a timer: the panel shares the kiosk's process, whose idle
// cost make bench measures.
func (p *Panel) Run(ctx context.Context) {
	r := p.read()
	for {
		changed, lamps := p.st.SessionChanged(), p.sim.PanelChanged()
		fyne.Do(func() { p.show(r) })
		select {
		case <-ctx.Done():
			return
		case <-changed:
			r = p.read()
		case <-lamps:
			r.outputs = p.sim.PanelOutputs()
		}
	}
}

// Refresh reads the simulation and shows it. Call it on Fyne's goroutine.
func (p *Panel) Refresh() { p.show(p.read()) }

func (p *Panel) show(r reading) {
	p.lamps.show(r.outputs)
	var b strings.Builder
	fmt.Fprintf(&b, p.tr("会话：%s", "Session: %s"), r.session.State)
	if r.session.CardOnReader {
		b.WriteString(p.tr("（卡在阅读器上）", " (card on the reader)"))
	}
	prn := r.health.Peripherals["printer"]
	fmt.Fprintf(&b, p.tr("　打印机：%s", "   Printer: %s"), orDash(prn.State))
	online := p.tr("离线", "offline")
	if r.health.Upstream.Online {
		online = p.tr("在线", "online")
	}
	fmt.Fprintf(&b, p.tr("　县平台：%s，待发送 %d", "   Hub: %s, %d waiting"), online, r.health.Outbox.Queued)
	if r.scan != nil {
		fmt.Fprintf(&b, p.tr("\n最后扫码：%s — %s", "\nLast scan: %s — %s"), r.scan.Kind, ui.Pick(p.lang, r.scan.Message))
	}
	setText(p.status, b.String())
}

// setText changes a label only when its text changed: SetText repaints.
func setText(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
