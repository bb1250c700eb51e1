package sdnotify_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/sdnotify/sdnotifytest"
)

// period is the tests' ping period (WatchdogSec=1s): long enough that a
// check a loaded machine delays by a few hundred milliseconds still
// passes, short enough to see several pings in a few seconds.
const period = 500 * time.Millisecond

var errWedged = errors.New("the test's loop is wedged")

// The pings follow the check: they stop while it fails, with one error
// logged per change of state, and resume when it passes again.
func TestPingsOnlyWhileAlive(t *testing.T) {
	var wedged atomic.Bool
	w := sdnotifytest.Start(t, period, func(context.Context) error {
		if wedged.Load() {
			return errWedged
		}
		return nil
	})
	w.WaitPings(t, 2)
	for round := 1; round <= 2; round++ {
		wedged.Store(true)
		for _, err := range w.WaitStopped(t) {
			if !errors.Is(err, errWedged) {
				t.Fatalf("check failed with %v, want %v", err, errWedged)
			}
		}
		errs := w.Log.At(slog.LevelError)
		if len(errs) != round || !strings.Contains(errs[round-1].Err, errWedged.Error()) {
			t.Fatalf("round %d: error log %+v, want %d line(s), the last naming what is wedged", round, errs, round)
		}
		wedged.Store(false)
		w.WaitPings(t, 2)
		if n := countMsg(w.Log.At(slog.LevelInfo), "pass again"); n != round {
			t.Fatalf("round %d: %d lines saying the checks pass again, want %d", round, n, round)
		}
	}
}

// A check that takes past its deadline fails like one that says no.
func TestSlowCheckStopsPings(t *testing.T) {
	var slow atomic.Bool
	w := sdnotifytest.Start(t, period, func(ctx context.Context) error {
		if slow.Load() {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	})
	w.WaitPings(t, 1)
	slow.Store(true)
	for _, err := range w.WaitStopped(t) {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("check failed with %v, want its deadline", err)
		}
	}
}

// A check that ignores its deadline and never returns stops the pings
// all the same, and the log says so.
func TestHungCheckStopsPings(t *testing.T) {
	var hung atomic.Bool
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	w := sdnotifytest.Start(t, period, func(context.Context) error {
		if hung.Load() {
			<-release
		}
		return nil
	})
	w.WaitPings(t, 1)
	hung.Store(true)
	w.WaitStopped(t)
	errs := w.Log.At(slog.LevelError)
	if len(errs) != 1 || !strings.Contains(errs[0].Err, "did not return") {
		t.Fatalf("error log %+v, want one line saying the check did not return", errs)
	}
}

func countMsg(lines []sdnotifytest.Line, sub string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l.Msg, sub) {
			n++
		}
	}
	return n
}
