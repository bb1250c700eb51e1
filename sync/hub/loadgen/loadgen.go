// Package loadgen simulates a province's stations against a real hub:
// each station holds a backlog of records, numbered by its own sequence,
// and sends them over the v1 contract (POST /v1/records) in batches the
// way the station's forwarder does, retrying with full-jitter backoff and
// honouring Retry-After until every record is acked. Check then compares
// what the hub stored with the stations' sequence numbers: nothing lost,
// nothing twice.
//
// It is what `make bench` (cmd/gridhub's BenchmarkProvince) and the
// smoke test in `make test` drive; the stations' tokens come from Tokens,
// for the hub's --tokens file, so 20,000 of them cost one file write.
package loadgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// Config is a load to put on a hub.
type Config struct {
	// URLs are the hubs, e.g. http://127.0.0.1:8080; station i sends to
	// URLs[i%len(URLs)], as a load balancer would spread them.
	URLs     []string
	Stations int // how many stations
	Records  int // each station's backlog, sent from seq 1
	Batch    int // records per request at most (the forwarder's 100)
	// Conns bounds the connections open to the hub at once: a county's
	// load balancer or NAT in front of the hub pools them too, and one
	// test process has a file limit.
	Conns int
	// Seed names the stations and their records, so a second run with
	// another seed is new traffic on the same database.
	Seed string
	// RetryMax caps the backoff between tries, like upstream.retry_max.
	RetryMax time.Duration
	// Live is how many records each station makes once it is back, each
	// sent alone as it is made (RunLive), after its backlog.
	Live int
	// Rate is how many live records per second all stations make together.
	Rate float64
	// Health has each station send its health report (POST /v1/health)
	// too: its newest one once its backlog is in, as a station back
	// online does, and, while live, HealthRate reports a second in all.
	Health     bool
	HealthRate float64
}

// Result is what a run measured.
type Result struct {
	Records  int           // records acked
	Requests int           // requests answered 200
	Retries  int           // requests that failed and were tried again
	Elapsed  time.Duration // from the start to the last record's ack
	P50, P99 time.Duration // time from sending a batch to its acknowledgement

	Health                   int           // health reports the hub took
	HealthRetries            int           // health reports refused (503, Retry-After) and sent again
	HealthElapsed            time.Duration // from the start to the last report taken
	HealthP50, HealthP99     time.Duration // time from sending a report to the hub's 204
	lastRecord, lastHealthAt time.Time
}

// RecordsPerSecond is the rate the hub acked records at over the run.
func (r Result) RecordsPerSecond() float64 { return float64(r.Records) / r.Elapsed.Seconds() }

// HealthPerSecond is the rate the hub took health reports at.
func (r Result) HealthPerSecond() float64 { return float64(r.Health) / r.HealthElapsed.Seconds() }

// StationID is the ID of station i under seed.
func StationID(seed string, i int) string { return fmt.Sprintf("lg-%s-%05d", seed, i) }

// token is station i's bearer token: derived, so the hub's tokens file
// and the stations agree without keeping 20,000 secrets anywhere.
func token(seed string, i int) string {
	h := sha256.Sum256([]byte("loadgen token " + StationID(seed, i)))
	return hex.EncodeToString(h[:])
}

// Tokens returns the "station_id token" lines of the stations of cfg,
// for gridhub serve --tokens.
func Tokens(cfg Config) []byte {
	var b bytes.Buffer
	for i := range cfg.Stations {
		fmt.Fprintf(&b, "%s %s\n", StationID(cfg.Seed, i), token(cfg.Seed, i))
	}
	return b.Bytes()
}

// RecordID is the ID of the record with sequence number seq of station
// i: a UUIDv7 shape whose last 12 digits are (station, seq), so Check can
// tell which record an ID is.
func RecordID(seed string, i int, seq uint64) string {
	h := sha256.Sum256([]byte(seed))
	return fmt.Sprintf("%x-%x-7%03x-8000-%06d%06d", h[:4], h[4:6], int(h[6])<<4|int(h[7]>>4), i, seq)
}

