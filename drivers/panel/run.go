package panel

import (
	"context"
	"errors"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// edgeWait bounds each wait for an edge. Run ends a wait by halting the
// pin (conn.Resource.Halt, which interrupts WaitForEdge in periph's GPIO
// drivers), so an idle panel does not wake to look at its context; the
// bound only limits how long Run takes to stop on a driver whose Halt
// does not interrupt. It must be finite and positive: gpioioctl takes 0
// as "wait for ever" and -1 as "already expired", sysfs and gpiotest the
// other way round.
const edgeWait = time.Minute

// badLineRetry is how long a watcher rests after a wait that failed at
// once, as some drivers' waits do when a line is in a bad state: it must
// not spin on them.
const badLineRetry = time.Second

// haltRetry is how often Run halts the inputs again while it stops: a
// watcher may start a new wait just after a halt, which some drivers
// (gpioioctl) then do not see.
const haltRetry = 20 * time.Millisecond

// maxQueued bounds the events waiting for a reader; beyond it the oldest
// are dropped, as a kiosk whose screen has hung must still blink.
const maxQueued = 64

// Run watches the inputs, sending an Event for each press, long press and
// change of presence to events (which may be nil), and plays the LED and
// buzzer patterns, until ctx ends. It returns ctx.Err() once everything it
// started has stopped. Run never blocks on events: events that wait for a
// reader are queued, and dropped when ctx ends.
func (p *Panel) Run(ctx context.Context, events chan<- Event) error {
	if err := p.begin(); err != nil {
		return err
	}
	defer p.end()
	r := p.newRunner(events)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	edges := make(chan edgeReport)
	var wg sync.WaitGroup
	for i, s := range r.inputs {
		pin := s.ln.pin
		wg.Go(func() { p.watch(ctx, i, pin, edges) })
	}
	err := r.loop(ctx, edges)
	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	p.mu.Lock()
	p.halted = true
	p.mu.Unlock()
	for {
		for _, s := range r.inputs {
			if herr := s.ln.pin.Halt(); herr != nil {
				p.log.Debug("panel: halt input", "function", s.ln.key, "err", herr)
			}
		}
		select {
		case <-done:
			return err
		case <-time.After(haltRetry):
		}
	}
}

func (p *Panel) begin() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return ErrClosed
	case p.running:
		return errors.New("panel: Run is already running")
	}
	if p.halted {
		// Halting a sysfs line turns its edge detection off.
		for i := range p.lines {
			if ln := &p.lines[i]; ln.pin != nil && ln.input {
				if err := p.configure(ln, ln.pin); err != nil {
					return err
				}
			}
		}
		p.halted = false
	}
	p.running = true
	return nil
}

// end silences the buzzer, which nothing would stop once Run is gone.
func (p *Panel) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = false
	p.beep.playing = false
	if !p.closed {
		p.write(&p.lines[fnBuzzer], gpio.Low)
	}
}

// edgeReport is an input's level just after an edge.
type edgeReport struct {
	input int // index in runner.inputs
	level gpio.Level
	at    time.Time
}

// watch reports each edge on pin until ctx ends. It waits for an edge
// without a short timeout: Run halts the pin to end the wait.
func (p *Panel) watch(ctx context.Context, i int, pin gpio.PinIO, edges chan<- edgeReport) {
	for ctx.Err() == nil {
		start := time.Now()
		if !pin.WaitForEdge(edgeWait) {
			if ctx.Err() == nil && time.Since(start) < edgeWait/2 {
				select {
				case <-ctx.Done():
				case <-time.After(badLineRetry):
				}
			}
			continue
		}
		// Read after the edge rather than trust the edge's direction:
		// WaitForEdge does not say it, and the last read of a burst of
		// edges is the level the line settled at.
		rep := edgeReport{input: i, level: pin.Read(), at: p.clock.Now()}
		select {
		case edges <- rep:
		case <-ctx.Done():
			return
		}
	}
}

// inputState is the debouncing state of one input, owned by Run's loop.
type inputState struct {
	ln       *line
	level    gpio.Level // as last read
	active   bool       // debounced
	since    time.Time  // first edge of the change to active's value
	settleAt time.Time  // when a pending change counts; zero: none pending
	changeAt time.Time  // first edge of the pending change
	longDone bool       // LongPressed sent for this press
}

type runner struct {
	p      *Panel
	events chan<- Event
	inputs []*inputState
	queue  []Event
}

func (p *Panel) newRunner(events chan<- Event) *runner {
	r := &runner{p: p, events: events}
	now := p.clock.Now()
	for _, fn := range []int{fnHelp, fnTech, fnPresence} {
		ln := &p.lines[fn]
		if ln.pin == nil {
			continue
		}
		// Start from idle and take the level found like an edge, so a
		// resident already in front of the sensor wakes the screen.
		s := &inputState{ln: ln, since: now}
		r.edge(s, ln.pin.Read(), now)
		r.inputs = append(r.inputs, s)
	}
	return r
}

