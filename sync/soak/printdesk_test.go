package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// shortRoll is the paper the desk loads, in bytes: less than any receipt,
// so every receipt stops part way and its job stays kept, waiting.
const shortRoll = 120

// printDesk is the staff at the station's receipt printer during a soak.
// It asks for receipts of promised records on an emulated printer whose
// paper runs out in the middle of each, so the station keeps every job;
// it cancels some; and after every restart it checks the jobs the station
// lists: each whole and held, none promised (202) lost, none cancelled
// (204) back.
type printDesk struct {
	errorf func(format string, args ...any) // the test's Errorf
	prn    *printersim.Printer
	addr   string // the printer's TCP address, for the station's config
	hc     *http.Client

	// Set by attach, before run.
	admin, token string
	records      func(*rand.Rand) string // a promised record's ID, or ""

	mu         sync.Mutex // held through each request to the station and its recording
	open       bool       // the station is up and its jobs were checked: staff may ask
	idle       bool       // a job waits for paper: nothing more until the next run
	fresh      bool       // no request yet in this run
	notBefore  time.Time  // no request before, in this run
	listed     []string   // at the last check
	jobs       map[string]*deskJob
	receipts   map[string]string // receipt record ID → the record it is for, from 201 and 202 answers
	unanswered int               // receipt requests that may have left a job and a receipt record
	stats      deskStats
}

// deskJob is a print job the station answered 202 for, or listed unasked
// (its request got no answer).
type deskJob struct {
	ID, Ticket string
	Promised   bool      // answered 202
	Seen       bool      // listed at a check since: it must stay until cancelled
	Created    time.Time // as first listed
	Cancel     cancelState
	bad        bool // counted in Missing, Changed or Back already
}

type cancelState int

const (
	notCancelled  cancelState = iota
	cancelled                 // answered 204: the job must be gone for good
	cancelUnknown             // no answer: gone or there, until a check says which
)

type deskStats struct {
	Asked, Promised, Printed, NotReady int
	Cancelled, CancelUnanswered        int
	Checks, Present, Missing, Changed  int
	Back, Extra, ReceiptsAtHub         int
}

func newPrintDesk(t *testing.T) *printDesk {
	t.Helper()
	prn := printersim.New()
	ln, err := prn.ListenTCP("127.0.0.1:0")
	if err != nil {
		t.Fatalf("printdesk: %v", err)
	}
	t.Cleanup(func() { prn.Close() })
	d := &printDesk{errorf: t.Errorf, prn: prn, addr: ln.Addr().String(),
		hc:   &http.Client{Timeout: 40 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}},
		jobs: map[string]*deskJob{}, receipts: map[string]string{}}
	d.loadPaper()
	return d
}

// printerConfig is the station's config section for the desk's printer.
func (d *printDesk) printerConfig() string {
	return fmt.Sprintf("\n[devices.printer]\ntcp = %q\npaper = \"58mm\"\nconfirm = \"gs-r\"\n", d.addr)
}

func (d *printDesk) attach(admin, token string, records func(*rand.Rand) string) {
	d.admin, d.token, d.records = admin, token, records
}

// loadPaper is staff switching the printer off and on, which empties its
// buffer, and loading a short roll.
func (d *printDesk) loadPaper() {
	d.prn.PowerCycle()
	d.prn.Set(printersim.State{})
	d.prn.RunOutAfter(shortRoll)
}

// cut is the power cut at the desk, the station killed: no request until
// the jobs are checked again, and the printer lost its buffer.
func (d *printDesk) cut() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.open = false
	d.loadPaper()
}

// ready checks the jobs of the station just started and ready, then lets
// staff ask for receipts on it.
func (d *printDesk) ready(st *station) {
	d.check(st)
	d.openDesk()
}

// openDesk lets staff ask for receipts on the station as it now runs.
func (d *printDesk) openDesk() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.open, d.idle, d.fresh = true, false, true
}

// run asks for receipts while the desk is open, until ctx ends.
func (d *printDesk) run(ctx context.Context, rng *rand.Rand) {
	for ctx.Err() == nil {
		if !d.step(ctx, rng) {
			sleepCtx(ctx, 20*time.Millisecond)
		}
	}
}

// step makes one request; it returns false when there was nothing to do.
func (d *printDesk) step(ctx context.Context, rng *rand.Rand) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.open || d.idle || time.Now().Before(d.notBefore) {
		return false
	}
	if d.fresh {
		d.fresh = false
		if rng.Float64() < 0.5 {
			// Later in the run, so that some kills land in the middle
			// of a receipt or a cancel.
			d.notBefore = time.Now().Add(between(rng, 0, time.Second))
			return false
		}
		// Now and then a job from before the restart is not wanted.
		if len(d.listed) > 0 && rng.Float64() < 0.25 {
			d.cancel(ctx, d.jobs[d.listed[rng.IntN(len(d.listed))]])
			return true
		}
	}
	id := d.records(rng)
	if id == "" {
		return false
	}
	d.receipt(ctx, id, rng)
	return true
}

