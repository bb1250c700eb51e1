package printer

import (
	"context"
	"fmt"
	"time"
)

// Confirm is how a printer can tell that a job has printed. A write
// returns once the bytes are in the printer's buffer (or the kernel's, or
// the network's), long before the paper is out; only a request the printer
// processes in order, after the job, says the job is on paper.
type Confirm int

const (
	// ConfirmNone: the printer offers no request processed in order.
	// Print watches its status while the job should be printing and then
	// returns an [*UnconfirmedError]: it cannot say the receipt printed.
	ConfirmNone Confirm = iota
	// ConfirmStatus: GS r 1 (paper sensor status), which most ESC/POS
	// printers answer once everything before it has printed.
	ConfirmStatus
	// ConfirmESCv: ESC v, the older form of GS r 1.
	ConfirmESCv
	// ConfirmProcessID: GS ( H fn 48, whose response carries the job's
	// own process ID, so a late answer to an earlier job is never taken for
	// this one's.
	ConfirmProcessID
)

func (c Confirm) String() string {
	switch c {
	case ConfirmStatus:
		return "gs-r"
	case ConfirmESCv:
		return "esc-v"
	case ConfirmProcessID:
		return "process-id"
	}
	return "none"
}

// ParseConfirm reads a Confirm as [Confirm.String] writes it.
func ParseConfirm(s string) (Confirm, error) {
	for _, c := range []Confirm{ConfirmNone, ConfirmStatus, ConfirmESCv, ConfirmProcessID} {
		if c.String() == s {
			return c, nil
		}
	}
	return ConfirmNone, fmt.Errorf("printer: %q is not a way to confirm printing: want gs-r, esc-v, process-id or none", s)
}

const (
	// defaultSpeed is the printing speed assumed without a profile's: a
	// slow 58 mm printer prints about 30 lines of text a second, some
	// 1,000 bytes; raster data goes faster per byte.
	defaultSpeed = 1000

	// DefaultConfirmMargin is added to a job's printing time before it
	// counts as unconfirmed: the paper feed and cut, and a printer warming
	// up.
	DefaultConfirmMargin = 10 * time.Second

	// statusEvery is how often a printer without ASB is asked its state
	// while a job prints.
	statusEvery = 250 * time.Millisecond
)

// PrintTime is how long the printer takes to print n bytes at its
// slowest ([Profile.Speed]).
func (p Profile) PrintTime(n int) time.Duration {
	speed := p.Speed
	if speed <= 0 {
		speed = defaultSpeed
	}
	return time.Duration(n) * time.Second / time.Duration(speed)
}

// UnconfirmedError means the job was sent and the printer reported no
// problem, but it did not say the job printed: either it has no way to
// (NoWay), or no answer came within Limit.
type UnconfirmedError struct {
	NoWay bool
	Limit time.Duration
}

func (e *UnconfirmedError) Error() string {
	if e.NoWay {
		return "printer: job sent, but this printer cannot confirm it printed (no GS r, ESC v or process ID response)"
	}
	return fmt.Sprintf("printer: job sent, but the printer did not confirm it printed within %v", e.Limit.Round(time.Second))
}

// Sent is a job in the printer's buffer, waiting to be confirmed.
type Sent struct {
	n     int
	id    [4]byte // ConfirmProcessID
	fence bool    // a GS r / ESC v is outstanding for it
}

// Send checks that the printer is ready, sends job and after it the
// profile's completion request. Its result is for [Printer.Await].
func (p *Printer) Send(ctx context.Context, job []byte) (*Sent, error) {
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	if err := st.Ready(); err != nil {
		return nil, err
	}
	if p.profile.ASB && !p.replies.asb {
		if _, err := p.conn.Write(EnableASB()); err != nil {
			return nil, fmt.Errorf("printer: enable ASB: %w", err)
		}
		p.replies.asb = true
	}
	if err := p.write(ctx, job); err != nil {
		return nil, err
	}
	s := &Sent{n: len(job)}
	var fence []byte
	switch p.profile.Confirm {
	case ConfirmStatus:
		fence, s.fence = []byte{gs, 'r', 1}, true
	case ConfirmESCv:
		fence, s.fence = []byte{esc, 'v'}, true
	case ConfirmProcessID:
		p.nextID = (p.nextID + 1) % 10000
		copy(s.id[:], fmt.Sprintf("%04d", p.nextID))
		fence = append([]byte{gs, '(', 'H', 6, 0, 0x30, 0x30}, s.id[:]...)
	}
	if fence != nil {
		if _, err := p.conn.Write(fence); err != nil {
			return nil, fmt.Errorf("printer: completion request: %w", err)
		}
		if s.fence {
			p.fences = append(p.fences, s)
		} else {
			p.waitPID = true
		}
	}
	return s, nil
}

// Await waits until the printer confirms s printed (nil), stops
// (*InterruptedError: the job stays in its buffer; call Await again once
// the printer is ready, and it goes on where it stopped), or the job's
// printing time ([Profile.PrintTime]) and a margin pass without an answer
// (*UnconfirmedError). A printer without a completion request is watched
// for the job's printing time and then reported as unconfirmed.
func (p *Printer) Await(ctx context.Context, s *Sent) error {
	dur := p.profile.PrintTime(s.n)
	limit := dur + p.ConfirmMargin
	if p.profile.Confirm == ConfirmNone {
		limit = dur + time.Second
	}
	deadline := time.Now().Add(limit)
	nextPoll := time.Now()
	for {
		if p.confirmed(s) {
			return nil
		}
		if st, ok := p.asbStatus(); ok && st.Ready() != nil {
			return &InterruptedError{Status: st, Reason: st.Ready()}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		now := time.Now()
		if now.After(deadline) {
			return &UnconfirmedError{NoWay: p.profile.Confirm == ConfirmNone, Limit: limit}
		}
		if !p.replies.asb && !now.Before(nextPoll) {
			st, err := p.Status(ctx)
			if err != nil {
				return err
			}
			if err := st.Ready(); err != nil {
				return &InterruptedError{Status: st, Reason: err}
			}
			nextPoll = time.Now().Add(statusEvery)
			continue
		}
		if err := p.readReplies(); err != nil {
			return err
		}
	}
}

// confirmed takes the replies that arrived and reports whether one
// confirms s.
func (p *Printer) confirmed(s *Sent) bool {
	keep := p.pending[:0]
	done := false
	for _, r := range p.pending {
		switch r.kind {
		case replyProcessID:
			if p.profile.Confirm == ConfirmProcessID && r.id == s.id {
				done, p.waitPID = true, false
			}
		case replyPaper:
			// In-order replies answer the oldest request outstanding.
			if len(p.fences) > 0 {
				done = done || p.fences[0] == s
				p.fences = p.fences[1:]
			}
		default:
			keep = append(keep, r)
		}
	}
	p.pending = keep
	return done
}

// asbStatus returns the last automatic status among the replies.
func (p *Printer) asbStatus() (Status, bool) {
	keep := p.pending[:0]
	var st Status
	ok := false
	for _, r := range p.pending {
		if r.kind == replyASB {
			st, ok = r.st, true
			continue
		}
		keep = append(keep, r)
	}
	p.pending = keep
	if ok {
		p.asbLast = st
	}
	return st, ok
}

// readReplies reads what the printer sent within one poll interval.
func (p *Printer) readReplies() error {
	var b [64]byte
	n, err := p.conn.Read(b[:])
	if err != nil {
		return fmt.Errorf("printer: read reply: %w", err)
	}
	p.pending = append(p.pending, p.replies.feed(b[:n])...)
	return nil
}
