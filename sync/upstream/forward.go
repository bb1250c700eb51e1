package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// Queue is what the Forwarder drains: a durable store that keeps a record
// until the hub has answered for it.
type Queue interface {
	// Pending returns up to max queued records, oldest (lowest seq) first.
	Pending(max int) ([]wire.Record, error)
	// Ack moves records the hub acknowledged to the delivered set.
	Ack(ids []string) error
	// Reject moves records the hub refused aside, with the reason.
	Reject(rs []wire.Rejection) error
}

// Failure causes, as counted in State.Failures and exported as metrics.
const (
	CauseNetwork   = "network"   // no answer: DNS, refused, reset, timeout
	CauseAuth      = "auth"      // 401 or 403
	CauseThrottled = "throttled" // 429
	CauseServer    = "server"    // 5xx or another unexpected status
	CauseTooLarge  = "too_large" // 413
	CauseReply     = "reply"     // an answer that is not the contract's
	CauseQueue     = "queue"     // the local store failed
	CauseTLS       = "tls"       // the hub's certificate or key was refused
)

// State is a snapshot of the forwarder for /healthz and the screens.
type State struct {
	Online      bool      // the last exchange with the hub succeeded
	LastSuccess time.Time // zero until the first success
	LastError   string
	LastErrorAt time.Time
	// Alert is set when sending has stopped and needs a person: the hub
	// refused the station's token, or the station refused the hub's
	// certificate (tried again with backoff, but a wrong CA or pin does
	// not mend itself).
	Alert     string
	Sent      uint64 // records acknowledged since start
	Rejected  uint64 // records the hub refused since start
	Failures  map[string]uint64
	BatchSize int
	RetryAt   time.Time // when the next attempt is due while backing off
	// SendRate is records acknowledged per second over the last minute.
	SendRate float64
}

// Forwarder sends queued records to the hub in batches, retrying with
// exponential backoff and jitter while the hub is unreachable. A record
// leaves the queue only through the hub's answer.
type Forwarder struct {
	Client *Client
	Queue  Queue
	Log    *slog.Logger

	BatchSize  int           // records per batch; default 100
	BatchBytes int           // bytes per batch, roughly; default 1 MiB (one record always goes)
	MinBackoff time.Duration // default 1s
	MaxBackoff time.Duration // default 5m
	Idle       time.Duration // how often to look at an idle queue; default 30s
	AuthRetry  time.Duration // how often to re-read a refused token; default 1m
	// GrowAfter is how many batches in a row must go through before a
	// batch size that a 413 halved doubles again, up to BatchSize;
	// default 8. A hub's limit may be passing (a proxy, a backlog of
	// large records), and batches of one forever would crawl.
	GrowAfter int
	// Changed, if set, is called whenever State's Online, Alert, Sent or
	// Rejected may have changed, so that what shows them need not poll
	// State. It is called from Run's goroutine, without the forwarder's
	// lock, and must not block.
	Changed func()

	kick  chan struct{}
	retry chan struct{}
	once  sync.Once

	mu       sync.Mutex
	st       State
	okRun    int       // batches through since the batch size was last cut
	acks     []ackMark // the last minute's acknowledgements, for SendRate
	tlsAlert bool      // st.Alert is about the hub's certificate
	busy     time.Time // when Run last stopped waiting; zero while it waits, see Busy
}

// ackMark is one batch's acknowledgement.
type ackMark struct {
	at time.Time
	n  int
}

// rateWindow is what SendRate averages over.
const rateWindow = time.Minute

