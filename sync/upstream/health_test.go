package upstream_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// devicesNow is a station's devices that a test changes.
type devicesNow struct {
	mu      sync.Mutex
	made    int64 // reports made
	paper   string
	changed chan struct{}
}

func newDevices() *devicesNow { return &devicesNow{paper: wire.PaperOK, changed: make(chan struct{})} }

func (d *devicesNow) report() wire.Health {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.made++
	state := wire.DeviceReady
	if d.paper == wire.PaperOut {
		state = wire.DeviceError
	}
	return wire.Health{StationID: station, At: time.Now(), IntervalS: 300, Version: "test", UptimeS: d.made,
		Devices: wire.Devices{Reader: wire.Device{State: wire.DeviceReady}, Scanner: wire.Device{State: wire.DeviceAbsent},
			Printer: wire.Printer{Device: wire.Device{State: state}, Paper: d.paper}, Panel: wire.Device{State: wire.DeviceAbsent}}}
}

func (d *devicesNow) Changed() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.changed
}

func (d *devicesNow) setPaper(p string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.paper = p
	close(d.changed)
	d.changed = make(chan struct{})
}

func (r *rig) reporter(d *devicesNow, log *slog.Logger) *upstream.Reporter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &upstream.Reporter{Client: r.fwd.Client, Report: d.report, Changed: d.Changed, Log: log,
		Interval: time.Hour, StartJitter: time.Millisecond, Debounce: 20 * time.Millisecond,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond}
}

// start runs rep until the test ends, or until the returned stop.
func start(t *testing.T, rep *upstream.Reporter) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rep.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != context.Canceled {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func history(t *testing.T, s hub.Store) []hub.HealthReport {
	t.Helper()
	h, err := s.HealthHistory(station, 0)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// While the hub is away, no report piles up: when it is back it gets one
// report, made then, not the ones that failed.
func TestHealthOfflineKeepsOnlyNewest(t *testing.T) {
	r, addr := downRig(t)
	d := newDevices()
	rep := r.reporter(d, nil)
	stop := start(t, rep)
	waitFor(t, "failed reports", func() bool { return rep.State().Failures >= 5 })
	defer r.serve(t, listen(t, addr))()
	waitFor(t, "a report at the hub", func() bool { return rep.State().Sent >= 1 })
	stop()
	h := history(t, r.store)
	if len(h) != 1 {
		t.Fatalf("the hub got %d reports after the outage, want 1 (the newest)", len(h))
	}
	// Each failed attempt made a report of its own; the one that went
	// through was made after them all.
	if failed := int64(rep.State().Failures); h[0].Report.UptimeS != failed+1 {
		t.Fatalf("the hub got report #%d; %d failed before it: want #%d, made when sent", h[0].Report.UptimeS, failed, failed+1)
	}
}

// A hub from before health reports answers 404: records are still
// delivered, the hub is not asked again for the pause, and that is said
// once at Info.
func TestHealthHubWithout(t *testing.T) {
	r := newRig(t, "")
	var asked atomic.Int64
	h := r.srv.Handler()
	ts := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		if q.URL.Path == wire.PathHealth {
			asked.Add(1)
			http.NotFound(w, q)
			return
		}
		h.ServeHTTP(w, q)
	}))
	r.fwd.Client.BaseURL = ts
	var logs syncBuffer
	rep := r.reporter(newDevices(), slog.New(slog.NewTextHandler(&logs, nil)))
	start(t, rep)
	r.put(t, 1, 21, "matter")
	r.run(t)
	waitFor(t, "records delivered", func() bool { return r.box.Stats().Queued == 0 })
	waitFor(t, "the pause", func() bool { return !rep.State().PausedUntil.IsZero() })
	r.put(t, 21, 31, "matter")
	waitFor(t, "more records delivered", func() bool { return r.box.Stats().Queued == 0 })
	if all, _ := r.store.All(); len(all) != 30 {
		t.Fatalf("hub holds %d records, want 30", len(all))
	}
	if n := asked.Load(); n != 1 {
		t.Fatalf("the hub was asked for health %d times, want 1 then a pause", n)
	}
	if p := time.Until(rep.State().PausedUntil); p < 5*time.Hour {
		t.Fatalf("paused for %v, want the default 6h", p)
	}
	if n := strings.Count(logs.String(), "does not take health reports"); n != 1 || !strings.Contains(logs.String(), "level=INFO") {
		t.Fatalf("logged %d times:\n%s", n, logs.String())
	}
}

