package qrscan

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
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
	// IdleGap ends a code when no byte followed for this long, for
	// scanners that send no suffix; default 80ms. The port's poll
	// interval bounds how finely it is measured.
	IdleGap   time.Duration
	MaxLen    int           // longest code kept; default DefaultMaxLen
	ReopenMin time.Duration // first wait before reopening a lost port; default 200ms
	ReopenMax time.Duration // default 5s
	Log       *slog.Logger
}

// EventKind says what happened at the scanner.
type EventKind int

const (
	CodeRead    EventKind = iota + 1 // Event.Code holds the code
	ScannerLost                      // the line went away
	ScannerBack                      // the line is open (also at first contact)
	CodeTooLong                      // a code longer than MaxLen was dropped
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
}

// NewScanner returns a Scanner that opens its port with open.
func NewScanner(open func() (Port, error), opt Options) *Scanner {
	if opt.IdleGap <= 0 {
		opt.IdleGap = 80 * time.Millisecond
	}
	if opt.ReopenMin <= 0 {
		opt.ReopenMin = 200 * time.Millisecond
	}
	if opt.ReopenMax < opt.ReopenMin {
		opt.ReopenMax = max(5*time.Second, opt.ReopenMin)
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	return &Scanner{open: open, opt: opt}
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
	var last time.Time
	dropped := 0
	for ctx.Err() == nil {
		n, err := p.Read(buf)
		if err != nil {
			return err
		}
		now := time.Now()
		if n == 0 {
			if f.Pending() && now.Sub(last) >= s.opt.IdleGap {
				s.code(ctx, events, f.Flush())
			}
			continue
		}
		last = now
		for _, raw := range f.Feed(buf[:n]) {
			s.code(ctx, events, raw)
		}
		if f.Dropped > dropped {
			dropped = f.Dropped
			s.emit(ctx, events, Event{Kind: CodeTooLong, Err: errors.New("qrscan: a code longer than the limit was dropped (a stuck scanner or line noise?)")})
		}
	}
	return ctx.Err()
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
