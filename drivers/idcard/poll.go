package idcard

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Run polls the reader until ctx ends, sending what happens on events:
// one CardLaid per card laid, CardLifted when it leaves, and ReaderLost
// and ReaderBack as the reader goes and comes. A read that fails half-way
// is retried and never reported as a card. Run closes the port and
// returns ctx.Err() when ctx ends.
func (r *Reader) Run(ctx context.Context, events chan<- Event) error {
	defer r.Close()
	p := poller{r: r, events: events}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		wait := p.step(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// poller is the state of Run's loop.
type poller struct {
	r        *Reader
	events   chan<- Event
	up       bool // the reader answered since the port was opened
	lostSent bool // ReaderLost was sent and ReaderBack not yet
	present  bool // a card was read and has not been lifted
	silent   int  // commands in a row with no answer
	reopen   int  // failed reopen attempts in a row
}

// step does one round and returns how long to wait before the next.
func (p *poller) step(ctx context.Context) time.Duration {
	r := p.r
	if !p.up {
		return p.connect(ctx)
	}
	if p.present {
		// A card swapped for another between two polls is still
		// selectable, so ask for a new card first: find succeeds only for
		// a card not yet read.
		fresh, err := r.Find(ctx)
		if err != nil {
			return p.trouble(ctx, err)
		}
		still := false
		if !fresh {
			if still, err = r.Select(ctx); err != nil {
				return p.trouble(ctx, err)
			}
		}
		p.silent = 0
		if !still {
			p.present = false
			p.emit(ctx, Event{Kind: CardLifted})
			if fresh {
				return 0
			}
		}
		return r.opt.Poll
	}
	card, ph, err := p.readOne(ctx)
	if err != nil {
		return p.trouble(ctx, err)
	}
	p.silent = 0
	if card != nil {
		p.present = true
		p.emit(ctx, Event{Kind: CardLaid, Card: card, Phases: ph})
	}
	return r.opt.Poll
}

// connect opens the port and checks that a working reader is on it.
func (p *poller) connect(ctx context.Context) time.Duration {
	r := p.r
	err := r.Connect()
	if err == nil {
		err = r.SAMStatus(ctx)
	}
	var id SAMID
	if err == nil {
		id, err = r.SAMID(ctx)
	}
	if err != nil {
		r.Close()
		p.lost(ctx, fmt.Errorf("idcard: reader not ready: %w", err))
		p.reopen++
		ceil := r.opt.ReopenMin << min(p.reopen, 20)
		if ceil <= 0 || ceil > r.opt.ReopenMax {
			ceil = r.opt.ReopenMax
		}
		return ceil/2 + rand.N(ceil/2+1)
	}
	p.up, p.reopen, p.silent, p.lostSent = true, 0, 0, false
	// A card read before the reader went away may still lie there; read
	// it again rather than assume it was lifted.
	p.present = false
	p.emit(ctx, Event{Kind: ReaderBack, SAMID: id.String()})
	return 0
}

// readOne does find → select → read. A read that fails half-way is
// retried with select → read: the reader counts the card as read once it
// has sent it, so find would not report it again until it is laid anew.
func (p *poller) readOne(ctx context.Context) (*Card, Phases, error) {
	r := p.r
	var ph Phases
	r.bytes = 0
	t0 := time.Now()
	found, err := r.Find(ctx)
	ph.Find = time.Since(t0)
	if err != nil || !found {
		return nil, ph, err
	}
	var lastErr error
	for attempt := 0; attempt <= r.opt.Retries; attempt++ {
		ph.Attempts = attempt + 1
		t1 := time.Now()
		ok, err := r.Select(ctx)
		ph.Select = time.Since(t1)
		if gone(err) {
			return nil, ph, err
		}
		if err != nil {
			lastErr = err
			continue
		}
		if !ok {
			lastErr = errors.New("idcard: the card left the reader during the read")
			break
		}
		t2 := time.Now()
		c, err := r.ReadCard(ctx)
		ph.Read = time.Since(t2)
		if err == nil {
			ph.Bytes = r.bytes
			return &c, ph, nil
		}
		if gone(err) || ctx.Err() != nil {
			return nil, ph, err
		}
		lastErr = err
		r.opt.Log.Warn("idcard: card read failed half-way; trying again", "attempt", attempt+1, "err", err)
	}
	// A card that failed every attempt is not reported: the resident is
	// asked by the screen's silence to lay it again, and a new lay is a
	// new find.
	r.opt.Log.Warn("idcard: card could not be read; lay it again", "err", lastErr)
	return nil, ph, nil
}

// trouble handles a failed command: an unplug closes the port at once; a
// silent reader is given MaxSilent chances.
func (p *poller) trouble(ctx context.Context, err error) time.Duration {
	if ctx.Err() != nil {
		return 0
	}
	var se *StatusError
	if errors.As(err, &se) {
		// The reader answered, only not with success: it is there.
		p.r.opt.Log.Warn("idcard: command failed", "err", err)
		return p.r.opt.Poll
	}
	if !gone(err) {
		// No answer, a garbled one, or a line that fails in some other
		// way: a few in a row mean the reader is not usable.
		p.silent++
		if p.silent < p.r.opt.MaxSilent {
			return 0
		}
	}
	p.r.Close()
	p.up, p.present = false, false
	p.lost(ctx, err)
	return p.r.opt.ReopenMin
}

func (p *poller) lost(ctx context.Context, err error) {
	if p.lostSent {
		return
	}
	p.lostSent = true
	p.r.opt.Log.Warn("idcard: reader lost", "err", err)
	p.emit(ctx, Event{Kind: ReaderLost, Err: err})
}

func (p *poller) emit(ctx context.Context, e Event) {
	e.At = time.Now()
	select {
	case p.events <- e:
	case <-ctx.Done():
	}
}

// gone reports whether err means the port itself went away. The serial
// port package marks such errors; the driver only asks through this
// interface so it does not depend on that package.
func gone(err error) bool {
	var g interface{ Gone() bool }
	if errors.As(err, &g) {
		return g.Gone()
	}
	return false
}
