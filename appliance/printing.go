package appliance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
)

// printerStatusEvery is how often an idle printer is asked how it is, so
// /healthz and the screens learn of an empty roll before a resident waits.
const printerStatusEvery = 3 * time.Second

// keptPrintJob prefixes the outbox keys of print jobs not printed yet. The
// rest of a key is the job's own ID, which says nothing about anyone.
const keptPrintJob = "printjob/"

// Why a job is held, or unconfirmed, in the words staff read.
const (
	heldRestart = "本机重启前未打印完，请确认后重新打印或取消 / not printed before the station restarted: print it now or cancel it"
	heldUnsure  = "打印机没有确认打印完成，请看纸上是否完整，再重新打印或取消 / the printer did not confirm this printed: check the paper, then print again or cancel"
	heldLost    = "打印中打印机连接中断，请看纸上是否完整，再重新打印或取消 / the printer's line was lost while printing: check the paper, then print again or cancel"
	noWayNote   = "已发送，但这台打印机无法确认是否打印完整，请查看回执 / sent, but this printer cannot confirm it printed: check the receipt"
)

// keptJob is a print job as the outbox keeps it, sealed.
type keptJob struct {
	Ticket  string    `json:"ticket"`
	Created time.Time `json:"created"`
	Data    []byte    `json:"data"`
}

// jobKeeper is what the queue needs of the outbox.
type jobKeeper interface {
	Keep(key string, value []byte) error
	KeptWith(prefix string) ([]outbox.Kept, error)
	Forget(key string) error
}

// printQueue owns the printer: one print job at a time, in order. Jobs
// are kept sealed in the station's database until the printer confirms
// them or staff cancel them, so neither a stop part way nor a restart
// loses one; after a restart they wait for staff rather than print by
// surprise for a resident long gone.
type printQueue struct {
	open    func() (printer.Conn, error)
	profile printer.Profile
	log     *slog.Logger
	box     jobKeeper
	now     func() time.Time

	// io serialises everything said to the printer: a status query from
	// the idle loop must not read the reply meant for a print's query.
	io sync.Mutex

	mu      sync.Mutex
	prn     *printer.Printer
	gen     int // counts the lines opened: a job sent on an older one is unsure
	jobs    []*printJob
	state   string // ready, paper_out, cover_open, offline, lost, ""
	note    string
	printed uint64
	wake    chan struct{}
	changed chan struct{}
	// moved is set when state changes, and cleared when run has told
	// onChange (set before run; the station's change notice), with no
	// lock of the queue held: see Station.
	moved    bool
	onChange func()
}

type printJob struct {
	station.PrintJob
	data  []byte
	sent  *printer.Sent // in the printer's buffer, on line gen
	gen   int
	tries int
}

func newPrintQueue(open func() (printer.Conn, error), p printer.Profile, box jobKeeper, now func() time.Time, log *slog.Logger) *printQueue {
	return &printQueue{open: open, profile: p, log: log, box: box, now: now,
		wake: make(chan struct{}, 1), changed: make(chan struct{})}
}

// load takes up the jobs kept before a restart, held for staff.
func (q *printQueue) load() error {
	kept, err := q.box.KeptWith(keptPrintJob)
	if err != nil {
		return fmt.Errorf("appliance: print jobs: %w", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, k := range kept {
		var kj keptJob
		if err := json.Unmarshal(k.Value, &kj); err != nil {
			return fmt.Errorf("appliance: print job %s is damaged: %w", strings.TrimPrefix(k.Key, keptPrintJob), err)
		}
		q.jobs = append(q.jobs, &printJob{data: kj.Data, PrintJob: station.PrintJob{
			ID: strings.TrimPrefix(k.Key, keptPrintJob), Ticket: kj.Ticket, Created: kj.Created, State: station.JobHeld, Reason: heldRestart}})
	}
	if len(kept) > 0 {
		q.log.Warn("printer: print jobs from before the restart wait for staff", "jobs", len(kept))
	}
	return nil
}

// add keeps a job on disk; it is not queued until [printQueue.start].
func (q *printQueue) add(data []byte, ticket string) (*printJob, error) {
	now := q.now()
	id, err := record.NewID(now)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(keptJob{Ticket: ticket, Created: now, Data: data})
	if err != nil {
		return nil, fmt.Errorf("appliance: print job: %w", err)
	}
	if err := q.box.Keep(keptPrintJob+id, b); err != nil {
		return nil, fmt.Errorf("appliance: print job not kept, nothing printed: %w", err)
	}
	return &printJob{data: data, PrintJob: station.PrintJob{ID: id, Ticket: ticket, Created: now, State: station.JobQueued}}, nil
}

// discard forgets a job add kept that is not to be printed after all.
func (q *printQueue) discard(j *printJob) {
	if err := q.box.Forget(keptPrintJob + j.ID); err != nil {
		q.log.Error("printer: print job not forgotten", "job", j.ID, "err", err)
	}
}

// start queues a kept job and waits a while for it: it returns "printed",
// "waiting" with the reason when the printer stopped part way (the job
// goes on once the printer is ready), "held" when staff must decide, or
// "unconfirmed" when the printer cannot say.
func (q *printQueue) start(ctx context.Context, j *printJob) (string, string) {
	q.mu.Lock()
	q.jobs = append(q.jobs, j)
	q.notifyLocked()
	q.mu.Unlock()
	q.poke()
	t := time.NewTimer(max(30*time.Second, q.profile.PrintTime(len(j.data))+15*time.Second))
	defer t.Stop()
	for {
		q.mu.Lock()
		state, reason, ch := j.State, j.Reason, q.changed
		q.mu.Unlock()
		switch state {
		case station.JobPrinted, station.JobUnconfirmed, station.JobHeld, station.JobWaiting:
			return state, reason
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return station.JobQueued, "the request ended; the job stays queued"
		case <-t.C:
			return station.JobQueued, q.stateNote()
		}
	}
}

func (q *printQueue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *printQueue) notifyLocked() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// list returns the jobs not printed yet, oldest first.
func (q *printQueue) list() []station.PrintJob {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]station.PrintJob, len(q.jobs))
	for i, j := range q.jobs {
		out[i] = j.PrintJob
	}
	return out
}

