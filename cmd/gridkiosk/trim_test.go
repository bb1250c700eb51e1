package main

import (
	"context"
	"sync"
	"testing"
	"time"

	appstation "github.com/gridkiosk/gridkiosk/appliance/station"
)

// fakeSessions is a station whose session state the test sets; each
// SessionChanged call is counted, so that the test knows when
// trimWhenIdle has looked at a change and waits for the next.
type fakeSessions struct {
	mu      sync.Mutex
	state   string
	changed chan struct{}
	asked   int
}

func (f *fakeSessions) Session() appstation.SessionView {
	f.mu.Lock()
	defer f.mu.Unlock()
	return appstation.SessionView{State: f.state}
}

func (f *fakeSessions) SessionChanged() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked++
	return f.changed
}

func (f *fakeSessions) timesAsked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked
}

// set changes the state and tells the waiters.
func (f *fakeSessions) set(state string) {
	f.mu.Lock()
	f.state = state
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

// The kiosk gives its free heap back once start-up is over and each time
// a session ends, and not while a resident is at it nor again while it
// stays idle.
func TestTrimWhenIdle(t *testing.T) {
	f := &fakeSessions{state: appstation.SessionIdle, changed: make(chan struct{})}
	after := make(chan time.Time, 1)
	var mu sync.Mutex
	trims := 0
	count := func() int { mu.Lock(); defer mu.Unlock(); return trims }
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		trimWhenIdle(ctx, f, after, func() { mu.Lock(); trims++; mu.Unlock() })
	}()
	defer func() { cancel(); <-done }()
	// step changes the state (or ends start-up, for an empty state) and
	// waits until trimWhenIdle has looked and waits again.
	step := func(state string) {
		t.Helper()
		n := f.timesAsked()
		if state == "" {
			after <- time.Now()
		} else {
			f.set(state)
		}
		deadline := time.Now().Add(10 * time.Second)
		for f.timesAsked() == n {
			if time.Now().After(deadline) {
				t.Fatalf("trimWhenIdle did not look at %q", state)
			}
			time.Sleep(time.Millisecond)
		}
	}
	for _, tc := range []struct {
		state string // "" for the end of start-up
		want  int
	}{
		{appstation.SessionIdle, 0}, // still starting
		{appstation.SessionCard, 0},
		{appstation.SessionIdle, 0},
		{"", 1}, // start-up over, idle
		{appstation.SessionIdle, 1},
		{appstation.SessionCard, 1},
		{appstation.SessionSubmitted, 1},
		{appstation.SessionIdle, 2}, // the session ended
		{appstation.SessionIdle, 2},
	} {
		step(tc.state)
		if got := count(); got != tc.want {
			t.Fatalf("after %q: %d trims; want %d", tc.state, got, tc.want)
		}
	}
}
