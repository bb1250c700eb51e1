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
	// Chunk is how many bytes are written at a time; on a paced line the
	// next chunk waits for the previous one's wire time. Default 512.
	Chunk int
}

// New returns a Printer on conn printing with profile p.
func New(conn Conn, p Profile) *Printer {
	return &Printer{conn: conn, profile: p, StatusTimeout: 500 * time.Millisecond, Chunk: 512}
}

// Profile is the printer's profile.
func (p *Printer) Profile() Profile { return p.profile }

// Close closes the line.
func (p *Printer) Close() error { return p.conn.Close() }

// ErrNoStatus means the printer did not answer a status query: it is off,
// unplugged, or not an ESC/POS printer.
var ErrNoStatus = errors.New("printer: no answer to the status query (is the printer on and connected?)")

// Status asks the printer for its four real-time status bytes.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	if d, ok := p.conn.(discarder); ok {
		if err := d.Discard(); err != nil {
			return Status{}, fmt.Errorf("printer: status: %w", err)
		}
	}
	var replies [4]byte
	for i := range replies {
		if _, err := p.conn.Write([]byte{0x10, 0x04, byte(i + 1)}); err != nil {
			return Status{}, fmt.Errorf("printer: status query: %w", err)
		}
		b, err := p.readByte(ctx)
		if err != nil {
			return Status{}, err
		}
		replies[i] = b
	}
	return ParseRealTimeStatus(replies)
}

func (p *Printer) readByte(ctx context.Context) (byte, error) {
	deadline := time.Now().Add(p.StatusTimeout)
	var b [1]byte
	for {
		n, err := p.conn.Read(b[:])
		if err != nil {
			return 0, fmt.Errorf("printer: status reply: %w", err)
		}
		if n == 1 {
			return b[0], nil
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if time.Now().After(deadline) {
			return 0, ErrNoStatus
		}
	}
}

// InterruptedError means the printer stopped during a job (cover opened,
// paper ran out): the receipt is incomplete and must be printed again
// once the printer is ready.
type InterruptedError struct {
	Status Status
	Reason error // the printer's state, a *NotReadyError
}

func (e *InterruptedError) Error() string {
	return "printer: job interrupted: " + e.Reason.Error()
}

func (e *InterruptedError) Unwrap() error { return e.Reason }

// Print sends one job. It refuses to start unless the printer reports
// ready, and checks again afterwards, so a job the printer dropped half
// way is reported (*InterruptedError) rather than lost.
func (p *Printer) Print(ctx context.Context, job []byte) error {
	st, err := p.Status(ctx)
	if err != nil {
		return err
	}
	if err := st.Ready(); err != nil {
		return err
	}
	if err := p.write(ctx, job); err != nil {
		return err
	}
	st, err = p.Status(ctx)
	if err != nil {
		return err
	}
	if err := st.Ready(); err != nil {
		return &InterruptedError{Status: st, Reason: err}
	}
	return nil
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
