package appliance

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/printer"
)

// printerStatusEvery is how often an idle printer is asked how it is, so
// /healthz and the screens learn of an empty roll before a resident waits.
const printerStatusEvery = 3 * time.Second

// printQueue owns the receipt printer: one job at a time, in order, and a
// job the printer stopped during stays first in line until it prints.
type printQueue struct {
	open    func() (printer.Conn, error)
	profile printer.Profile
	log     *slog.Logger

	// io serialises everything said to the printer: a status query from
	// the idle loop must not read the reply meant for a print's query.
	io sync.Mutex

	mu      sync.Mutex
	prn     *printer.Printer
	jobs    []*printJob
	state   string // ready, paper_out, cover_open, offline, lost, ""
	note    string
	printed uint64
	wake    chan struct{}
}

type printJob struct {
	data   []byte
	ticket string
	done   chan string // receives "printed" once
	tries  int
}

func newPrintQueue(open func() (printer.Conn, error), p printer.Profile, log *slog.Logger) *printQueue {
	return &printQueue{open: open, profile: p, log: log, wake: make(chan struct{}, 1)}
}

// conn returns the printer, opening its line if needed.
func (q *printQueue) conn() (*printer.Printer, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.prn != nil {
		return q.prn, nil
	}
	c, err := q.open()
	if err != nil {
		return nil, err
	}
	q.prn = printer.New(c, q.profile)
	return q.prn, nil
}

func (q *printQueue) drop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.prn != nil {
		q.prn.Close()
		q.prn = nil
	}
}

// ready asks the printer whether a print may start.
func (q *printQueue) ready(ctx context.Context) error {
	q.io.Lock()
	defer q.io.Unlock()
	p, err := q.conn()
	if err == nil {
		var st printer.Status
		if st, err = p.Status(ctx); err == nil {
			err = st.Ready()
		}
	}
	q.note_(err)
	return err
}

// note_ records the printer's state from the outcome of a command.
func (q *printQueue) note_(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var nr *printer.NotReadyError
	switch {
	case err == nil:
		q.state, q.note = "ready", ""
	case errors.As(err, &nr):
		q.state, q.note = strings.ReplaceAll(nr.Reason, " ", "_"), nr.Msg
	default:
		q.state, q.note = "lost", err.Error()
	}
	if q.state == "lost" && q.prn != nil {
		q.prn.Close()
		q.prn = nil
	}
}

// print queues a job and waits a while for it: it returns "printed", or
// "waiting" with the reason when the printer stopped and the job will be
// printed again once it is ready.
func (q *printQueue) print(ctx context.Context, data []byte, ticket string) (string, string) {
	j := &printJob{data: data, ticket: ticket, done: make(chan string, 1)}
	q.mu.Lock()
	q.jobs = append(q.jobs, j)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case st := <-j.done:
			return st, ""
		case <-ctx.Done():
			return "waiting", "the request ended; the receipt stays queued"
		case <-t.C:
			return "waiting", q.stateNote()
		case <-time.After(200 * time.Millisecond):
			q.mu.Lock()
			tried, note := j.tries > 0, q.note
			q.mu.Unlock()
			if tried && note != "" {
				return "waiting", note
			}
		}
	}
}

func (q *printQueue) stateNote() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.note
}

// run prints queued jobs until ctx ends.
func (q *printQueue) run(ctx context.Context) {
	defer q.drop()
	for {
		q.mu.Lock()
		var j *printJob
		if len(q.jobs) > 0 {
			j = q.jobs[0]
		}
		q.mu.Unlock()
		wait := printerStatusEvery
		if j != nil {
			if q.printOne(ctx, j) {
				wait = 0
			} else {
				wait = time.Second
			}
		} else {
			q.ready(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-time.After(wait):
		}
	}
}

// printOne tries the first job; it reports whether it printed.
func (q *printQueue) printOne(ctx context.Context, j *printJob) bool {
	q.io.Lock()
	defer q.io.Unlock()
	p, err := q.conn()
	if err == nil {
		q.mu.Lock()
		j.tries++
		q.mu.Unlock()
		err = p.Print(ctx, j.data)
	}
	var ie *printer.InterruptedError
	if errors.As(err, &ie) {
		// Show the printer's own state (cover open), not "interrupted".
		q.note_(ie.Reason)
	} else {
		q.note_(err)
	}
	if err != nil {
		if j.tries == 1 || j.tries%30 == 0 {
			q.log.Warn("printer: receipt waits for the printer", "ticket", j.ticket, "err", err)
		}
		return false
	}
	q.mu.Lock()
	q.jobs = q.jobs[1:]
	q.printed++
	q.mu.Unlock()
	q.log.Info("printer: receipt printed", "ticket", j.ticket, "tries", j.tries)
	j.done <- "printed"
	return true
}

// snapshot is the printer for /healthz.
func (q *printQueue) snapshot() (state, note string, pending int, printed uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.state, q.note, len(q.jobs), q.printed
}
