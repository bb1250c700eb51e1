// Package printersim emulates an ESC/POS receipt printer on a
// pseudo-terminal and on TCP port 9100: it stores each job, answers
// real-time status queries, and can be put out of paper, opened, or taken
// offline, including in the middle of a job.
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

// Printer is an emulated printer. One Printer may be served on several
// lines at once (a pty and a TCP port); they share its paper and jobs.
type Printer struct {
	mu         sync.Mutex
	st         State
	jobs       [][]byte
	spoiled    int // jobs cut short by a stop
	cur        []byte
	coverAfter int // open the cover after this many more job bytes; <0 never
	changed    chan struct{}
	lines      []*serialporttest.Line
	listeners  []net.Listener
	wg         sync.WaitGroup
}

// New returns a ready printer with paper.
func New() *Printer {
	return &Printer{coverAfter: -1, changed: make(chan struct{})}
}

// Set changes the printer's state.
func (p *Printer) Set(st State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.st = st
	p.notifyLocked()
}

// State returns the printer's state.
func (p *Printer) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st
}

// OpenCoverAfter opens the cover once n more bytes of job data have
// arrived: a cover opened in the middle of a job.
func (p *Printer) OpenCoverAfter(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.coverAfter = n
}

// Jobs returns the jobs printed whole (ended by a cut), oldest first.
func (p *Printer) Jobs() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([][]byte, len(p.jobs))
	copy(out, p.jobs)
	return out
}

// Spoiled is how many jobs a stop cut short.
func (p *Printer) Spoiled() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.spoiled
}

// WaitJobs waits until n jobs were printed whole, or timeout.
func (p *Printer) WaitJobs(n int, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		got, ch := len(p.jobs), p.changed
		p.mu.Unlock()
		if got >= n {
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

// ServePTY serves the printer on a new pty line at dir/name, paced at baud.
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
			p.feed(&parser, buf[:n], line)
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
				var parser streamParser
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						p.feed(&parser, buf[:n], c)
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

// Close stops every line and listener.
func (p *Printer) Close() error {
	p.mu.Lock()
	lines, lns := p.lines, p.listeners
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

// feed runs incoming bytes through the printer: status queries are
// answered at once, as real printers do even mid-job; job bytes are kept
// unless the printer is stopped.
func (p *Printer) feed(ps *streamParser, b []byte, reply io.Writer) {
	for _, ev := range ps.parse(b) {
		switch ev.kind {
		case evStatus:
			p.mu.Lock()
			r := statusByte(p.st, ev.n)
			p.mu.Unlock()
			reply.Write([]byte{r})
		case evData:
			p.data(ev.b)
		case evCut:
			p.cut(ev.b)
		}
	}
}

func (p *Printer) stoppedLocked() bool {
	return p.st.CoverOpen || p.st.PaperOut || p.st.Offline
}

func (p *Printer) data(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.coverAfter >= 0 && !p.stoppedLocked() {
		if len(b) > p.coverAfter {
			p.cur = append(p.cur, b[:p.coverAfter]...)
			p.coverAfter = -1
			p.st.CoverOpen = true
			p.notifyLocked()
			return
		}
		p.coverAfter -= len(b)
	}
	if p.stoppedLocked() {
		if len(p.cur) > 0 {
			p.spoiled++
			p.cur = nil
		}
		return
	}
	p.cur = append(p.cur, b...)
}

func (p *Printer) cut(b []byte) {
	p.data(b)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stoppedLocked() {
		return
	}
	p.jobs = append(p.jobs, p.cur)
	p.cur = nil
	p.notifyLocked()
}

// statusByte is the reply to DLE EOT n. Bits 1 and 4 are always set.
func statusByte(st State, n byte) byte {
	b := byte(0x12)
	stopped := st.CoverOpen || st.PaperOut || st.Offline
	switch n {
	case 1:
		if stopped {
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