// receipt asks for a receipt for record id; half the jobs answered 202
// are cancelled at once, the printer cleared and a new roll loaded.
func (d *printDesk) receipt(ctx context.Context, id string, rng *rand.Rand) {
	d.stats.Asked++
	status, body, err := d.post(ctx, "/v1/records/"+id+"/receipt", `{"staff":"值班员 Duty"}`)
	if err != nil {
		if !neverSent(err) {
			d.unanswered++
		}
		d.idle = true // the station is going down
		return
	}
	var res struct {
		State     string `json:"state"`
		ReceiptID string `json:"receipt_id"`
		Ticket    string `json:"ticket"`
		JobID     string `json:"job_id"`
	}
	switch status {
	case http.StatusAccepted, http.StatusCreated:
		if err := json.Unmarshal(body, &res); err != nil || res.ReceiptID == "" || res.Ticket == "" {
			d.errorf("printdesk: receipt for %s answered %d without a receipt ID and ticket: %s", id, status, body)
			d.idle = true
			return
		}
		d.receipts[res.ReceiptID] = id
	case http.StatusConflict:
		d.stats.NotReady++ // the paper ran out before it started
		d.idle = true
		return
	case http.StatusServiceUnavailable:
		d.unanswered++ // "not stored"; a job kept before may come back held
		d.idle = true
		return
	default:
		d.errorf("printdesk: receipt for %s: unexpected answer %d: %s", id, status, body)
		d.idle = true
		return
	}
	if status == http.StatusCreated {
		d.stats.Printed++ // the roll was long enough after all
		return
	}
	if res.JobID == "" {
		d.errorf("printdesk: receipt for %s answered 202 without a job ID: %s", id, body)
		d.idle = true
		return
	}
	d.stats.Promised++
	j := &deskJob{ID: res.JobID, Ticket: res.Ticket, Promised: true}
	d.jobs[j.ID] = j
	if rng.Float64() < 0.5 && d.cancel(ctx, j) {
		d.loadPaper()
		return
	}
	d.idle = true // the job waits for paper
}

// cancel cancels job j; it reports whether the station answered 204.
func (d *printDesk) cancel(ctx context.Context, j *deskJob) bool {
	status, body, err := d.post(ctx, "/v1/printjobs/"+j.ID+"/cancel", "")
	switch {
	case err != nil:
		if !neverSent(err) {
			j.Cancel = cancelUnknown
			d.stats.CancelUnanswered++
		}
		d.idle = true
		return false
	case status == http.StatusNoContent:
		j.Cancel = cancelled
		d.stats.Cancelled++
		return true
	default:
		d.errorf("printdesk: cancel job %s (ticket %s): %d %s", j.ID, j.Ticket, status, body)
		d.idle = true
		return false
	}
}

func (d *printDesk) post(ctx context.Context, path, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+d.admin+path, bytes.NewReader([]byte(body)))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err // killed mid-answer
	}
	return resp.StatusCode, b, nil
}

// neverSent reports whether err says the request never reached the station.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// listedJob is a print job as GET /v1/printjobs lists it.
type listedJob struct {
	ID      string    `json:"id"`
	Ticket  string    `json:"ticket"`
	Created time.Time `json:"created"`
	State   string    `json:"state"`
	Reason  string    `json:"reason"`
}

