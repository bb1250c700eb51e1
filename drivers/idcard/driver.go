package idcard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Port is the line a reader is on; *serialport.Port is one. Read returns
// (0, nil) when nothing arrived within its poll interval.
type Port interface {
	Read(b []byte) (int, error)
	Write(b []byte) (int, error)
	Discard() error
	Close() error
}

// Opener opens the reader's port; the driver calls it again after an
// unplug.
type Opener func() (Port, error)

// Options tune a Reader. Zero values take the defaults, which follow what
// readers in the field need.
type Options struct {
	Poll        time.Duration // between find attempts; default 500ms
	CmdTimeout  time.Duration // find, select, SAM commands; default 500ms
	ReadTimeout time.Duration // read text+photo; default 2s (3s with fingerprint)
	Retries     int           // extra attempts at a read that failed half-way; default 2
	Fingerprint bool          // also read the fingerprint block
	// MaxSilent is how many commands in a row may go unanswered before the
	// reader counts as lost; default 3.
	MaxSilent int
	ReopenMin time.Duration // first wait before reopening a lost port; default 200ms
	ReopenMax time.Duration // longest wait between reopen attempts; default 5s
	Log       *slog.Logger
}

func (o *Options) defaults() {
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.CmdTimeout <= 0 {
		o.CmdTimeout = 500 * time.Millisecond
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 2 * time.Second
		if o.Fingerprint {
			o.ReadTimeout = 3 * time.Second
		}
	}
	if o.Retries <= 0 {
		o.Retries = 2
	}
	if o.MaxSilent <= 0 {
		o.MaxSilent = 3
	}
	if o.ReopenMin <= 0 {
		o.ReopenMin = 200 * time.Millisecond
	}
	if o.ReopenMax < o.ReopenMin {
		o.ReopenMax = max(5*time.Second, o.ReopenMin)
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// EventKind says what happened at the reader.
type EventKind int

const (
	CardLaid   EventKind = iota + 1 // a card was read; Event.Card holds it
	CardLifted                      // the card that was read left the reader
	ReaderLost                      // the reader stopped answering or was unplugged
	ReaderBack                      // the reader answers (also at first contact)
)

func (k EventKind) String() string {
	switch k {
	case CardLaid:
		return "card laid"
	case CardLifted:
		return "card lifted"
	case ReaderLost:
		return "reader lost"
	case ReaderBack:
		return "reader back"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Phases is how long each step of a card read took, and the bytes it
// moved over the line, for the technician's probe and the benchmarks.
type Phases struct {
	Find, Select, Read time.Duration
	Bytes              int // bytes exchanged (commands and replies) for this card
	Attempts           int
}

// Event is one thing the poll loop reports.
type Event struct {
	Kind   EventKind
	At     time.Time
	Card   *Card  // CardLaid
	SAMID  string // ReaderBack
	Phases Phases // CardLaid
	Err    error  // ReaderLost: why
}

// ErrNoReply means the reader did not answer a command in time.
const ErrNoReply = errNoReply("idcard: the reader did not answer")

type errNoReply string

func (e errNoReply) Error() string { return string(e) }

// Reader drives one card reader. Its methods must not be called
// concurrently; Run owns the Reader until it returns.
type Reader struct {
	open  Opener
	opt   Options
	port  Port
	rx    []byte
	bytes int // bytes moved since the counter was last reset
}

// NewReader returns a Reader that opens its port with open.
func NewReader(open Opener, opt Options) *Reader {
	opt.defaults()
	return &Reader{open: open, opt: opt}
}

// Connect opens the port if it is not open.
func (r *Reader) Connect() error {
	if r.port != nil {
		return nil
	}
	p, err := r.open()
	if err != nil {
		return err
	}
	r.port, r.rx = p, r.rx[:0]
	return nil
}

// Close closes the port.
func (r *Reader) Close() error {
	if r.port == nil {
		return nil
	}
	err := r.port.Close()
	r.port = nil
	return err
}

// Exchange sends one command and waits up to timeout for its reply. A
// reply that is not a valid frame is an error: the caller retries the
// step rather than trust its bytes.
func (r *Reader) Exchange(ctx context.Context, cmd Command, data []byte, timeout time.Duration) (Reply, error) {
	if err := r.Connect(); err != nil {
		return Reply{}, err
	}
	// Bytes left from an earlier, abandoned reply must not be taken for
	// this command's answer.
	if err := r.port.Discard(); err != nil {
		return Reply{}, err
	}
	r.rx = r.rx[:0]
	frame := AppendCommand(nil, cmd, data)
	if _, err := r.port.Write(frame); err != nil {
		return Reply{}, fmt.Errorf("idcard: %v: %w", cmd, err)
	}
	r.bytes += len(frame)
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 512)
	for {
		body, n, err := DecodeFrame(r.rx)
		switch {
		case err == nil:
			r.bytes += n
			// The body aliases the receive buffer, which the next
			// exchange reuses: the reply gets its own copy.
			body = append([]byte(nil), body...)
			r.rx = append(r.rx[:0], r.rx[n:]...)
			rep, err := ParseReply(body)
			if err != nil {
				return Reply{}, fmt.Errorf("idcard: %v: %w", cmd, err)
			}
			return rep, nil
		case errors.Is(err, ErrShort):
			r.rx = append(r.rx[:0], r.rx[n:]...)
		default:
			// A garbled frame: drop what the decoder consumed and keep
			// looking, in case the real reply follows the noise.
			r.rx = append(r.rx[:0], r.rx[n:]...)
			r.opt.Log.Debug("idcard: garbled frame skipped", "cmd", cmd.String(), "err", err)
			if time.Now().After(deadline) {
				return Reply{}, fmt.Errorf("idcard: %v: %w", cmd, err)
			}
		}
		if err := ctx.Err(); err != nil {
			return Reply{}, err
		}
		if time.Now().After(deadline) {
			return Reply{}, fmt.Errorf("idcard: %v: no reply within %v: %w", cmd, timeout, ErrNoReply)
		}
		n, err = r.port.Read(buf)
		if err != nil {
			return Reply{}, fmt.Errorf("idcard: %v: %w", cmd, err)
		}
		r.rx = append(r.rx, buf[:n]...)
		if len(r.rx) > 4*(MaxLen+7) {
			// Endless noise with no frame in it: keep the tail only.
			r.rx = append(r.rx[:0], r.rx[len(r.rx)-(MaxLen+7):]...)
		}
	}
}

// command is Exchange plus the reply's status as an error.
func (r *Reader) command(ctx context.Context, cmd Command, timeout time.Duration) (Reply, error) {
	rep, err := r.Exchange(ctx, cmd, nil, timeout)
	if err != nil {
		return rep, err
	}
	if !rep.Status.OK() {
		return rep, &StatusError{Cmd: cmd, Status: rep.Status}
	}
	return rep, nil
}

// SAMStatus asks the reader's security module whether it is working.
func (r *Reader) SAMStatus(ctx context.Context) error {
	_, err := r.command(ctx, CmdSAMStatus, r.opt.CmdTimeout)
	return err
}

// SAMID reads the security module's ID.
func (r *Reader) SAMID(ctx context.Context) (SAMID, error) {
	rep, err := r.command(ctx, CmdSAMID, r.opt.CmdTimeout)
	if err != nil {
		return SAMID{}, err
	}
	var id SAMID
	if len(rep.Data) != len(id) {
		return id, fmt.Errorf("idcard: SAM ID is %d bytes, want %d", len(rep.Data), len(id))
	}
	copy(id[:], rep.Data)
	return id, nil
}

// Find reports whether a new card is on the reader.
func (r *Reader) Find(ctx context.Context) (bool, error) {
	_, err := r.command(ctx, CmdFind, r.opt.CmdTimeout)
	var se *StatusError
	if errors.As(err, &se) && se.Status == StatusNoCard {
		return false, nil
	}
	return err == nil, err
}

// Select selects the card that Find found. On a card that was already
// read it reports whether the card is still on the reader.
func (r *Reader) Select(ctx context.Context) (bool, error) {
	_, err := r.command(ctx, CmdSelect, r.opt.CmdTimeout)
	var se *StatusError
	if errors.As(err, &se) && se.Status == StatusSelectFailed {
		return false, nil
	}
	return err == nil, err
}

// ReadCard reads the selected card's text, photo and, when configured,
// fingerprint.
func (r *Reader) ReadCard(ctx context.Context) (Card, error) {
	cmd := CmdReadText
	if r.opt.Fingerprint {
		cmd = CmdReadFingerprint
	}
	rep, err := r.command(ctx, cmd, r.opt.ReadTimeout)
	if err != nil {
		return Card{}, err
	}
	text, photo, fp, err := ParseReadData(rep.Data)
	if err != nil {
		return Card{}, err
	}
	c, err := DecodeText(text)
	if err != nil {
		return Card{}, err
	}
	c.Photo = append([]byte(nil), photo...)
	if len(fp) > 0 {
		c.Fingerprint = append([]byte(nil), fp...)
	}
	return c, nil
}
