package kiosk

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sim/simui"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
	"github.com/gridkiosk/gridkiosk/ui/pinyin"
)

func TestMain(m *testing.M) { simui.Main(m) }

// engine is one pinyin engine for every test's screens.
var engine = sync.OnceValue(pinyin.New)

// clock is the screens' clock, moved on by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// start is the fixed time the screens' clock starts at: a Thursday
// morning at the station, in China Standard Time.
var start = time.Date(2026, 1, 15, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// loop stands for Fyne's goroutine: what the App hands over with Do is
// queued, and the test runs it on its own goroutine, so widgets are only
// ever touched there.
type loop struct{ q chan func() }

func newLoop() *loop { return &loop{q: make(chan func(), 4096)} }

func (l *loop) Do(f func()) { l.q <- f }

// drain runs what is queued.
func (l *loop) drain() {
	for {
		select {
		case f := <-l.q:
			f()
		default:
			return
		}
	}
}

// untilDeadline is for a wedged test only: every wait ends at its event.
// It is long because on a loaded 2-core machine under -race, reading the
// handwriting model for the pad took over 20 s (the old deadline).
const untilDeadline = 2 * time.Minute

// until runs what is queued until cond holds.
func (l *loop) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(untilDeadline)
	for {
		l.drain()
		if cond() {
			return
		}
		select {
		case f := <-l.q:
			f()
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// rig is a real demo station with an emulated card reader on a pty, and
// the kiosk's screens on a test window.
type rig struct {
	t     *testing.T
	dir   string
	st    *appliance.Station
	sim   *idcardsim.Reader
	clock *clock
	loop  *loop
	win   fyne.Window
	app   *App
	stop  func() // stops the station (and the App); safe to call twice
}

// rigOptions say what the station has besides the card reader.
type rigOptions struct {
	noCard  bool
	refData []byte // default demo.RefData()
	setup   func(cfg *appliance.Options)
	app     func(o *Options)
}

// Type sizes for the tests that measure text themselves: the 7-inch
// panel's body and big type in the normal mode.
var (
	testBody = sizesOf(nil).body
	testBig  = sizesOf(nil).big
)

func newRig(t *testing.T, ro rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir(), clock: &clock{t: start}, loop: newLoop()}
	data := filepath.Join(r.dir, "data")
	rd := ro.refData
	if rd == nil {
		rd = demo.RefData()
	}
	seedRefData(t, data, rd)
	cfg := demo.Config(data, "", "")
	opt := appliance.Options{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		NTPSynced: func() bool { return false }, IDCard: idcard.Options{Poll: 10 * time.Millisecond}}
	if !ro.noCard {
		sim, err := idcardsim.New(r.dir, "idcard", 115200)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sim.Close() })
		r.sim = sim
		cfg.Devices.IDCard.Port, cfg.Devices.IDCard.Baud = sim.Path(), 115200
	}
	if ro.setup != nil {
		ro.setup(&opt)
	}
	st, err := appliance.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	r.st = st
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })
	var appWG sync.WaitGroup
	appCtx, appCancel := context.WithCancel(context.Background())
	r.stop = sync.OnceFunc(func() {
		appCancel()
		appWG.Wait()
		if r.app != nil {
			r.app.Wait()
		}
		cancel()
		wg.Wait()
		st.Close()
	})
	t.Cleanup(r.stop)
	if !ro.noCard {
		r.waitStation("the card reader", func() bool { return st.Health().Peripherals["idcard"].State == "ready" })
	}

	r.win = test.NewTempWindow(t, container.NewStack())
	r.win.Resize(fyne.NewSize(1280, 800))
	o := Options{Now: r.clock.Now, Wall: r.clock.Now, Do: r.loop.Do, Ticks: make(chan time.Time), Lang: "zh-CN", Pinyin: engine()}
	if ro.app != nil {
		ro.app(&o)
	}
	r.app = New(st, r.win, o)
	appWG.Go(func() { r.app.Run(appCtx) })
	r.loop.until(t, "the App to start", func() bool { return r.app.ctx == appCtx })
	return r
}

// seedRefData keeps the demo hub's reference data in the station's
// outbox, as a station that reached its hub once has it.
func seedRefData(t *testing.T, dir string, rd []byte) {
	t.Helper()
	box, err := outbox.Open(dir, outbox.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	if err := box.PutRefData(outbox.RefData{Data: rd, ETag: "demo", FetchedAt: start}); err != nil {
		t.Fatal(err)
	}
}

// waitStation waits for the station, not the screens.
func (r *rig) waitStation(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(untilDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lay puts a card on the emulated reader and waits for the notice,
// which comes before any detail is shown.
func (r *rig) lay(c idcard.Card) {
	r.t.Helper()
	r.sim.Lay(c)
	r.loop.until(r.t, "the notice", func() bool { return r.app.Screen() == scrConsent })
}

// layAndAgree lays a card and agrees to the notice: the confirm screen.
func (r *rig) layAndAgree(c idcard.Card) {
	r.t.Helper()
	r.lay(c)
	r.tap("同意")
	if r.app.Screen() != scrConfirm {
		r.t.Fatalf("after agreeing: %s", r.app.Screen())
	}
}

// tick moves the screens' clock on and lets the App see it.
func (r *rig) tick(d time.Duration) {
	r.clock.Advance(d)
	r.loop.drain()
	r.app.Tick()
	r.loop.drain()
}

// tap taps the one tappable object showing label, as a finger would.
func (r *rig) tap(label string) {
	r.t.Helper()
	r.loop.drain()
	tapIn(r.t, r.win.Content(), label)
	r.loop.drain()
}

// keys taps each character of s on the keyboard shown.
func (r *rig) keys(s string) {
	r.t.Helper()
	for _, c := range s {
		r.tap(string(c))
	}
}

// shows reports whether some text on screen contains s.
func (r *rig) shows(s string) bool {
	r.loop.drain()
	for _, t := range texts(r.win.Content()) {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// tapIn taps the one tappable object under root showing label.
func tapIn(t *testing.T, root fyne.CanvasObject, label string) {
	t.Helper()
	var found []fyne.Tappable
	walk(root, nil, func(o fyne.CanvasObject, owner fyne.Tappable) {
		if tx, ok := o.(*canvas.Text); ok && tx.Text == label && owner != nil {
			found = append(found, owner)
		}
	})
	if len(found) != 1 {
		t.Fatalf("%d tappable objects show %q; on screen: %q", len(found), label, texts(root))
	}
	test.Tap(found[0])
}

// texts returns every text shown under root.
func texts(root fyne.CanvasObject) []string {
	var out []string
	walk(root, nil, func(o fyne.CanvasObject, _ fyne.Tappable) {
		if t, ok := o.(*canvas.Text); ok && t.Text != "" {
			out = append(out, t.Text)
		}
	})
	return out
}

// walk visits the visible objects under o, each with the nearest
// tappable object it is part of.
func walk(o fyne.CanvasObject, owner fyne.Tappable, visit func(fyne.CanvasObject, fyne.Tappable)) {
	if o == nil || !o.Visible() {
		return
	}
	if t, ok := o.(fyne.Tappable); ok {
		owner = t
	}
	visit(o, owner)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, owner, visit)
		}
	case *container.Scroll:
		walk(x.Content, owner, visit)
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, owner, visit)
		}
	}
}