func (f *Forwarder) init() {
	f.once.Do(func() {
		f.kick = make(chan struct{}, 1)
		f.retry = make(chan struct{}, 1)
		if f.BatchSize <= 0 {
			f.BatchSize = 100
		}
		if f.BatchBytes <= 0 {
			f.BatchBytes = 1 << 20
		}
		if f.MinBackoff <= 0 {
			f.MinBackoff = time.Second
		}
		if f.MaxBackoff < f.MinBackoff {
			f.MaxBackoff = max(5*time.Minute, f.MinBackoff)
		}
		if f.Idle <= 0 {
			f.Idle = 30 * time.Second
		}
		if f.AuthRetry <= 0 {
			f.AuthRetry = time.Minute
		}
		if f.GrowAfter <= 0 {
			f.GrowAfter = 8
		}
		if f.Log == nil {
			f.Log = slog.Default()
		}
		f.st.Failures = map[string]uint64{}
		f.st.BatchSize = f.BatchSize
	})
}

// Kick tells an idle forwarder that a record was queued. It does not cut a
// backoff short, so a dead hub is not hammered once per new record.
func (f *Forwarder) Kick() {
	f.init()
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// Retry ends a backoff at once: the network is known to be back.
func (f *Forwarder) Retry() {
	f.init()
	select {
	case f.retry <- struct{}{}:
	default:
	}
}

// Reached tells the forwarder that the hub answered another of the
// station's requests (its reference data, a health report): it is online,
// and any backoff ends. With nothing queued the forwarder itself sends
// nothing, and a station started with an empty outbox showed residents
// 离线 and lit its offline lamp until someone's record went through.
func (f *Forwarder) Reached() {
	f.init()
	f.mu.Lock()
	was := f.st.Online
	f.st.Online, f.st.LastSuccess = true, time.Now()
	f.mu.Unlock()
	if !was {
		f.changed()
		// Only a forwarder that was offline can be backing off; a retry
		// asked of one that is not would stay pending and cut its next
		// backoff short (health reports reach here every 5 min).
		f.Retry()
	}
}

// State returns a copy of the forwarder's state.
func (f *Forwarder) State() State {
	f.init()
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.st
	now := time.Now()
	n := 0
	for _, a := range f.acks {
		if now.Sub(a.at) <= rateWindow {
			n += a.n
		}
	}
	s.SendRate = float64(n) / rateWindow.Seconds()
	s.Failures = make(map[string]uint64, len(f.st.Failures))
	for k, v := range f.st.Failures {
		s.Failures[k] = v
	}
	return s
}

// Busy reports how long Run has been at work on its current batch:
// reading the queue, sending to the hub, recording its answer. It is zero
// while Run waits (idle, backing off however long, or waiting for a new
// token), and before Run starts: a forwarder that waits is not stuck, one
// busy far past its client's timeout is.
func (f *Forwarder) Busy() time.Duration {
	f.init()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.busy.IsZero() {
		return 0
	}
	return time.Since(f.busy)
}

func (f *Forwarder) setBusy(busy bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.busy = time.Time{}
	if busy {
		f.busy = time.Now()
	}
}

// Run drains the queue until ctx is done, then returns ctx.Err().
func (f *Forwarder) Run(ctx context.Context) error {
	f.init()
	f.setBusy(true)
	defer f.setBusy(false)
	attempt := 0
	refused := "" // the token the hub refused, while the alert stands
	for {
		if refused != "" {
			tok, err := f.Client.Token()
			if err != nil || tok == refused {
				if err := f.sleep(ctx, f.AuthRetry, nil); err != nil {
					return err
				}
				continue
			}
			refused = ""
			f.setAlert("")
			f.Log.Info("upstream: station token changed; sending again")
		}
		more, err := f.sendOne(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case err == nil && more:
			attempt = 0
			continue
		case err == nil:
			attempt = 0
			if err := f.sleep(ctx, f.Idle, f.kick); err != nil {
				return err
			}
		case IsAuth(err):
			refused, _ = f.Client.Token()
			alert := f.authAlert(err)
			f.setAlert(alert)
			f.Log.Error("upstream: sending stopped until the token file changes", "alert", alert, "err", err)
		default:
			d := f.backoff(attempt, err)
			attempt++
			f.mu.Lock()
			f.st.RetryAt = time.Now().Add(d)
			f.mu.Unlock()
			f.Log.Warn("upstream: send failed; backing off", "err", err, "retry_in", d.Round(time.Millisecond))
			if err := f.sleep(ctx, d, f.retry); err != nil {
				return err
			}
		}
	}
}

// sendOne sends one batch. more reports that the queue may hold more work
// that should be sent at once.
func (f *Forwarder) sendOne(ctx context.Context) (more bool, err error) {
	f.mu.Lock()
	n := f.st.BatchSize
	f.mu.Unlock()
	recs, err := f.Queue.Pending(n)
	if err != nil {
		f.fail(CauseQueue, err)
		return false, err
	}
	if len(recs) == 0 {
		return false, nil
	}
	full := len(recs) == n
	if cut := fitBytes(recs, f.BatchBytes); cut < len(recs) {
		recs, full = recs[:cut], true
	}
	reply, err := f.Client.Send(ctx, recs)
	if err != nil {
		if ctx.Err() != nil {
			return false, err
		}
		var he *HTTPError
		if errors.As(err, &he) && he.Status == http.StatusRequestEntityTooLarge {
			f.fail(CauseTooLarge, err)
			return true, f.shrink(recs)
		}
		f.fail(cause(err), err)
		return false, err
	}
	answered, err := f.apply(recs, reply)
	if err != nil {
		return false, err
	}
	if answered < len(recs) {
		err := errors.New("upstream: hub answered for fewer records than it was sent")
		f.fail(CauseReply, err)
		return false, err
	}
	f.grow()
	return full, nil
}

// grow doubles a batch size that a 413 cut, once GrowAfter batches in a
// row went through.
func (f *Forwarder) grow() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.st.BatchSize >= f.BatchSize {
		return
	}
	f.okRun++
	if f.okRun < f.GrowAfter {
		return
	}
	f.okRun = 0
	f.st.BatchSize = min(2*f.st.BatchSize, f.BatchSize)
	f.Log.Info("upstream: batches go through again; batch size raised", "batch_size", f.st.BatchSize)
}

