// Package printersim emulates an ESC/POS receipt printer on a
// pseudo-terminal (a serial line, or a USB printer-class device opened as
// /dev/usb/lp0 is) and on TCP port 9100.
//
// Like a real printer it takes what arrives into a receive buffer of
// bounded size and prints it at its paper speed. Real-time status queries
// (DLE EOT) are answered as soon as they arrive, even while the buffer
// still holds a job; the requests a printer processes in order (GS r,
// ESC v, the GS ( H process ID) are answered only once everything before
// them has printed, and automatic status (GS a) is sent on every change.
// It can run out of paper or have its cover opened part way through a
// job: it then stops printing, keeps what its buffer holds and goes on
// where it stopped once paper is loaded and the cover closed.
package printersim

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/serialport/serialporttest"
)

// State is what the emulated printer's sensors say.
type State struct {
	PaperOut     bool
	PaperNearEnd bool
	CoverOpen    bool
	Offline      bool
}

func (s State) stopped() bool { return s.CoverOpen || s.PaperOut || s.Offline }

// DefaultBuffer is the receive buffer of a new Printer, in bytes: of the
// order of the 4–64 KiB receipt printers have.
const DefaultBuffer = 16 << 10

// tick is how often the print head advances.
const tick = 10 * time.Millisecond

// Printer is an emulated printer. One Printer may be served on several
// lines at once (a pty and a TCP port); they share its paper, buffer and
// jobs.
type Printer struct {
	mu            sync.Mutex
	st            State
	speed         int // bytes printed a second; 0 prints as fast as they come
	bufCap        int
	queue         []item // received, not printed yet
	queued        int    // data bytes in queue
	jobs          [][]byte
	cur           []byte
	curStopped    bool // the job being printed was stopped part way
	interrupted   int  // jobs a stop paused part way
	paperAfter    int  // paper runs out after this many more printed bytes; <0 never
	coverAfter    int  // the cover opens after this many more printed bytes; <0 never
	asb           map[*replier]bool
	ignoreInOrder bool
	changed       chan struct{}
	quit          chan struct{}
	lines         []*serialporttest.Line
	listeners     []net.Listener
	wg            sync.WaitGroup
	closeOnce     sync.Once
}

// item is one thing in the receive buffer.
type item struct {
	kind evKind // evData, evCut or evFence
	b    []byte
	to   *replier // who asked, for a fence
}

// replier writes replies to one line; the print engine and the line's
// reader both reply, and a 7-byte reply must not be split by a 1-byte one.
type replier struct {
	mu sync.Mutex
	w  io.Writer
}

func (r *replier) send(b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.w.Write(b)
}

// New returns a ready printer with paper, a [DefaultBuffer] and no paper
// speed limit (see [Printer.SetSpeed]).
func New() *Printer {
	p := &Printer{bufCap: DefaultBuffer, paperAfter: -1, coverAfter: -1, asb: map[*replier]bool{},
		changed: make(chan struct{}), quit: make(chan struct{})}
	p.wg.Go(p.engine)
	return p
}

// SetSpeed sets how many bytes a second the printer prints; 0 prints
// them as fast as they arrive.
func (p *Printer) SetSpeed(bytesPerSecond int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.speed = max(bytesPerSecond, 0)
	p.notifyLocked()
}

// SetBuffer sets the receive buffer's size in bytes. While it is full the
// printer reads nothing more from its lines, as a busy printer does.
func (p *Printer) SetBuffer(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bufCap = max(n, 1)
	p.notifyLocked()
}

// IgnoreInOrder makes the printer ignore the requests it would answer in
// order (GS r, ESC v, GS ( H), as printers without them do.
func (p *Printer) IgnoreInOrder(ignore bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ignoreInOrder = ignore
}

// Set changes the printer's state. Clearing a stop (loading paper,
// closing the cover) lets it go on printing what its buffer holds.
func (p *Printer) Set(st State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(st)
}

func (p *Printer) setLocked(st State) {
	changed := st != p.st
	p.st = st
	if changed {
		p.sendASBLocked()
	}
	p.notifyLocked()
}

// State returns the printer's state.
func (p *Printer) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st
}

// RunOutAfter runs the printer out of paper once n more bytes have been
// printed: paper ending in the middle of a job.
func (p *Printer) RunOutAfter(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paperAfter = n
}

// OpenCoverAfter opens the cover once n more bytes have been printed: a
// cover opened in the middle of a job.
func (p *Printer) OpenCoverAfter(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.coverAfter = n
}

