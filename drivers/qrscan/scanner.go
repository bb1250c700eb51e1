package qrscan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Port is the scanner's line; *serialport.Port is one. Read returns
// (0, nil) when nothing arrived within its poll interval.
type Port interface {
	Read(b []byte) (int, error)
	Write(b []byte) (int, error)
	Close() error
}

// Options tune a Scanner.
type Options struct {
	// Ending says what ends a code: the scanner's suffix (configured,
	// or learned from the first code that ends in CR or LF) or the idle
	// gap. The zero value learns.
	Ending Ending
	// IdleGap ends a code when no byte followed for this long, for
	// scanners that send no suffix; default 80ms. The port's poll
	// interval bounds how finely it is measured. It never ends a code of
	// a scanner whose suffix is known: a line that pauses inside a code
	// (a USB bridge's packets, a busy machine) would cut it in two.
	IdleGap time.Duration
	// StaleGap ends a code that has waited this long for a learned
	// suffix, and forgets the suffix; default 1s. It is the way out of
	// a wrong lesson: a scanner without a suffix whose code held a CR.
	StaleGap  time.Duration
	MaxLen    int           // longest code kept; default DefaultMaxLen
	ReopenMin time.Duration // first wait before reopening a lost port; default 200ms
	ReopenMax time.Duration // default 5s
	// Trigger is the command set of a scanner that reads only when told
	// ("honeywell", "gm65"; see TriggerCommand); empty for one that
	// reads whatever it is shown.
	Trigger string
	// ReadWindow is how long a triggered read waits for a code; default 5s.
	ReadWindow time.Duration
	// IdleWait is how long a read waits while no code is coming in, on
	// a port that can wait longer than its poll interval (idlePort);
	// default 2s. An idle kiosk's scanner then wakes it once in IdleWait
	// instead of ten times a second; a code, a trigger and the end of
	// Run still come at once.
	IdleWait time.Duration
	Log      *slog.Logger
}

// idlePort is a Port that can wait longer than its poll interval and be
// woken from another goroutine (serialport.Port).
type idlePort interface {
	ReadWait(b []byte, d time.Duration) (int, error)
	Wake()
}

// EventKind says what happened at the scanner.
type EventKind int

const (
	CodeRead    EventKind = iota + 1 // Event.Code holds the code
	ScannerLost                      // the line went away
	ScannerBack                      // the line is open (also at first contact)
	CodeTooLong                      // a code longer than MaxLen was dropped
	ReadTimeout                      // a triggered read window passed without a code
)

// Event is one thing the scanner reports.
type Event struct {
	Kind EventKind
	Code Code
	Err  error
	At   time.Time
}

// Scanner reads codes from one scanner.
type Scanner struct {
	open func() (Port, error)
	opt  Options
	trig chan struct{} // a pending Trigger; one is enough
	// wake ends the open port's idle wait, for Trigger; nil when the
	// port has none.
	mu   sync.Mutex
	wake func()
}

// NewScanner returns a Scanner that opens its port with open.
func NewScanner(open func() (Port, error), opt Options) *Scanner {
	if opt.IdleGap <= 0 {
		opt.IdleGap = 80 * time.Millisecond
	}
	if opt.StaleGap <= 0 {
		opt.StaleGap = time.Second
	}
	if opt.ReopenMin <= 0 {
		opt.ReopenMin = 200 * time.Millisecond
	}
	if opt.ReopenMax < opt.ReopenMin {
		opt.ReopenMax = max(5*time.Second, opt.ReopenMin)
	}
	if opt.ReadWindow <= 0 {
		opt.ReadWindow = 5 * time.Second
	}
	if opt.IdleWait <= 0 {
		opt.IdleWait = 2 * time.Second
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	return &Scanner{open: open, opt: opt, trig: make(chan struct{}, 1)}
}

// Trigger starts a read on a command-triggered scanner: Run sends the
// start command and, if no code comes within ReadWindow, the stop command
// and a ReadTimeout event. It does not wait for the read.
func (s *Scanner) Trigger() error {
	if TriggerCommand(s.opt.Trigger, true) == nil {
		return fmt.Errorf("qrscan: trigger: scanner command set %q has no trigger (want honeywell or gm65)", s.opt.Trigger)
	}
	select {
	case s.trig <- struct{}{}:
	default: // a read is already asked for
	}
	s.mu.Lock()
	if s.wake != nil {
		s.wake()
	}
	s.mu.Unlock()
	return nil
}

// Run reads codes until ctx ends, reopening the port after an unplug.
func (s *Scanner) Run(ctx context.Context, events chan<- Event) error {
	failures := 0
	lostSent := false
	for {
		p, err := s.open()
		if err != nil {
			if !lostSent {
				s.emit(ctx, events, Event{Kind: ScannerLost, Err: err})
				lostSent = true
			}
			failures++
			ceil := min(s.opt.ReopenMin<<min(failures, 20), s.opt.ReopenMax)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(ceil/2 + rand.N(ceil/2+1)):
			}
			continue
		}
		failures, lostSent = 0, false
		s.emit(ctx, events, Event{Kind: ScannerBack})
		err = s.read(ctx, p, events)
		p.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.opt.Log.Warn("qrscan: scanner lost", "err", err)
		s.emit(ctx, events, Event{Kind: ScannerLost, Err: err})
		lostSent = true
	}
}