// fitBytes returns how many of recs fit in limit bytes on the wire, at
// least one: a record larger than the limit goes alone, and a 413 then
// sets it aside.
func fitBytes(recs []wire.Record, limit int) int {
	size := 0
	for i, r := range recs {
		// The envelope's fields besides grid and payload take about 200.
		size += len(r.Payload) + len(r.Grid) + 200
		if size > limit && i > 0 {
			return i
		}
	}
	return len(recs)
}

// shrink halves the batch after a 413; a single record the hub finds too
// large is set aside with the reason rather than blocking every later one.
func (f *Forwarder) shrink(recs []wire.Record) error {
	f.mu.Lock()
	f.okRun = 0
	if len(recs) > 1 {
		f.st.BatchSize = max(1, len(recs)/2)
		f.mu.Unlock()
		return nil
	}
	f.mu.Unlock()
	rej := []wire.Rejection{{ID: recs[0].ID, Reason: "record too large for the hub (413)"}}
	if err := f.Queue.Reject(rej); err != nil {
		f.fail(CauseQueue, err)
		return err
	}
	f.mu.Lock()
	f.st.Rejected++
	f.mu.Unlock()
	f.changed()
	return nil
}

// apply records the hub's answer and returns how many of recs it covered.
func (f *Forwarder) apply(recs []wire.Record, reply wire.Reply) (int, error) {
	sent := make(map[string]bool, len(recs))
	for _, r := range recs {
		sent[r.ID] = true
	}
	var acked []string
	for _, id := range reply.Acked {
		if sent[id] {
			acked = append(acked, id)
			delete(sent, id)
		}
	}
	var rejected []wire.Rejection
	for _, r := range reply.Rejected {
		if sent[r.ID] {
			rejected = append(rejected, r)
			delete(sent, r.ID)
		}
	}
	if err := f.Queue.Ack(acked); err != nil {
		f.fail(CauseQueue, err)
		return 0, err
	}
	if err := f.Queue.Reject(rejected); err != nil {
		f.fail(CauseQueue, err)
		return 0, err
	}
	for _, r := range rejected {
		f.Log.Warn("upstream: hub rejected a record; kept aside for staff", "id", r.ID, "reason", r.Reason)
	}
	f.mu.Lock()
	f.st.Online = true
	f.st.LastSuccess = time.Now()
	f.st.Sent += uint64(len(acked))
	f.st.Rejected += uint64(len(rejected))
	f.st.RetryAt = time.Time{}
	if f.tlsAlert {
		f.st.Alert, f.tlsAlert = "", false
	}
	now := time.Now()
	for len(f.acks) > 0 && now.Sub(f.acks[0].at) > rateWindow {
		f.acks = f.acks[1:]
	}
	f.acks = append(f.acks, ackMark{at: now, n: len(acked)})
	f.mu.Unlock()
	f.changed()
	return len(acked) + len(rejected), nil
}

