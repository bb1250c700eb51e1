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
	mu          sync.Mutex
	st          State
	speed       int // bytes printed a second; 0 prints as fast as they come
	bufCap      int
	queue       []item // received, not printed yet
	queued      int    // data bytes in queue
	jobs        [][]byte
	cur         []byte
	curStopped  bool // the job being printed was stopped part way
	interrupted int  // jobs a stop paused part way
	paperAfter  int  // paper runs out after this many more printed bytes; <0 never
	coverAfter  int  // the cover opens after this many more printed bytes; <0 never
	asb         map[*replier]bool
	changed     chan struct{}
	quit        chan struct{}
	lines       []*serialporttest.Line
	listeners   []net.Listener
	wg          sync.WaitGroup
	closeOnce   sync.Once
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

// enqueue puts it into the buffer as room comes free: job data a part
// at a time, a command whole.
func (p *Printer) enqueue(it item) bool {
	for {
		p.mu.Lock()
		room := p.bufCap - p.queued
		switch {
		case it.kind == evFence:
			room = 0 // takes no room: it is answered, not printed
			p.queue = append(p.queue, it)
		case it.kind == evData && room > 0:
			n := min(room, len(it.b))
			p.queue = append(p.queue, item{kind: evData, b: it.b[:n]})
			p.queued += n
			it.b = it.b[n:]
			room = len(it.b) // what is left to buffer
		case room >= len(it.b) || p.queued == 0:
			p.queue = append(p.queue, it)
			p.queued += len(it.b)
			room = 0
		default:
			room = -1
		}
		if room >= 0 {
			p.notifyLocked()
		}
		if room == 0 {
			p.mu.Unlock()
			return true
		}
		ch := p.changed
		p.mu.Unlock()
		if room > 0 {
			continue
		}
		select {
		case <-ch:
		case <-p.quit:
			return false
		}
	}
}

// engine is the print head: it takes the buffer in order at the paper
// speed, stopping while the printer is stopped.
func (p *Printer) engine() {
	last := time.Now()
	credit := 0.0
	for {
		p.mu.Lock()
		if len(p.queue) == 0 || p.st.stopped() {
			ch := p.changed
			p.mu.Unlock()
			select {
			case <-ch:
			case <-p.quit:
				return
			}
			last, credit = time.Now(), 0
			continue
		}
		now := time.Now()
		if p.speed > 0 {
			// Credit for at most two ticks: a head that waited does not
			// print faster afterwards.
			credit = min(credit+now.Sub(last).Seconds()*float64(p.speed), float64(p.speed)*2*tick.Seconds())
		}
		last = now
		reply, to, progressed := p.stepLocked(&credit)
		p.mu.Unlock()
		if to != nil {
			to.send(reply)
		}
		if !progressed {
			select {
			case <-time.After(tick):
			case <-p.quit:
				return
			}
		}
	}
}

// stepLocked prints from the front of the buffer. It returns a fence's
// reply and whom to send it, and whether anything was done.
func (p *Printer) stepLocked(credit *float64) ([]byte, *replier, bool) {
	it := &p.queue[0]
	switch it.kind {
	case evFence:
		p.queue = p.queue[1:]
		p.notifyLocked()
		return fenceReply(it.b, p.st), it.to, true
	case evCut:
		p.queue = p.queue[1:]
		p.queued -= len(it.b)
		p.cur = append(p.cur, it.b...)
		p.jobs = append(p.jobs, p.cur)
		p.cur, p.curStopped = nil, false
		p.notifyLocked()
		return nil, nil, true
	}
	n := len(it.b)
	if p.speed > 0 {
		n = min(n, int(*credit))
	}
	trigger := func(after *int) bool {
		if *after >= 0 && *after <= n {
			n = *after
			return true
		}
		return false
	}
	paper, cover := trigger(&p.paperAfter), trigger(&p.coverAfter)
	if n == 0 && !paper && !cover {
		return nil, nil, false
	}
	p.cur = append(p.cur, it.b[:n]...)
	it.b = it.b[n:]
	p.queued -= n
	*credit -= float64(n)
	if p.paperAfter >= 0 {
		p.paperAfter -= n
	}
	if p.coverAfter >= 0 {
		p.coverAfter -= n
	}
	if len(it.b) == 0 {
		p.queue = p.queue[1:]
	}
	if paper || cover {
		st := p.st
		st.PaperOut = st.PaperOut || paper
		st.CoverOpen = st.CoverOpen || cover
		if paper {
			p.paperAfter = -1
		}
		if cover {
			p.coverAfter = -1
		}
		if !p.curStopped {
			p.curStopped = true
			p.interrupted++
		}
		p.setLocked(st)
		return nil, nil, true
	}
	p.notifyLocked()
	return nil, nil, true
}

func (p *Printer) sendASBLocked() {
	msg := asbStatus(p.st)
	for r := range p.asb {
		r.send(msg)
	}
}

// fenceReply is the answer to an in-order request, given when it is
// reached: GS r 1 and ESC v give the paper sensors, GS r 2 the drawer,
// GS ( H fn 48 the process ID.
func fenceReply(cmd []byte, st State) []byte {
	if cmd[0] == 0x1D && cmd[1] == '(' {
		return []byte{0x37, 0x22, cmd[7], cmd[8], cmd[9], cmd[10], 0x00}
	}
	if cmd[0] == 0x1D && (cmd[2] == 2 || cmd[2] == '2') {
		return []byte{0x00}
	}
	var b byte
	if st.PaperNearEnd || st.PaperOut {
		b |= 0x03
	}
	if st.PaperOut {
		b |= 0x0C
	}
	return []byte{b}
}

// asbStatus is an automatic status: byte 0 bit 4 fixed, bit 3 offline,
// bit 5 cover open; byte 2 bits 0–1 paper near end, bits 2–3 paper end.
func asbStatus(st State) []byte {
	b := []byte{0x10, 0, 0, 0}
	if st.stopped() {
		b[0] |= 0x08
	}
	if st.CoverOpen {
		b[0] |= 0x20
	}
	if st.PaperNearEnd || st.PaperOut {
		b[2] |= 0x03
	}
	if st.PaperOut {
		b[2] |= 0x0C
	}
	return b
}

// statusByte is the reply to DLE EOT n. Bits 1 and 4 are always set.
func statusByte(st State, n byte) byte {
	b := byte(0x12)
	switch n {
	case 1:
		if st.stopped() {
			b |= 0x08
		}
	case 2:
		if st.CoverOpen {
			b |= 0x04 | 0x40
		}
		if st.PaperOut {
			b |= 0x20
		}
	case 4:
		if st.PaperNearEnd || st.PaperOut {
			b |= 0x0C
		}
		if st.PaperOut {
			b |= 0x60
		}
	}
	return b
}
