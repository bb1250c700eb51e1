package flash

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress shows how far a phase of work is on a writer, normally stderr:
// on a terminal one line redrawn in place with a bar, percent, rate and
// time left; elsewhere (a log, a pipe) a plain line at every tenth. A nil
// *Progress shows nothing.
type Progress struct {
	w   io.Writer
	tty bool
	now func() time.Time

	phase       string
	total, done int64
	start, last time.Time
	tenth       int64
}

// NewProgress returns a Progress on w. tty selects the redrawn line; now
// is the clock, time.Now when nil.
func NewProgress(w io.Writer, tty bool, now func() time.Time) *Progress {
	if now == nil {
		now = time.Now
	}
	return &Progress{w: w, tty: tty, now: now}
}

// Start begins a phase of total bytes.
func (p *Progress) Start(phase string, total int64) {
	if p == nil {
		return
	}
	p.phase, p.total, p.done, p.tenth = phase, total, 0, 0
	p.start = p.now()
	p.last = p.start
}

// Add counts n more bytes done.
func (p *Progress) Add(n int64) {
	if p == nil {
		return
	}
	p.done += n
	now := p.now()
	if p.tty {
		if now.Sub(p.last) >= 100*time.Millisecond {
			p.last = now
			fmt.Fprintf(p.w, "\r%s", p.line(now))
		}
		return
	}
	if p.total > 0 {
		if t := p.done * 10 / p.total; t > p.tenth && t < 10 {
			p.tenth = t
			fmt.Fprintln(p.w, p.line(now))
		}
	}
}

// Finish ends the phase with a line saying how long it took.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	now := p.now()
	el := now.Sub(p.start)
	line := fmt.Sprintf("%s 100%% %s in %s (%s)", p.phase, mb(p.done), clock(el), rate(p.done, el))
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\033[K\n", line)
		return
	}
	fmt.Fprintln(p.w, line)
}

func (p *Progress) line(now time.Time) string {
	pct := int64(100)
	if p.total > 0 {
		pct = p.done * 100 / p.total
	}
	el := now.Sub(p.start)
	left := "--:--"
	if p.done > 0 && el > 0 {
		rem := time.Duration(float64(el) * float64(p.total-p.done) / float64(p.done))
		left = clock(rem)
	}
	s := fmt.Sprintf("%s %3d%% %s 剩余 left %s", p.phase, pct, rate(p.done, el), left)
	if p.tty {
		const width = 30
		n := int(pct * width / 100)
		s = fmt.Sprintf("%s [%s%s] %3d%% %s 剩余 left %s\033[K", p.phase, strings.Repeat("#", n), strings.Repeat(".", width-n), pct, rate(p.done, el), left)
	}
	return s
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func rate(n int64, d time.Duration) string {
	if d <= 0 {
		return "-- MB/s"
	}
	return fmt.Sprintf("%.1f MB/s", float64(n)/1e6/d.Seconds())
}

func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