// authAlert is what staff and technicians are told when the hub refused
// the token: which station the token belongs to when the hub said so,
// since then the token is good and one of two settings is wrong.
func (f *Forwarder) authAlert(err error) string {
	if owner, ok := StationMismatch(err); ok {
		return fmt.Sprintf("令牌属于站点 %s，本站编号是 %s：请改正 station.id 或令牌文件 / the token belongs to station %s, this station is %s: fix station.id or the token file (upstream.token_file)",
			owner, f.Client.StationID, owner, f.Client.StationID)
	}
	return "上游拒绝了本站令牌 / the hub refused this station's token: " + err.Error() +
		"; check the token file named by upstream.token_file"
}

func (f *Forwarder) fail(cause string, err error) {
	defer f.changed()
	f.mu.Lock()
	defer f.mu.Unlock()
	if cause != CauseQueue {
		f.st.Online = false
	}
	f.st.Failures[cause]++
	f.st.LastError = err.Error()
	f.st.LastErrorAt = time.Now()
	var te *TLSError
	if cause == CauseTLS && errors.As(err, &te) {
		f.st.Alert = "上级平台身份校验失败 / the hub's identity was refused: " + te.Error()
		f.tlsAlert = true
	}
}

func (f *Forwarder) setAlert(a string) {
	f.mu.Lock()
	f.st.Alert = a
	f.mu.Unlock()
	f.changed()
}

// changed tells Changed, if set. The caller must not hold f.mu.
func (f *Forwarder) changed() {
	if f.Changed != nil {
		f.Changed()
	}
}

// backoff is full-jitter exponential backoff, but never shorter than what
// the hub asked for in Retry-After.
func (f *Forwarder) backoff(attempt int, err error) time.Duration {
	ceil := f.MinBackoff << min(attempt, 30)
	if ceil <= 0 || ceil > f.MaxBackoff {
		ceil = f.MaxBackoff
	}
	d := f.MinBackoff/2 + rand.N(ceil-f.MinBackoff/2+1)
	var he *HTTPError
	if errors.As(err, &he) && he.RetryAfter > d {
		d = min(he.RetryAfter, 24*time.Hour)
	}
	return d
}

// sleep is where Run waits, and the only place: the time between two
// sleeps is what Busy measures.
func (f *Forwarder) sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	f.setBusy(false)
	defer f.setBusy(true)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-wake:
	}
	return nil
}

func cause(err error) string {
	var he *HTTPError
	if !errors.As(err, &he) {
		if errors.Is(err, errBadReply) {
			return CauseReply
		}
		if IsTLS(err) {
			return CauseTLS
		}
		return CauseNetwork
	}
	switch {
	case he.Status == http.StatusTooManyRequests:
		return CauseThrottled
	case IsAuth(err):
		return CauseAuth
	default:
		return CauseServer
	}
}