// check looks at the print jobs of a station just restarted, before the
// desk asks anything of it: every job listed is whole and held; every job
// answered 202 and not cancelled is there; every job cancelled with 204
// is not.
func (d *printDesk) check(st *station) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stats.Checks++
	listed, err := d.list(st)
	if err != nil {
		d.errorf("printdesk: after restart %d: %v", st.runs, err)
		return
	}
	d.listed = d.listed[:0]
	seen := map[string]bool{}
	for _, lj := range listed {
		seen[lj.ID] = true
		j := d.jobs[lj.ID]
		if j == nil {
			// From a request the station was killed during.
			j = &deskJob{ID: lj.ID, Ticket: lj.Ticket}
			d.jobs[j.ID] = j
			d.stats.Extra++
		}
		if why := j.differs(lj); why != "" && !j.bad {
			j.bad = true
			d.stats.Changed++
			d.errorf("printdesk: after restart %d job %s (ticket %s) %s", st.runs, j.ID, j.Ticket, why)
		}
		switch j.Cancel {
		case cancelled:
			if !j.bad {
				j.bad = true
				d.stats.Back++
				d.errorf("printdesk: after restart %d job %s (ticket %s) is back, though cancelled with 204", st.runs, j.ID, j.Ticket)
			}
			continue
		case cancelUnknown:
			j.Cancel = notCancelled // the cancel did not take; the job stays
		}
		j.Seen = true
		d.listed = append(d.listed, j.ID)
	}
	for _, j := range d.jobs {
		if seen[j.ID] {
			continue
		}
		switch {
		case j.Cancel == cancelUnknown:
			j.Cancel = cancelled // it took: the job must stay gone
		case j.Cancel == notCancelled && (j.Promised || j.Seen) && !j.bad:
			j.bad = true
			d.stats.Missing++
			d.errorf("printdesk: after restart %d job %s (ticket %s), answered 202 or listed before, is gone though nobody cancelled it",
				st.runs, j.ID, j.Ticket)
		}
	}
	if d.stats.Extra > d.unanswered {
		d.errorf("printdesk: %d jobs listed that no 202 announced, but only %d receipt requests went unanswered", d.stats.Extra, d.unanswered)
	}
	d.stats.Present = 0
	for _, j := range d.jobs {
		if j.Promised && seen[j.ID] && j.Cancel == notCancelled {
			d.stats.Present++
		}
	}
}

// differs says how a listed job is not whole, or not the job it was.
func (j *deskJob) differs(lj listedJob) string {
	switch {
	case lj.Ticket == "" || lj.Created.IsZero() || lj.Reason == "":
		return fmt.Sprintf("is listed without a ticket, time or reason: %+v", lj)
	case lj.State != "held":
		return fmt.Sprintf("is %q after a restart, want held", lj.State)
	case lj.Ticket != j.Ticket:
		return fmt.Sprintf("now has ticket %q", lj.Ticket)
	case !j.Created.IsZero() && !j.Created.Equal(lj.Created):
		return fmt.Sprintf("was created at %s, now at %s", j.Created, lj.Created)
	}
	j.Created = lj.Created
	return ""
}

// list is GET /v1/printjobs, each job decoded strictly.
func (d *printDesk) list(st *station) ([]listedJob, error) {
	req, err := http.NewRequest("GET", "http://"+st.admin+"/v1/printjobs", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := st.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("list print jobs: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("list print jobs: %s %s (%v)", resp.Status, b, err)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("list print jobs: %w: %s", err, b)
	}
	out := make([]listedJob, len(raw))
	for i, r := range raw {
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out[i]); err != nil {
			return nil, fmt.Errorf("list print jobs: job %d does not decode: %w: %s", i, err, r)
		}
	}
	return out, nil
}

// verifyReceipts checks the receipt records at the hub: each one a 201 or
// 202 announced is there, for its record; any other came from a request
// that got no answer.
func (d *printDesk) verifyReceipts(stored []hub.Stored) {
	extra := 0
	for _, s := range stored {
		if s.Record.Kind != wire.KindReceipt {
			continue
		}
		var p record.Receipt
		if err := json.Unmarshal(s.Record.Payload, &p); err != nil {
			d.errorf("printdesk: receipt record %s at the hub: %v", s.Record.ID, err)
			continue
		}
		want, ok := d.receipts[s.Record.ID]
		switch {
		case !ok:
			extra++
		case p.RecordID != want:
			d.errorf("printdesk: receipt record %s at the hub is for %s, the station answered it for %s", s.Record.ID, p.RecordID, want)
		default:
			d.stats.ReceiptsAtHub++
		}
	}
	if d.stats.ReceiptsAtHub != len(d.receipts) {
		d.errorf("printdesk: %d receipt records answered 201 or 202, %d of them at the hub", len(d.receipts), d.stats.ReceiptsAtHub)
	}
	if extra > d.unanswered {
		d.errorf("printdesk: %d receipt records at the hub that no answer announced, but only %d requests went unanswered", extra, d.unanswered)
	}
}

// figures are the desk's counts for the soak's summary line.
func (d *printDesk) figures() string {
	s := d.stats
	return fmt.Sprintf(" jobs: promised=%d present=%d missing=%d changed=%d cancelled=%d cancel_unanswered=%d back_after_cancel=%d "+
		"listed_unannounced=%d receipts_asked=%d printer_not_ready=%d printed=%d receipts_at_hub=%d job_checks=%d",
		s.Promised, s.Present, s.Missing, s.Changed, s.Cancelled, s.CancelUnanswered, s.Back,
		s.Extra, s.Asked, s.NotReady, s.Printed, s.ReceiptsAtHub, s.Checks)
}