// A hub's Retry-After is waited out before the next report.
func TestHealthRetryAfter(t *testing.T) {
	r := newRig(t, "")
	var mu sync.Mutex
	var times []time.Time
	h := r.srv.Handler()
	ts := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		if q.URL.Path == wire.PathHealth {
			mu.Lock()
			times = append(times, time.Now())
			first := len(times) == 1
			mu.Unlock()
			if first {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
		}
		h.ServeHTTP(w, q)
	}))
	r.fwd.Client.BaseURL = ts
	rep := r.reporter(newDevices(), nil)
	start(t, rep)
	waitFor(t, "a report through", func() bool { return rep.State().Sent == 1 })
	mu.Lock()
	defer mu.Unlock()
	if gap := times[1].Sub(times[0]); gap < time.Second {
		t.Fatalf("asked again after %v; the hub said 1s", gap)
	}
}

// A device that changes state is reported at once, not at the next
// interval (an hour here).
func TestHealthDeviceChangeSendsAtOnce(t *testing.T) {
	r := newRig(t, "")
	r.fwd.Client.BaseURL = serveHTTP(t, r.srv.Handler())
	d := newDevices()
	rep := r.reporter(d, nil)
	start(t, rep)
	waitFor(t, "the first report", func() bool { return rep.State().Sent == 1 })
	d.setPaper(wire.PaperOut)
	waitFor(t, "the paper-out report", func() bool { return rep.State().Sent == 2 })
	h := history(t, r.store)
	if len(h) != 2 || h[0].Report.Devices.Printer.Paper != wire.PaperOut || h[1].Report.Devices.Printer.Paper != wire.PaperOK {
		t.Fatalf("history: %+v", h)
	}
}

// Each report the hub took is told through Sent (the station makes
// itself online by it), and a failed one is not.
func TestHealthSentTellsTheHubAnswered(t *testing.T) {
	r, addr := downRig(t)
	d := newDevices()
	rep := r.reporter(d, nil)
	var told atomic.Int64
	rep.Sent = func() { told.Add(1) }
	start(t, rep)
	waitFor(t, "a failed report", func() bool { return rep.State().Failures >= 1 })
	if n := told.Load(); n != 0 {
		t.Fatalf("Sent told %d times with the hub down", n)
	}
	defer r.serve(t, listen(t, addr))()
	waitFor(t, "the report told as sent", func() bool { return told.Load() == 1 })
	if got := rep.State().Sent; got != 1 {
		t.Fatalf("the reporter says %d sent, Sent told once", got)
	}
}

// Records first: while the forwarder has a batch on its way the report
// waits.
func TestHealthWaitsForRecords(t *testing.T) {
	r := newRig(t, "")
	r.fwd.Client.BaseURL = serveHTTP(t, r.srv.Handler())
	var busy atomic.Bool
	busy.Store(true)
	var asked atomic.Int64
	rep := r.reporter(newDevices(), nil)
	rep.Defer = func() bool { asked.Add(1); return busy.Load() }
	start(t, rep)
	waitFor(t, "the reporter to defer", func() bool { return asked.Load() >= 3 })
	if rep.State().Sent != 0 {
		t.Fatal("a report went while records were on their way")
	}
	busy.Store(false)
	waitFor(t, "the report", func() bool { return rep.State().Sent == 1 })
}

// The jitter spreads stations: seeded draws of many stations' waits
// cover the backoff's range evenly, and those told the same Retry-After
// come back over a quarter of it, never before it.
func TestHealthJitterSpread(t *testing.T) {
	const stations, bins = 2000, 10
	var counts [bins]int
	lo, hi := 2500*time.Millisecond, 80*time.Second // MinBackoff/2, MinBackoff<<4
	var raMin, raMax time.Duration = time.Hour, 0
	for i := range stations {
		rep := &upstream.Reporter{Interval: 5 * time.Minute, Rand: rand.New(rand.NewPCG(uint64(i), 17))}
		d := rep.Backoff(4, errors.New("refused"))
		if d < lo || d > hi {
			t.Fatalf("station %d waits %v, outside [%v, %v]", i, d, lo, hi)
		}
		counts[int(float64(d-lo)/float64(hi-lo+1)*bins)]++
		ra := rep.Backoff(0, &upstream.HTTPError{Status: 503, RetryAfter: 90 * time.Second})
		if ra < 90*time.Second || ra > 90*time.Second+90*time.Second/4 {
			t.Fatalf("station %d told 90s waits %v", i, ra)
		}
		raMin, raMax = min(raMin, ra), max(raMax, ra)
	}
	for b, n := range counts {
		if n < stations/bins/2 {
			t.Errorf("bin %d of the backoff has %d of %d stations: %v", b, n, stations, counts)
		}
	}
	if raMax-raMin < 20*time.Second {
		t.Errorf("stations told 90s come back within %v of each other", raMax-raMin)
	}
}

// syncBuffer is a log sink the reporter's goroutine writes while the
// test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func serveHTTP(t *testing.T, h http.Handler) string {
	ln := listen(t, "127.0.0.1:0")
	s := &http.Server{Handler: h}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return "http://" + ln.Addr().String()
}