// read reads one open port until it fails or ctx ends.
func (s *Scanner) read(ctx context.Context, p Port, events chan<- Event) error {
	f := NewFramer(s.opt.MaxLen)
	buf := make([]byte, 1024)
	var last, window time.Time // window: end of a triggered read, or zero
	dropped := 0
	// suffixless: a code has ended on a long pause with no CR or LF, so
	// the scanner sends none and the short idle gap ends its codes.
	suffixless := false
	ip, _ := p.(idlePort)
	if ip != nil {
		s.mu.Lock()
		s.wake = ip.Wake
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.wake = nil
			s.mu.Unlock()
		}()
		defer context.AfterFunc(ctx, ip.Wake)()
	}
	for ctx.Err() == nil {
		var n int
		var err error
		if ip != nil && !f.Pending() && window.IsZero() && len(s.trig) == 0 {
			n, err = ip.ReadWait(buf, s.opt.IdleWait)
		} else {
			n, err = p.Read(buf)
		}
		if err != nil {
			return err
		}
		now := time.Now()
		if window, err = s.trigger(ctx, p, events, window, now); err != nil {
			return err
		}
		if n == 0 {
			if s.idleEnds(f, now.Sub(last), &suffixless) {
				s.code(ctx, events, f.Flush())
				window = time.Time{}
			}
			continue
		}
		last = now
		for _, raw := range f.Feed(buf[:n]) {
			s.code(ctx, events, raw)
			window = time.Time{}
		}
		if f.Dropped > dropped {
			dropped = f.Dropped
			s.emit(ctx, events, Event{Kind: CodeTooLong, Err: errors.New("qrscan: a code longer than the limit was dropped (a stuck scanner or line noise?)")})
		}
	}
	return ctx.Err()
}

// idleEnds reports whether a pause of idle ends the code in progress.
// Until the scanner is known to send no suffix, only a long pause
// (StaleGap) ends a code without one: a code that arrives in pieces (a
// USB bridge, a loaded board) is not cut at its first short pause before
// its CR has had the time to come.
func (s *Scanner) idleEnds(f *Framer, idle time.Duration, suffixless *bool) bool {
	if !f.Pending() {
		return false
	}
	switch {
	case s.opt.Ending == EndIdle, s.opt.Ending == EndLearn && !f.Suffixed() && *suffixless:
		return idle >= s.opt.IdleGap
	case s.opt.Ending == EndLearn && !f.Suffixed() && idle >= s.opt.StaleGap:
		s.opt.Log.Info("qrscan: a code ended without CR or LF; ending codes on the idle gap from now on",
			"waited", idle.Round(time.Millisecond))
		*suffixless = true
		return true
	case s.opt.Ending == EndLearn && f.Suffixed() && idle >= s.opt.StaleGap:
		s.opt.Log.Warn("qrscan: a code waited for the suffix learned earlier and did not get it; ending codes on the idle gap again",
			"waited", idle.Round(time.Millisecond))
		f.Unlearn()
		*suffixless = true
		return true
	}
	return false
}

// trigger starts a read asked for by Trigger and ends one whose window
// passed, returning the window now open. The port's poll interval (100 ms
// for a serial port) bounds how late a window closes.
func (s *Scanner) trigger(ctx context.Context, p Port, events chan<- Event, window, now time.Time) (time.Time, error) {
	select {
	case <-s.trig:
		if _, err := p.Write(TriggerCommand(s.opt.Trigger, true)); err != nil {
			return window, fmt.Errorf("qrscan: send trigger: %w", err)
		}
		return now.Add(s.opt.ReadWindow), nil
	default:
	}
	if window.IsZero() || now.Before(window) {
		return window, nil
	}
	if stop := TriggerCommand(s.opt.Trigger, false); stop != nil {
		if _, err := p.Write(stop); err != nil {
			return time.Time{}, fmt.Errorf("qrscan: send stop: %w", err)
		}
	}
	s.emit(ctx, events, Event{Kind: ReadTimeout, Err: fmt.Errorf("qrscan: no code within %v of the trigger", s.opt.ReadWindow)})
	return time.Time{}, nil
}

func (s *Scanner) code(ctx context.Context, events chan<- Event, raw []byte) {
	if raw == nil {
		return
	}
	s.emit(ctx, events, Event{Kind: CodeRead, Code: Decode(raw)})
}

func (s *Scanner) emit(ctx context.Context, events chan<- Event, e Event) {
	e.At = time.Now()
	select {
	case events <- e:
	case <-ctx.Done():
	}
}
