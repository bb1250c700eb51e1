package ui

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// doer hands a callback to the UI's event loop; fyne.Driver is one, and
// fyne.Do is its DoFromGoroutine(fn, false) for the current app.
type doer interface {
	DoFromGoroutine(fn func(), wait bool)
}

// LoopCheck is the liveness check of the screen's event loop, for the
// systemd watchdog: the loop must run a callback handed to it, as it runs
// every fyne.Do, before the check's deadline. A loop stuck inside a
// callback or a frame runs none, and the kiosk's screen is frozen
// whatever the rest of the station does.
type LoopCheck struct {
	loop     doer
	startup  time.Duration
	began    time.Time
	answered atomic.Bool
}

// NewLoopCheck checks the loop of d. Until the loop has answered once, a
// slow answer is forgiven for startup: on a slow board the loop's first
// frame can take half a minute, and the watchdog must not restart a kiosk
// that is still drawing it.
func NewLoopCheck(d doer, startup time.Duration) *LoopCheck {
	return &LoopCheck{loop: d, startup: startup, began: time.Now()}
}

// Alive hands the loop a callback and waits for it to run or ctx to end.
func (l *LoopCheck) Alive(ctx context.Context) error {
	ran := make(chan struct{})
	// Handed over from a goroutine of its own, so that a driver whose
	// queue is full cannot keep Alive from answering by its deadline.
	go l.loop.DoFromGoroutine(func() { close(ran) }, false)
	select {
	case <-ran:
		l.answered.Store(true)
		return nil
	case <-ctx.Done():
	}
	if l.answered.Load() {
		return fmt.Errorf("ui: the screen's event loop did not run a callback by the check's deadline (%w): it is stuck inside a callback or a frame", ctx.Err())
	}
	if since := time.Since(l.began); since > l.startup {
		return fmt.Errorf("ui: the screen's event loop has not run a callback since the kiosk started %s ago", since.Round(time.Second))
	}
	return nil
}