// loop runs the panel until ctx ends.
func (r *runner) loop(ctx context.Context, edges <-chan edgeReport) error {
	var (
		timer <-chan time.Time
		armed time.Time
	)
	for {
		now := r.p.clock.Now()
		next := r.step(now)
		switch {
		case next.IsZero():
			timer, armed = nil, time.Time{}
		case !next.Equal(armed):
			// Re-arm only for a new deadline: each wake-up then waits on
			// one timer, and a fake clock sees exactly the deadlines due.
			timer, armed = r.p.clock.After(next.Sub(now)), next
		}
		var (
			out  chan<- Event
			head Event
		)
		if len(r.queue) > 0 {
			out, head = r.events, r.queue[0]
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-edges:
			r.edge(r.inputs[e.input], e.level, e.at)
		case <-r.p.wake:
		case <-timer:
			timer, armed = nil, time.Time{}
		case out <- head:
			r.queue = r.queue[1:]
		}
	}
}

// step does what is due at now and returns when it next has something to
// do (zero: only when an input changes or a pattern is set).
func (r *runner) step(now time.Time) time.Time {
	var next time.Time
	for _, s := range r.inputs {
		next = earliest(next, r.stepInput(s, now))
	}
	return earliest(next, r.p.stepOutputs(now))
}

// edge notes an input's level after an edge at at. Every edge restarts the
// debounce time, so a bouncing contact counts once it has settled.
func (r *runner) edge(s *inputState, level gpio.Level, at time.Time) {
	s.level = level
	if s.settleAt.IsZero() {
		if s.ln.active(level) == s.active {
			return // nothing changed that we can see
		}
		s.changeAt = at
	}
	s.settleAt = at.Add(r.p.debounce)
}

func (r *runner) stepInput(s *inputState, now time.Time) time.Time {
	if !s.settleAt.IsZero() {
		if now.Before(s.settleAt) {
			// A long press waits too: the pending change may be its
			// release.
			return s.settleAt
		}
		s.settleAt = time.Time{}
		if active := s.ln.active(s.level); active != s.active {
			r.change(s, active, now)
		}
	}
	if s.ln.button == "" || !s.active || s.longDone {
		return time.Time{}
	}
	due := s.since.Add(r.p.longPress)
	if now.Before(due) {
		return due
	}
	s.longDone = true
	r.emit(Event{Kind: LongPressed, Button: s.ln.button, At: now, Held: now.Sub(s.since)})
	return time.Time{}
}

// change makes a settled change of an input count.
func (r *runner) change(s *inputState, active bool, now time.Time) {
	held := s.changeAt.Sub(s.since)
	s.active, s.since = active, s.changeAt
	switch {
	case s.ln.button == "" && active:
		r.emit(Event{Kind: PresenceOn, At: now})
	case s.ln.button == "":
		r.emit(Event{Kind: PresenceOff, At: now})
	case active:
		s.longDone = false
	case !s.longDone:
		// Released after the long-press time while the release was
		// still settling: it was a long press all the same.
		kind := Pressed
		if held >= r.p.longPress {
			kind = LongPressed
		}
		r.emit(Event{Kind: kind, Button: s.ln.button, At: now, Held: held})
	}
}

func (r *runner) emit(e Event) {
	r.p.log.Debug("panel: event", "function", e.Function(), "event", e.Kind.String(), "held", e.Held)
	if r.events == nil {
		return
	}
	if len(r.queue) >= maxQueued {
		r.p.log.Warn("panel: nobody reads the panel's events; dropping the oldest", "dropped", r.queue[0].String())
		r.queue = r.queue[1:]
	}
	r.queue = append(r.queue, e)
}

// stepOutputs sets the LEDs and the buzzer to their patterns' levels at
// now and returns when one next changes (zero: none will).
func (p *Panel) stepOutputs(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return time.Time{}
	}
	var next time.Time
	for l := range numLEDs {
		ln := &p.lines[fnLED+int(l)]
		if ln.pin == nil {
			continue
		}
		st := p.leds[l]
		lvl, wait := st.pat.at(max(now.Sub(st.since), 0))
		p.write(ln, lvl)
		if wait > 0 {
			next = earliest(next, now.Add(wait))
		}
	}
	if p.beep.playing {
		segs := p.beep.b.segments()
		if now.Sub(p.beep.since) >= segs[p.beep.seg] {
			// One segment on, never more: a loop woken late (a loaded
			// board) still sounds every beep and every gap between them,
			// a little later, rather than running two beeps into one.
			p.beep.seg++
			p.beep.since = now
		}
		if p.beep.seg >= len(segs) {
			p.write(&p.lines[fnBuzzer], gpio.Low)
			p.beep.playing = false
		} else {
			p.write(&p.lines[fnBuzzer], p.beep.seg%2 == 0)
			next = earliest(next, p.beep.since.Add(segs[p.beep.seg]))
		}
	}
	return next
}

// earliest returns the earlier of a and b, a zero time standing for never.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}