// PowerCycle switches the printer off and on: what its buffer held is
// gone, and automatic status is off again.
func (p *Printer) PowerCycle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue, p.queued, p.cur, p.curStopped = nil, 0, nil, false
	p.paperAfter, p.coverAfter = -1, -1
	clear(p.asb)
	p.notifyLocked()
}

// Jobs returns the jobs printed whole (ended by a cut), oldest first.
func (p *Printer) Jobs() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([][]byte, len(p.jobs))
	copy(out, p.jobs)
	return out
}

// Interrupted is how many jobs a stop paused part way (each was finished
// once the printer was ready again).
func (p *Printer) Interrupted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.interrupted
}

// Buffered is how many bytes of job data wait in the buffer.
func (p *Printer) Buffered() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.queued
}

// WaitJobs waits until n jobs were printed whole, or timeout.
func (p *Printer) WaitJobs(n int, timeout time.Duration) bool {
	return p.WaitFor(func(s Snapshot) bool { return s.Jobs >= n }, timeout)
}

// Snapshot is the printer at one moment.
type Snapshot struct {
	State       State
	Jobs        int // printed whole
	Buffered    int // bytes of job data not printed yet
	Interrupted int
}

// WaitFor waits until cond holds of the printer, or timeout.
func (p *Printer) WaitFor(cond func(Snapshot) bool, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		ok := cond(Snapshot{State: p.st, Jobs: len(p.jobs), Buffered: p.queued, Interrupted: p.interrupted})
		ch := p.changed
		p.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}

func (p *Printer) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// ServePTY serves the printer on a new pty line at dir/name, paced at baud
// (0: not paced, as a USB printer-class device).
func (p *Printer) ServePTY(dir, name string, baud int) (*serialporttest.Line, error) {
	line, err := serialporttest.NewLine(dir, name, baud)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.lines = append(p.lines, line)
	p.mu.Unlock()
	p.wg.Go(func() {
		buf := make([]byte, 4096)
		var parser streamParser
		r := &replier{w: line}
		defer p.dropASB(r)
		for {
			n, err := line.Read(buf)
			if errors.Is(err, serialporttest.ErrUnplugged) {
				line.WaitPlugged()
				if line.Closed() {
					return
				}
				parser = streamParser{}
				continue
			}
			if err != nil {
				return
			}
			if !p.feed(&parser, buf[:n], r) {
				return
			}
		}
	})
	return line, nil
}

// ListenTCP serves the printer on a TCP address ("127.0.0.1:0" for any
// port), as a network printer's raw port 9100.
func (p *Printer) ListenTCP(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.listeners = append(p.listeners, ln)
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() {
				defer c.Close()
				stop := make(chan struct{})
				defer close(stop)
				go func() {
					select {
					case <-p.quit:
						c.Close()
					case <-stop:
					}
				}()
				var parser streamParser
				r := &replier{w: c}
				defer p.dropASB(r)
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if n > 0 && !p.feed(&parser, buf[:n], r) {
						return
					}
					if err != nil {
						return
					}
				}
			})
		}
	})
	return ln, nil
}

// Close stops the printer, every line and listener.
func (p *Printer) Close() error {
	p.closeOnce.Do(func() { close(p.quit) })
	p.mu.Lock()
	lines, lns := p.lines, p.listeners
	p.notifyLocked()
	p.mu.Unlock()
	for _, l := range lines {
		l.Close()
	}
	for _, ln := range lns {
		ln.Close()
	}
	p.wg.Wait()
	return nil
}

func (p *Printer) dropASB(r *replier) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.asb, r)
}

// feed runs incoming bytes through the printer: status queries are
// answered at once, as real printers do even mid-job; everything else
// goes into the buffer, waiting while it is full. It returns false once
// the printer is closed.
func (p *Printer) feed(ps *streamParser, b []byte, r *replier) bool {
	for _, ev := range ps.parse(b) {
		switch ev.kind {
		case evStatus:
			p.mu.Lock()
			reply := statusByte(p.st, ev.n)
			p.mu.Unlock()
			r.send([]byte{reply})
		case evASB:
			p.mu.Lock()
			on := ev.b[2]&0x0F != 0
			if on {
				p.asb[r] = true
			} else {
				delete(p.asb, r)
			}
			st := p.st
			p.mu.Unlock()
			if on {
				r.send(asbStatus(st))
			}
		default:
			if !p.enqueue(item{kind: ev.kind, b: append([]byte(nil), ev.b...), to: r}) {
				return false
			}
		}
	}
	return true
}
