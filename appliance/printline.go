package appliance

import (
	"context"
	"errors"
	"strings"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
)

// conn returns the printer, opening its line if needed.
func (q *printQueue) conn() (*printer.Printer, int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.prn != nil {
		return q.prn, q.gen, nil
	}
	c, err := q.open()
	if err != nil {
		return nil, q.gen, err
	}
	q.gen++
	q.prn = printer.New(c, q.profile)
	return q.prn, q.gen, nil
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
	p, _, err := q.conn()
	if err == nil {
		var st printer.Status
		if st, err = p.Status(ctx); err == nil {
			err = st.Ready()
		}
	}
	q.noteErr(err)
	return err
}

// noteErr records the printer's state from the outcome of a command.
func (q *printQueue) noteErr(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	old := q.state
	defer func() { q.moved = q.moved || q.state != old }()
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

// printOne sends the job, or, if the printer stopped during it, waits for
// the printer to go on; it reports whether the job is done with.
func (q *printQueue) printOne(ctx context.Context, j *printJob) bool {
	q.io.Lock()
	defer q.io.Unlock()
	p, gen, err := q.conn()
	if err != nil {
		q.noteErr(err)
		return false
	}
	if j.sent != nil && j.gen != gen {
		// Sent on a line since lost: the printer may have printed it or
		// not, which only the paper tells.
		q.setJob(j, station.JobHeld, heldLost)
		q.log.Warn("printer: line lost during a job; it waits for staff", "ticket", j.Ticket)
		return false
	}
	if j.sent == nil {
		j.tries++
		s, err := p.Send(ctx, j.data)
		if err != nil {
			q.noteErr(err)
			if j.tries == 1 || j.tries%30 == 0 {
				q.log.Warn("printer: receipt waits for the printer", "ticket", j.Ticket, "err", err)
			}
			return false
		}
		j.sent, j.gen = s, gen
	} else {
		// The printer stopped during the job and keeps the rest in its
		// buffer: once ready it goes on by itself, and sending the job
		// again would print it twice.
		st, err := p.Status(ctx)
		if err == nil {
			err = st.Ready()
		}
		q.noteErr(err)
		if err != nil {
			return false
		}
	}
	err = p.Await(ctx, j.sent)
	return q.settle(j, err)
}

// settle acts on what Await said of job j.
func (q *printQueue) settle(j *printJob, err error) bool {
	var ie *printer.InterruptedError
	var ue *printer.UnconfirmedError
	switch {
	case err == nil:
		q.noteErr(nil)
		q.finish(j, station.JobPrinted, "")
		q.log.Info("printer: receipt printed", "ticket", j.Ticket, "tries", j.tries)
		return true
	case errors.As(err, &ie):
		// Show the printer's own state (cover open), not "interrupted".
		q.noteErr(ie.Reason)
		q.setJob(j, station.JobWaiting, q.stateNote())
		q.log.Warn("printer: stopped during a receipt; it goes on once the printer is ready", "ticket", j.Ticket, "err", ie.Reason)
		return false
	case errors.As(err, &ue) && ue.NoWay:
		q.noteErr(nil)
		q.finish(j, station.JobUnconfirmed, noWayNote)
		q.log.Info("printer: receipt sent; this printer cannot confirm it printed", "ticket", j.Ticket)
		return true
	case errors.As(err, &ue):
		// A fresh line: an answer that may still come for this job must
		// not be taken for the next one's.
		q.drop()
		q.setJob(j, station.JobHeld, heldUnsure)
		q.log.Warn("printer: receipt not confirmed in time; it waits for staff", "ticket", j.Ticket, "err", err)
		return false
	case errors.Is(err, context.Canceled):
		return false
	}
	q.noteErr(err)
	q.log.Warn("printer: line failed during a receipt", "ticket", j.Ticket, "err", err)
	return false
}
