// Package fakeclock provides a clock for tests whose time moves only when
// the test advances it, so that code measuring durations and waiting on
// timers can be checked to the nanosecond, without sleeping.
//
// A test synchronises with the code under test through the timers that
// code arms: WaitFor and WaitLast block until a timer for a given instant
// is pending, which proves the code has done all it was going to do
// before waiting for that instant.
package fakeclock

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Clock is a fake clock. Its methods are safe for concurrent use.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []*waiter // pending, in the order armed
	last    *waiter   // the timer armed last, pending or not
	// changed is closed, and replaced, whenever a timer is armed, so
	// WaitFor need not poll.
	changed chan struct{}
}

type waiter struct {
	at    time.Time
	c     chan time.Time
	fired bool
}

// New returns a clock that reads start until advanced.
func New(start time.Time) *Clock {
	return &Clock{now: start, changed: make(chan struct{})}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the clock's time once the clock
// has been advanced by d or more. A d of zero or less fires at once, as
// time.After does.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.last = &waiter{at: c.now.Add(d), c: ch}
	c.waiters = append(c.waiters, c.last)
	close(c.changed)
	c.changed = make(chan struct{})
	return ch
}

// Advance moves the clock forward by d and fires, earliest first, every
// timer that is then due.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		panic(fmt.Sprintf("fakeclock: Advance(%v): time does not go back", d))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	due := slices.DeleteFunc(slices.Clone(c.waiters), func(w *waiter) bool { return w.at.After(c.now) })
	slices.SortStableFunc(due, func(a, b *waiter) int { return a.at.Compare(b.at) })
	for _, w := range due {
		w.c <- c.now // buffered and sent to once: never blocks
		w.fired = true
	}
	c.waiters = slices.DeleteFunc(c.waiters, func(w *waiter) bool { return w.fired })
}

// AdvanceTo moves the clock forward to t, as Advance does.
func (c *Clock) AdvanceTo(t time.Time) {
	c.Advance(t.Sub(c.Now()))
}

// Pending returns the instants the armed timers wait for, earliest first.
// Timers whose channel the code under test abandoned are included: the
// clock cannot tell them apart.
func (c *Clock) Pending() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	at := make([]time.Time, len(c.waiters))
	for i, w := range c.waiters {
		at[i] = w.at
	}
	slices.SortFunc(at, time.Time.Compare)
	return at
}

// WaitFor blocks until a timer for exactly t is pending, or ctx ends.
func (c *Clock) WaitFor(ctx context.Context, t time.Time) error {
	return c.wait(ctx, t, func() bool {
		return slices.ContainsFunc(c.waiters, func(w *waiter) bool { return w.at.Equal(t) })
	})
}

// WaitLast blocks until the timer armed last is pending for exactly t, or
// ctx ends. For code that keeps one timer at a time and abandons it when
// its deadline moves, that timer is the live one: a test can tell it from
// the abandoned ones, which WaitFor would also find.
func (c *Clock) WaitLast(ctx context.Context, t time.Time) error {
	return c.wait(ctx, t, func() bool {
		return c.last != nil && !c.last.fired && c.last.at.Equal(t)
	})
}

// wait blocks until found, called with c.mu held, or ctx ends.
func (c *Clock) wait(ctx context.Context, t time.Time, found func() bool) error {
	for {
		c.mu.Lock()
		ok, changed := found(), c.changed
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("fakeclock: no timer for %v armed (pending: %v): %w", t, c.Pending(), context.Cause(ctx))
		}
	}
}