func record(seed string, i int, seq uint64, at time.Time) wire.Record {
	return wire.Record{
		ID: RecordID(seed, i, seq), Kind: "matter", Seq: seq, CreatedAt: at, ClockTrusted: true,
		Grid:    json.RawMessage(`{"county":"141029","township":"141029100","community":"141029100001"}`),
		Payload: json.RawMessage(`{"category":"repair","summary":"楼道灯不亮 / the stairwell light is out","phone":"13800000000"}`),
	}
}

// Run sends every station's backlog, all stations starting at once, and
// returns when all are acked or ctx ends.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg = cfg.withDefaults()
	created := time.Now().Add(-24 * time.Hour)
	t := newTally(cfg)
	defer t.client.CloseIdleConnections()
	for i := range cfg.Stations {
		t.wg.Go(func() {
			st := station{cfg: cfg, i: i, client: t.client, created: created}
			r, lats, err := st.run(ctx, 1, cfg.Records, cfg.Batch)
			t.add(r, lats, err)
			if err == nil && cfg.Health {
				t.addHealth(st.health(ctx))
			}
		})
	}
	return t.result("backlog")
}

// RunLive has each station make cfg.Live records after its backlog, all
// stations together cfg.Rate records a second, round the stations in
// turn; each record is sent alone when it is made, as a station that is
// online sends it.
func RunLive(ctx context.Context, cfg Config) (Result, error) {
	cfg = cfg.withDefaults()
	t := newTally(cfg)
	defer t.client.CloseIdleConnections()
	total := cfg.Stations * cfg.Live
	for k := range total {
		due := t.start.Add(time.Duration(float64(k) / cfg.Rate * float64(time.Second)))
		select {
		case <-ctx.Done():
			return t.result("live")
		case <-time.After(time.Until(due)):
		}
		i, seq := k%cfg.Stations, cfg.Records+1+k/cfg.Stations
		t.wg.Go(func() {
			st := station{cfg: cfg, i: i, client: t.client, created: time.Now()}
			t.add(st.run(ctx, seq, seq, 1))
		})
		if cfg.Health && cfg.HealthRate > 0 && k%max(1, int(cfg.Rate/cfg.HealthRate)) == 0 {
			t.wg.Go(func() {
				st := station{cfg: cfg, i: i, client: t.client, created: time.Now()}
				t.addHealth(st.health(ctx))
			})
		}
	}
	return t.result("live")
}

func (cfg Config) withDefaults() Config {
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	if cfg.Conns <= 0 {
		cfg.Conns = 64
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 30 * time.Second
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 100
	}
	return cfg
}

// tally gathers what the stations of a run measured.
type tally struct {
	client *http.Client
	start  time.Time
	wg     sync.WaitGroup
	mu     sync.Mutex
	res    Result
	lats   []time.Duration
	hlats  []time.Duration
	errs   []error
	failed int
}

func newTally(cfg Config) *tally {
	return &tally{client: &http.Client{Transport: &http.Transport{
		MaxConnsPerHost: cfg.Conns, MaxIdleConnsPerHost: cfg.Conns, IdleConnTimeout: 30 * time.Second,
	}, Timeout: 2 * time.Minute}, start: time.Now()}
}

func (t *tally) add(r Result, lats []time.Duration, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.res.Records += r.Records
	t.res.Requests += r.Requests
	t.res.Retries += r.Retries
	t.lats = append(t.lats, lats...)
	if r.lastRecord.After(t.res.lastRecord) {
		t.res.lastRecord = r.lastRecord
	}
	t.failed += t.fail(err)
}

// addHealth counts one health report: lat its acknowledgement time,
// retries how often the hub turned it away first.
func (t *tally) addHealth(lat time.Duration, retries int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.res.HealthRetries += retries
	if err == nil {
		t.res.Health++
		t.hlats = append(t.hlats, lat)
		t.res.lastHealthAt = time.Now()
	}
	t.failed += t.fail(err)
}

