package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// SendHealth posts one health report (trimmed to wire.MaxHealthBytes).
func (c *Client) SendHealth(ctx context.Context, h wire.Health) error {
	h.StationID = c.StationID
	body, err := h.Fit()
	if err != nil {
		return fmt.Errorf("upstream: %w", err)
	}
	resp, err := c.do(ctx, http.MethodPost, wire.PathHealth, body, nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// Reporter sends the station's health report to the hub every Interval,
// and soon after a device changes state. It keeps no backlog: a report
// is made when it is sent, so after an outage the hub gets the newest
// report only. Records come first: while the forwarder has a batch on its
// way, the report waits (up to MaxDefer).
type Reporter struct {
	Client *Client
	// Report makes the report to send now.
	Report func() wire.Health
	// Changed returns a channel closed at the next change of the
	// station's state; nil when there is none to watch. A report goes
	// early only when its devices differ from the last one sent.
	Changed func() <-chan struct{}
	// Defer reports whether records are on their way to the hub, which
	// the report then lets go first; nil never defers.
	Defer func() bool
	Log   *slog.Logger
	// Sent, when set, is called after each report the hub took: the
	// hub is reachable.
	Sent func()

	Interval time.Duration // default 5m
	// Debounce is how long the devices must stay changed before the
	// early report goes, so a flapping cable sends one report, not ten.
	// Default 2s.
	Debounce time.Duration
	// NotFoundPause is how long the reporter stops asking a hub that
	// answered 404 (a hub from before health reports). Default 6h: a
	// hub is upgraded a few times a year, and four requests a day from
	// each station cost nothing.
	NotFoundPause time.Duration
	// MinBackoff and MaxBackoff bound the full-jitter backoff after a
	// failure (default 5s and Interval); a Retry-After is honoured.
	MinBackoff, MaxBackoff time.Duration
	// MaxDefer bounds how long records keep a report waiting (default
	// 30s): a station with an endless backlog must still say so.
	MaxDefer time.Duration
	// StartJitter bounds the random wait before the first report
	// (default: Interval, at most a minute).
	StartJitter time.Duration
	// Rand draws the jitter; a seeded one makes tests repeatable.
	// Default: a random source.
	Rand *rand.Rand

	mu    sync.Mutex
	st    ReporterState
	once  sync.Once
	randM sync.Mutex
}

// ReporterState is the reporter's view for /healthz and tests.
type ReporterState struct {
	Sent        uint64    // reports the hub took
	LastSent    time.Time // zero before the first
	Failures    uint64
	PausedUntil time.Time // while the hub does not know the endpoint (404)
}

// State returns a copy of the reporter's state.
func (r *Reporter) State() ReporterState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

func (r *Reporter) init() {
	r.once.Do(func() {
		if r.Interval <= 0 {
			r.Interval = 5 * time.Minute
		}
		if r.Debounce <= 0 {
			r.Debounce = 2 * time.Second
		}
		if r.NotFoundPause <= 0 {
			r.NotFoundPause = 6 * time.Hour
		}
		if r.MinBackoff <= 0 {
			r.MinBackoff = 5 * time.Second
		}
		if r.MaxBackoff < r.MinBackoff {
			r.MaxBackoff = max(r.Interval, r.MinBackoff)
		}
		if r.MaxDefer <= 0 {
			r.MaxDefer = 30 * time.Second
		}
		if r.StartJitter <= 0 {
			r.StartJitter = min(r.Interval, time.Minute)
		}
		if r.Rand == nil {
			r.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
		}
		if r.Log == nil {
			r.Log = slog.Default()
		}
	})
}

func (r *Reporter) randN(n time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	r.randM.Lock()
	defer r.randM.Unlock()
	return time.Duration(r.Rand.Int64N(int64(n) + 1))
}

// Backoff is how long the reporter waits after its attempt-th failure in
// a row (0 for the first): full jitter between MinBackoff/2 and an
// exponentially growing ceiling (MaxBackoff at most), and never less than
// the hub's Retry-After, to which a spread of up to a quarter of it is
// added, so that the stations a hub told the same time do not all come
// back at that second.
func (r *Reporter) Backoff(attempt int, err error) time.Duration {
	r.init()
	ceil := r.MinBackoff << min(attempt, 30)
	if ceil <= 0 || ceil > r.MaxBackoff {
		ceil = r.MaxBackoff
	}
	d := r.MinBackoff/2 + r.randN(ceil-r.MinBackoff/2)
	var he *HTTPError
	if errors.As(err, &he) && he.RetryAfter > 0 {
		ra := min(he.RetryAfter, 24*time.Hour)
		d = max(d, ra+r.randN(ra/4))
	}
	return d
}

// Run reports until ctx is done, then returns ctx.Err(). The first
// report goes after a random part of StartJitter, so
// stations that start together, after a county-wide power cut, spread
// out.
func (r *Reporter) Run(ctx context.Context) error {
	r.init()
	wait := r.randN(r.StartJitter)
	attempt := 0
	var last *wire.Devices // the devices of the last report sent
	watch := false         // the last attempt went through
	for {
		early, err := r.wait(ctx, wait, last, watch)
		if err != nil {
			return err
		}
		if err := r.deferToRecords(ctx); err != nil {
			return err
		}
		h := r.Report()
		err = r.Client.SendHealth(ctx, h)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var he *HTTPError
		switch {
		case err == nil:
			attempt, watch = 0, true
			last = &h.Devices
			wait = r.Interval
			r.mu.Lock()
			r.st.Sent++
			r.st.LastSent = time.Now()
			r.st.PausedUntil = time.Time{}
			r.mu.Unlock()
			if r.Sent != nil {
				r.Sent()
			}
			if early {
				r.Log.Debug("upstream: a device changed; health report sent")
			}
		case errors.As(err, &he) && he.Status == http.StatusNotFound:
			// The hub predates health reports: records go on as ever, and
			// the hub is asked again after a pause. Said once, until the
			// hub takes a report.
			attempt, watch = 0, false
			wait = r.NotFoundPause
			r.mu.Lock()
			first := r.st.PausedUntil.IsZero()
			r.st.PausedUntil = time.Now().Add(wait)
			r.mu.Unlock()
			if first {
				r.Log.Info("upstream: the hub does not take health reports (404); records are sent as ever, health asked again later", "pause", wait)
			}
		default:
			watch = false
			wait = r.Backoff(attempt, err)
			attempt++
			r.mu.Lock()
			r.st.Failures++
			r.mu.Unlock()
			r.Log.Debug("upstream: health report not sent", "err", err, "retry_in", wait.Round(time.Millisecond))
		}
	}
}

// wait sleeps d, or less when the devices differ from last (and still
// do after Debounce); early reports which ended it. Only after a report
// went through (watch): while paused after a 404 or backing off, a
// change does not end the wait, so a dead or overloaded hub is not asked
// more often because a cable flaps.
func (r *Reporter) wait(ctx context.Context, d time.Duration, last *wire.Devices, watch bool) (early bool, err error) {
	t := time.NewTimer(d)
	defer t.Stop()
	watch = watch && r.Changed != nil && last != nil
	for {
		var changed <-chan struct{}
		if watch {
			// The channel first, then the look: a change between the
			// two closes the channel, none is missed.
			changed = r.Changed()
			if differ := !reflect.DeepEqual(r.Report().Devices, *last); differ {
				deb := time.NewTimer(r.Debounce)
				select {
				case <-ctx.Done():
					deb.Stop()
					return false, ctx.Err()
				case <-deb.C:
				}
				if !reflect.DeepEqual(r.Report().Devices, *last) {
					return true, nil
				}
				continue
			}
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-t.C:
			return false, nil
		case <-changed:
		}
	}
}

// deferToRecords waits while records are on their way, up to MaxDefer.
func (r *Reporter) deferToRecords(ctx context.Context) error {
	if r.Defer == nil {
		return nil
	}
	deadline := time.Now().Add(r.MaxDefer)
	for r.Defer() && time.Now().Before(deadline) {
		t := time.NewTimer(200 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
