package printer

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Conn is the line to a printer: a serial port, a USB printer-class
// device or a TCP socket. Read returns (0, nil) when nothing arrived
// within its poll interval.
type Conn interface {
	Read(b []byte) (int, error)
	Write(b []byte) (int, error)
	Close() error
}

// discarder is implemented by lines that can drop unread input, so a late
// status byte is not taken for the answer to the next query.
type discarder interface{ Discard() error }

// pacer is implemented by lines slower than the printer's buffer can
// absorb at once (RS-232): they say how long n bytes take on the wire.
type pacer interface{ WireTime(n int) time.Duration }

// Printer drives one receipt printer over a Conn.
type Printer struct {
	conn    Conn
	profile Profile
	// StatusTimeout bounds the wait for each status reply; default 500ms.
	StatusTimeout time.Duration
	// ConfirmMargin is added to a job's printing time to bound the wait
	// for its confirmation; default DefaultConfirmMargin.
	ConfirmMargin time.Duration
	// Chunk is how many bytes are written at a time; on a paced line the
	// next chunk waits for the previous one's wire time. Default 512.
	Chunk int

	replies replyReader
	pending []reply // read, not yet taken
	fences  []*Sent // GS r / ESC v sent and not answered, oldest first
	nextID  int     // the last process ID used
	asbLast Status  // the last automatic status
	waitPID bool    // a process ID response may still come
}

// New returns a Printer on conn printing with profile p.
func New(conn Conn, p Profile) *Printer {
	// Process IDs start where the clock says, so an answer meant for a
	// job sent on an earlier line to the same printer is unlikely to
	// carry the ID of one sent on this line.
	return &Printer{conn: conn, profile: p, StatusTimeout: 500 * time.Millisecond, Chunk: 512, ConfirmMargin: DefaultConfirmMargin,
		nextID: int(time.Now().UnixNano()/int64(time.Millisecond)) % 10000}
}

// Profile is the printer's profile.
func (p *Printer) Profile() Profile { return p.profile }

// Close closes the line.
func (p *Printer) Close() error { return p.conn.Close() }

// ErrNoStatus means the printer did not answer a status query: it is off,
// unplugged, or not an ESC/POS printer.
var ErrNoStatus = errors.New("printer: no answer to the status query (is the printer on and connected?)")

// Status asks the printer for its four real-time status bytes. The
// printer answers at once, even while its buffer still holds a job.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	if d, ok := p.conn.(discarder); ok && len(p.fences) == 0 && !p.waitPID {
		// Nothing else is expected: what is unread is a late reply.
		if err := d.Discard(); err != nil {
			return Status{}, fmt.Errorf("printer: status: %w", err)
		}
		p.pending = p.pending[:0]
	}
	p.dropRealTime()
	var replies [4]byte
	for i := range replies {
		if _, err := p.conn.Write([]byte{dle, 0x04, byte(i + 1)}); err != nil {
			return Status{}, fmt.Errorf("printer: status query: %w", err)
		}
		b, err := p.readRealTime(ctx)
		if err != nil {
			return Status{}, err
		}
		replies[i] = b
	}
	return ParseRealTimeStatus(replies)
}

// dropRealTime drops real-time replies that came too late for their
// query, so they are not taken for the next one's.
func (p *Printer) dropRealTime() {
	keep := p.pending[:0]
	for _, r := range p.pending {
		if r.kind != replyRealTime {
			keep = append(keep, r)
		}
	}
	p.pending = keep
}

// readRealTime returns the next reply to DLE EOT, keeping any other
// replies that come first.
func (p *Printer) readRealTime(ctx context.Context) (byte, error) {
	deadline := time.Now().Add(p.StatusTimeout)
	for {
		for i, r := range p.pending {
			if r.kind == replyRealTime {
				p.pending = append(p.pending[:i], p.pending[i+1:]...)
				return r.b, nil
			}
		}
		if err := p.readReplies(); err != nil {
			return 0, fmt.Errorf("printer: status reply: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if time.Now().After(deadline) && !p.hasRealTime() {
			return 0, ErrNoStatus
		}
	}
}

func (p *Printer) hasRealTime() bool {
	for _, r := range p.pending {
		if r.kind == replyRealTime {
			return true
		}
	}
	return false
}

// InterruptedError means the printer stopped during a job (cover opened,
// paper ran out) before confirming it: the receipt is not complete yet.
// The rest of the job stays in the printer's buffer, and a printer goes on
// where it stopped once paper is loaded or the cover closed: call
// [Printer.Await] again rather than sending the job twice.
type InterruptedError struct {
	Status Status
	Reason error // the printer's state, a *NotReadyError
}

func (e *InterruptedError) Error() string {
	return "printer: job interrupted: " + e.Reason.Error()
}

func (e *InterruptedError) Unwrap() error { return e.Reason }

// Print sends one job and returns once the printer confirms it printed
// (see [Confirm]). It refuses to start unless the printer reports ready
// (*NotReadyError). A printer that stops part way gives an
// *InterruptedError; one that cannot or did not confirm the job, an
// *UnconfirmedError.
func (p *Printer) Print(ctx context.Context, job []byte) error {
	s, err := p.Send(ctx, job)
	if err != nil {
		return err
	}
	return p.Await(ctx, s)
}

func (p *Printer) write(ctx context.Context, job []byte) error {
	chunk := max(p.Chunk, 1)
	pc, paced := p.conn.(pacer)
	for off := 0; off < len(job); off += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(off+chunk, len(job))
		start := time.Now()
		if _, err := p.conn.Write(job[off:end]); err != nil {
			return fmt.Errorf("printer: write job (byte %d of %d): %w", off, len(job), err)
		}
		if paced {
			// The printer's buffer drains at the line's speed; writing
			// faster only overruns it on lines without flow control.
			time.Sleep(time.Until(start.Add(pc.WireTime(end - off))))
		}
	}
	return nil
}