// fail keeps the first few errors, and says whether err is one.
func (t *tally) fail(err error) int {
	if err != nil {
		if len(t.errs) < 5 {
			t.errs = append(t.errs, err)
		}
		return 1
	}
	return 0
}

// result waits for the stations and sums up.
func (t *tally) result(phase string) (Result, error) {
	t.wg.Wait()
	res := t.res
	res.Elapsed = res.lastRecord.Sub(t.start)
	res.P50, res.P99 = percentiles(t.lats)
	if res.Health > 0 {
		res.HealthElapsed = res.lastHealthAt.Sub(t.start)
		res.HealthP50, res.HealthP99 = percentiles(t.hlats)
	}
	if len(t.errs) > 0 {
		return res, fmt.Errorf("loadgen: %s: %d sends did not finish, e.g.: %w", phase, t.failed, t.errs[0])
	}
	return res, nil
}

func percentiles(lats []time.Duration) (p50, p99 time.Duration) {
	if len(lats) == 0 {
		return 0, 0
	}
	slices.Sort(lats)
	return lats[len(lats)/2], lats[len(lats)*99/100]
}

type station struct {
	cfg     Config
	i       int
	client  *http.Client
	created time.Time
}

// run sends the station's records from to last in order, up to batch
// at a time, each batch until it is acked.
func (s station) run(ctx context.Context, from, last, batch int) (Result, []time.Duration, error) {
	var res Result
	var lats []time.Duration
	id, tok := StationID(s.cfg.Seed, s.i), token(s.cfg.Seed, s.i)
	for first := from; first <= last; first += batch {
		b := wire.Batch{StationID: id}
		for seq := first; seq < first+batch && seq <= last; seq++ {
			at := s.created.Add(time.Duration(seq) * time.Minute)
			b.Records = append(b.Records, record(s.cfg.Seed, s.i, uint64(seq), at))
		}
		body, err := json.Marshal(b)
		if err != nil {
			return res, lats, err
		}
		for try := 0; ; try++ {
			t0 := time.Now()
			wait, err := s.send(ctx, tok, body, len(b.Records))
			if err == nil {
				lats = append(lats, time.Since(t0))
				res.Requests++
				res.Records += len(b.Records)
				res.lastRecord = time.Now()
				break
			}
			if errors.Is(err, errRejected) {
				return res, lats, fmt.Errorf("station %s: %w", id, err)
			}
			if ctx.Err() != nil {
				return res, lats, fmt.Errorf("station %s: %w (last: %v)", id, ctx.Err(), err)
			}
			res.Retries++
			if wait == 0 { // full jitter, as the forwarder: 1 s doubling to RetryMax
				wait = time.Duration(rand.Int64N(int64(min(s.cfg.RetryMax, time.Second<<min(try, 10))))) + time.Millisecond
			}
			select {
			case <-ctx.Done():
				return res, lats, fmt.Errorf("station %s: %w (last: %v)", id, ctx.Err(), err)
			case <-time.After(wait):
			}
		}
	}
	return res, lats, nil
}

// send posts one batch; an error says why it must be sent again, and
// wait how long the hub asked for (Retry-After), if it did.
func (s station) send(ctx context.Context, tok string, body []byte, n int) (wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URLs[s.i%len(s.cfg.URLs)]+"/v1/records", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			wait = time.Duration(secs) * time.Second
		}
		return wait, fmt.Errorf("hub answered %s: %s", resp.Status, strings.TrimSpace(string(raw)))
	}
	var reply wire.Reply
	if err := json.Unmarshal(raw, &reply); err != nil {
		return 0, fmt.Errorf("hub's reply: %w", err)
	}
	if len(reply.Rejected) > 0 || len(reply.Acked) != n {
		// A rejection is a defect of the generator or the hub, never
		// load: stop, rather than count it lost or try forever.
		return 0, fmt.Errorf("%w: hub acked %d of %d records, rejected %+v", errRejected, len(reply.Acked), n, reply.Rejected)
	}
	return 0, nil
}

var errRejected = errors.New("records rejected")