// release lets a held job print.
func (q *printQueue) release(id string) error {
	q.mu.Lock()
	i := slices.IndexFunc(q.jobs, func(j *printJob) bool { return j.ID == id })
	if i < 0 {
		q.mu.Unlock()
		return station.ErrNoPrintJob
	}
	j := q.jobs[i]
	if j.State != station.JobHeld {
		q.mu.Unlock()
		return station.ErrNotHeld
	}
	// Printed again from the start: what an earlier attempt left in the
	// printer is not waited for.
	j.State, j.Reason, j.sent = station.JobQueued, "", nil
	q.notifyLocked()
	q.mu.Unlock()
	q.poke()
	return nil
}

// cancel forgets a job staff cancelled.
func (q *printQueue) cancel(id string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	i := slices.IndexFunc(q.jobs, func(j *printJob) bool { return j.ID == id })
	if i < 0 {
		return station.ErrNoPrintJob
	}
	if err := q.box.Forget(keptPrintJob + id); err != nil && !errors.Is(err, outbox.ErrNotKept) {
		return fmt.Errorf("appliance: cancel print job: %w", err)
	}
	q.jobs = slices.Delete(q.jobs, i, i+1)
	q.notifyLocked()
	return nil
}

// finish ends a job the printer printed, or could not confirm.
func (q *printQueue) finish(j *printJob, state, reason string) {
	if err := q.box.Forget(keptPrintJob + j.ID); err != nil && !errors.Is(err, outbox.ErrNotKept) {
		q.log.Error("printer: printed job not forgotten; it will be offered again", "job", j.ID, "err", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = slices.DeleteFunc(q.jobs, func(o *printJob) bool { return o == j })
	j.State, j.Reason = state, reason
	if state == station.JobPrinted {
		q.printed++
	}
	q.notifyLocked()
}

// setJob changes a job's state for staff.
func (q *printQueue) setJob(j *printJob, state, reason string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	j.State, j.Reason = state, reason
	q.notifyLocked()
}

func (q *printQueue) stateNote() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.note
}

// next is the first job that may print.
func (q *printQueue) next() *printJob {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, j := range q.jobs {
		if j.State != station.JobHeld {
			return j
		}
	}
	return nil
}

// run prints queued jobs until ctx ends.
func (q *printQueue) run(ctx context.Context) {
	defer q.drop()
	for {
		wait := printerStatusEvery
		if j := q.next(); j != nil {
			if q.printOne(ctx, j) {
				wait = 0
			} else {
				wait = time.Second
			}
		} else {
			q.ready(ctx)
		}
		q.tellChange()
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-time.After(wait):
		}
	}
}

// tellChange calls onChange once after the printer's state changed.
func (q *printQueue) tellChange() {
	q.mu.Lock()
	moved := q.moved
	q.moved = false
	q.mu.Unlock()
	if moved && q.onChange != nil {
		q.onChange()
	}
}

// snapshot is the printer for /healthz.
func (q *printQueue) snapshot() (state, note string, pending int, printed uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.state, q.note, len(q.jobs), q.printed
}

// PrintJobs lists the print jobs not printed yet, oldest first: those the
// printer stopped during, and those from before a restart that wait for
// staff to print them now or cancel them.
func (s *Station) PrintJobs() []station.PrintJob {
	if s.prn == nil {
		return nil
	}
	return s.prn.list()
}

// PrintJobNow prints a held job (from before a restart, or one the
// printer did not confirm) again, from the start.
func (s *Station) PrintJobNow(id string) error {
	if s.prn == nil {
		return station.ErrNoPrinter
	}
	if err := s.prn.release(id); err != nil {
		return vocab(err)
	}
	s.log.Info("appliance: staff printed a waiting job again", "job", id)
	return nil
}

// CancelPrintJob forgets a job that is not to be printed.
func (s *Station) CancelPrintJob(id string) error {
	if s.prn == nil {
		return station.ErrNoPrinter
	}
	if err := s.prn.cancel(id); err != nil {
		return vocab(err)
	}
	s.log.Info("appliance: staff cancelled a print job", "job", id)
	return nil
}
