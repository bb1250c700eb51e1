package kiosk

import (
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
)

// refreshCounter counts the repaints asked of the window: every
// canvas.Refresh, which a widget's or text's Refresh comes down to, goes
// through the app's driver to the object's canvas, where the GL driver
// marks the window to be drawn again.
type refreshCounter struct {
	fyne.App
	drv countingDriver
}

type countingDriver struct {
	fyne.Driver
	n *atomic.Int64
}

type countingCanvas struct {
	fyne.Canvas
	n *atomic.Int64
}

func (a *refreshCounter) Driver() fyne.Driver { return a.drv }

func (d countingDriver) CanvasForObject(o fyne.CanvasObject) fyne.Canvas {
	c := d.Driver.CanvasForObject(o)
	if c == nil {
		return nil
	}
	return countingCanvas{c, d.n}
}

func (c countingCanvas) Refresh(o fyne.CanvasObject) { c.n.Add(1); c.Canvas.Refresh(o) }

// countRefreshes puts a counter between the screens and the test driver
// until t ends.
func countRefreshes(t *testing.T) *atomic.Int64 {
	t.Helper()
	orig := fyne.CurrentApp()
	n := new(atomic.Int64)
	fyne.SetCurrentApp(&refreshCounter{App: orig, drv: countingDriver{orig.Driver(), n}})
	t.Cleanup(func() { fyne.SetCurrentApp(orig) })
	return n
}

// The start screen, waiting, is drawn again once a minute for its clock
// and not otherwise: Run sleeps until the minute turns, and a tick that
// finds the same minute on the clock repaints nothing.
func TestIdleStartScreenRepaintsOncePerMinute(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	r.loop.drain()
	if r.app.Screen() != scrAttract {
		t.Fatalf("the kiosk starts on %q", r.app.Screen())
	}
	r.tick(17*time.Second + 250*time.Millisecond) // 09:30:17.25
	n := countRefreshes(t)

	// Run's old way: a tick every second, for ten minutes.
	for range 600 {
		r.tick(time.Second)
	}
	if got := n.Load(); got != 10 {
		t.Errorf("ticked every second for 10 minutes, the idle start screen asked for %d repaints; want 10 (one a minute, for the clock)", got)
	}

	// Run's way now: sleep for as long as the screens ask.
	n.Store(0)
	wakes := 0
	for end := r.clock.Now().Truncate(time.Minute).Add(30 * time.Minute); r.clock.Now().Before(end); wakes++ {
		d := r.app.wake.in
		if d < time.Second {
			t.Fatalf("at %s the idle start screen asks to be woken in %s", r.clock.Now().Format("15:04:05.000"), d)
		}
		r.tick(d)
		if now := r.clock.Now(); now.Second() != 0 || now.Nanosecond() != 0 {
			t.Fatalf("woken at %s, not as the minute turns", now.Format("15:04:05.000"))
		}
		if !r.shows(r.clock.Now().Format("15:04")) {
			t.Fatalf("woken at %s, the clock does not show it", r.clock.Now().Format("15:04"))
		}
	}
	if wakes != 30 || n.Load() != 30 {
		t.Errorf("over 30 idle minutes: %d wake-ups, %d repaints; want 30 of each", wakes, n.Load())
	}
}

// Someone at the kiosk gets the idle countdown second by second: the
// screens ask to be woken every second once the start screen is left,
// and back to once a minute when it is shown again.
func TestWakeFollowsTheScreen(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	r.loop.drain()
	if d := r.app.wake.in; d < time.Second {
		t.Fatalf("the idle start screen asks to be woken in %s", d)
	}
	// The manual entry's first screen, as the start screen's button
	// opens it (shown directly: the start screen's buttons change).
	if err := r.app.Show(scrManualID); err != nil {
		t.Fatal(err)
	}
	if d := r.app.wake.in; d != time.Second {
		t.Fatalf("on %s the screens ask to be woken in %s; want 1s for the idle countdown", r.app.Screen(), d)
	}
	for range int((r.app.idle + time.Second) / time.Second) {
		r.tick(r.app.wake.in)
	}
	if r.app.Screen() != scrAttract {
		t.Fatalf("after the idle timeout the screen is %q", r.app.Screen())
	}
	if d := r.app.wake.in; d < time.Second {
		t.Fatalf("back on the start screen, the screens ask to be woken in %s", d)
	}
}

// What the station changes reaches the screen without a tick: the help
// button's call shows, and goes when staff answer, though the screens'
// clock never moves and Tick is never called.
func TestStationChangeReachesTheScreenWithoutTicks(t *testing.T) {
	p := &pressPanel{ev: make(chan panel.Event)}
	r := newRig(t, rigOptions{noCard: true, setup: func(o *appliance.Options) { o.Panel = p }})
	const banner = "已呼叫工作人员"
	if r.shows(banner) {
		t.Fatal("a help banner before anyone asked")
	}
	p.ev <- panel.Event{Kind: panel.Pressed, Button: "help", At: time.Now()}
	r.loop.until(t, "the help banner", func() bool { return r.shows(banner) })
	r.st.ClearHelp()
	r.loop.until(t, "the help banner gone", func() bool { return !r.shows(banner) })
}