// Stored is what the hub holds of one record, as Check needs it.
type Stored struct {
	Station, ID string
	Seq         uint64
}

// Tally is what Check found.
type Tally struct {
	Stored     int // records the hub holds of the run's stations
	Lost       int // (station, seq) the stations sent that the hub does not hold
	Duplicated int // (station, seq) the hub holds more than once, or under another ID
}

// Check compares what the hub stored with what the stations of cfg sent:
// each station's sequence numbers 1 to cfg.Records+cfg.Live, once each, under the
// record's own ID. Records of other stations are ignored.
func Check(cfg Config, stored []Stored) Tally {
	var t Tally
	seen := make(map[string][]uint8, cfg.Stations)
	for i := range cfg.Stations {
		seen[StationID(cfg.Seed, i)] = make([]uint8, cfg.Records+cfg.Live+1)
	}
	index := func(station string) int {
		n, _ := strconv.Atoi(station[strings.LastIndexByte(station, '-')+1:])
		return n
	}
	for _, st := range stored {
		got, ok := seen[st.Station]
		if !ok {
			continue
		}
		t.Stored++
		if st.Seq < 1 || st.Seq > uint64(cfg.Records+cfg.Live) || st.ID != RecordID(cfg.Seed, index(st.Station), st.Seq) {
			t.Duplicated++
			continue
		}
		if got[st.Seq]++; got[st.Seq] > 1 {
			t.Duplicated++
		}
	}
	for _, got := range seen {
		for _, n := range got[1:] {
			if n == 0 {
				t.Lost++
			}
		}
	}
	return t
}

// health sends the station's health report until the hub takes it,
// honouring the hub's Retry-After (a hub storing its most reports at
// once turns the rest away for a minute or two).
func (s station) health(ctx context.Context) (lat time.Duration, retries int, err error) {
	id, tok := StationID(s.cfg.Seed, s.i), token(s.cfg.Seed, s.i)
	h := wire.Health{StationID: id, Community: "141029100001", At: time.Now(), IntervalS: 300, Version: "loadgen",
		UptimeS: 60, Clock: wire.HealthClock{Trusted: true, Source: "hub"},
		Devices: wire.Devices{Reader: wire.Device{State: wire.DeviceReady}, Scanner: wire.Device{State: wire.DeviceReady},
			Printer: wire.Printer{Device: wire.Device{State: wire.DeviceReady}, Paper: wire.PaperOK, Cover: wire.CoverOK, Cutter: wire.CutterOK},
			Panel:   wire.Device{State: wire.DeviceAbsent}},
		DiskFreeMB: 5000}
	body, err := h.Fit()
	if err != nil {
		return 0, 0, err
	}
	for try := 0; ; try++ {
		t0 := time.Now()
		wait, err := s.post(ctx, wire.PathHealth, tok, body, http.StatusNoContent)
		if err == nil {
			return time.Since(t0), retries, nil
		}
		if errors.Is(err, errRejected) || ctx.Err() != nil {
			return 0, retries, fmt.Errorf("station %s: health: %w", id, err)
		}
		retries++
		if wait == 0 {
			wait = time.Duration(rand.Int64N(int64(min(s.cfg.RetryMax, time.Second<<min(try, 10))))) + time.Millisecond
		}
		select {
		case <-ctx.Done():
			return 0, retries, fmt.Errorf("station %s: health: %w (last: %v)", id, ctx.Err(), err)
		case <-time.After(wait):
		}
	}
}

// post posts body to path; an error says why it must be sent again
// (errRejected: it must not), and wait how long the hub asked for.
func (s station) post(ctx context.Context, path, tok string, body []byte, want int) (wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URLs[s.i%len(s.cfg.URLs)]+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == want:
		return 0, nil
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusRequestEntityTooLarge:
		return 0, fmt.Errorf("%w: hub answered %s", errRejected, resp.Status)
	}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		wait = time.Duration(secs) * time.Second
	}
	return wait, fmt.Errorf("hub answered %s", resp.Status)
}
