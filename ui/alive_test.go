package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/internal/sdnotify/sdnotifytest"
	"github.com/gridkiosk/gridkiosk/ui"
)

// loopApp is the Fyne test app with the one thing its driver lacks for
// these tests: an event loop. The GL driver runs every fyne.Do callback in
// turn on its main goroutine; the test driver runs each at once on its
// caller's. loopApp's driver queues them for one goroutine, which runs
// each through the test driver, so a callback that blocks holds up every
// one behind it, as on the kiosk.
type loopApp struct {
	fyne.App
	drv *loopDriver
}

func (a loopApp) Driver() fyne.Driver { return a.drv }

type loopDriver struct {
	fyne.Driver
	q chan func()
}

func (d *loopDriver) DoFromGoroutine(fn func(), wait bool) {
	if !wait {
		d.q <- fn
		return
	}
	done := make(chan struct{})
	d.q <- func() { fn(); close(done) }
	<-done
}

// withLoop makes the Fyne test app, with its loop, the current app.
func withLoop(t *testing.T) fyne.Driver {
	t.Helper()
	a := test.NewTempApp(t)
	d := &loopDriver{Driver: a.Driver(), q: make(chan func(), 1024)}
	quit := make(chan struct{})
	go func() {
		for {
			select {
			case fn := <-d.q:
				d.Driver.DoFromGoroutine(fn, true)
			case <-quit:
				return
			}
		}
	}()
	fyne.SetCurrentApp(loopApp{App: a, drv: d})
	t.Cleanup(func() { close(quit) })
	return d
}

// wedge blocks the loop inside a fyne.Do callback until the test ends.
func wedge(t *testing.T) {
	in, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) })
	fyne.Do(func() {
		close(in)
		<-release
	})
	<-in
}

// With the plain test app, whose driver runs callbacks at once, the check
// passes: it asks nothing of the driver beyond fyne.Do's contract.
func TestLoopCheckFyneTestApp(t *testing.T) {
	a := test.NewTempApp(t)
	ctx, cancel := context.WithTimeout(context.Background(), sdnotifytest.Wait)
	defer cancel()
	if err := ui.NewLoopCheck(a.Driver(), 0).Alive(ctx); err != nil {
		t.Fatal(err)
	}
}

// A loop blocked inside a fyne.Do callback stops the watchdog's pings,
// even within the start-up allowance once it has answered, and the check
// names the screen's loop.
func TestWatchdogStopsWhenUILoopWedged(t *testing.T) {
	d := withLoop(t)
	check := ui.NewLoopCheck(d, time.Hour)
	w := sdnotifytest.Start(t, 500*time.Millisecond, check.Alive)
	w.WaitPings(t, 2)
	wedge(t)
	for _, err := range w.WaitStopped(t) {
		if !strings.Contains(err.Error(), "event loop") {
			t.Fatalf("check failed with %v, want one naming the screen's event loop", err)
		}
	}
}

// A loop that has not answered yet is still starting until the start-up
// allowance runs out.
func TestLoopCheckStartup(t *testing.T) {
	d := withLoop(t)
	wedge(t)
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	if err := ui.NewLoopCheck(d, time.Hour).Alive(short()); err != nil {
		t.Fatalf("within the start-up allowance: %v", err)
	}
	err := ui.NewLoopCheck(d, 0).Alive(short())
	if err == nil || !strings.Contains(err.Error(), "since the kiosk started") {
		t.Fatalf("past the start-up allowance: %v, want one saying the loop never answered", err)
	}
}
