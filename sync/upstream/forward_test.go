package upstream_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

const (
	station = "141029-xfw-01"
	token   = "token-xfw-0123456789abcdef"
)

type rig struct {
	box   *outbox.Outbox
	store *hub.BoltStore
	srv   *hub.Server
	fwd   *upstream.Forwarder
	token atomic.Value
	hits  atomic.Int64
}

// downRig is a rig whose hub is down at first: nothing listens at addr
// (connection refused) until the test serves there.
func downRig(t *testing.T) (*rig, string) {
	t.Helper()
	ln := listen(t, "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	return newRig(t, "http://"+addr), addr
}

func newRig(t *testing.T, hubURL string) *rig {
	t.Helper()
	r := &rig{}
	var err error
	if r.box, err = outbox.Open(t.TempDir(), outbox.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.box.Close() })
	if r.store, err = hub.OpenBolt(filepath.Join(t.TempDir(), "hub.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.store.Close() })
	r.srv = &hub.Server{Store: r.store, Tokens: hub.Tokens{token: station}}
	r.token.Store(token)
	r.fwd = &upstream.Forwarder{
		Client: &upstream.Client{BaseURL: hubURL, StationID: station, Token: func() (string, error) {
			return r.token.Load().(string), nil
		}},
		Queue: r.box, BatchSize: 100,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		Idle: 20 * time.Millisecond, AuthRetry: 20 * time.Millisecond,
	}
	return r
}

// serve starts the hub on addr (":0" for any port) and returns its URL and
// a stop function.
func (r *rig) serve(t *testing.T, ln net.Listener) (stop func()) {
	h := r.srv.Handler()
	s := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		r.hits.Add(1)
		h.ServeHTTP(w, q)
	})}
	go s.Serve(ln)
	return func() { s.Close() }
}

func (r *rig) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.fwd.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	})
}

func (r *rig) put(t *testing.T, from, to int, kind string) {
	t.Helper()
	for i := from; i < to; i++ {
		rec := &wire.Record{
			ID: fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i), Kind: kind,
			CreatedAt: time.Now(), Grid: json.RawMessage(`{"county":"141029"}`),
			Payload: json.RawMessage(`{"category":"repair","description":"` + strings.Repeat("灯", 20) + `"}`),
		}
		if err := r.box.Put(rec); err != nil {
			t.Fatal(err)
		}
	}
	r.fwd.Kick()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestDrainInBatches(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	r := newRig(t, "http://"+ln.Addr().String())
	defer r.serve(t, ln)()
	r.put(t, 1, 251, "matter")
	r.run(t)
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	all, err := r.store.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 250 {
		t.Fatalf("hub holds %d records, want 250", len(all))
	}
	seen := map[uint64]bool{}
	for _, s := range all {
		if s.Deliveries != 1 || seen[s.Record.Seq] {
			t.Fatalf("record %s delivered %d times", s.Record.ID, s.Deliveries)
		}
		seen[s.Record.Seq] = true
	}
	if got := r.hits.Load(); got != 3 {
		t.Errorf("%d requests for 250 records in batches of 100, want 3", got)
	}
	if st := r.fwd.State(); !st.Online || st.Sent != 250 || st.LastSuccess.IsZero() {
		t.Errorf("state = %+v", st)
	}
}

func TestHubDownThenBack(t *testing.T) {
	r, addr := downRig(t)
	r.put(t, 1, 11, "matter")
	r.run(t)
	waitFor(t, "network failures", func() bool { return r.fwd.State().Failures[upstream.CauseNetwork] >= 3 })
	if st := r.fwd.State(); st.Online || !strings.Contains(st.LastError, "refused") {
		t.Fatalf("state while down = %+v", st)
	}
	if r.box.Stats().Queued != 10 {
		t.Fatal("records left the queue while the hub was down")
	}
	defer r.serve(t, listen(t, addr))()
	r.fwd.Retry()
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	if all, _ := r.store.All(); len(all) != 10 {
		t.Fatalf("hub holds %d, want 10", len(all))
	}
}

func TestRejectedKeptAside(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	r := newRig(t, "http://"+ln.Addr().String())
	defer r.serve(t, ln)()
	r.put(t, 1, 3, "matter")
	r.put(t, 3, 4, "gossip") // a kind the hub does not take
	r.put(t, 4, 6, "matter")
	r.run(t)
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	e, err := r.box.Lookup(fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", 3))
	if err != nil || e.State != outbox.Rejected || !strings.Contains(e.Reason, "kind") {
		t.Fatalf("rejected record: %+v %v", e, err)
	}
	if st := r.box.Stats(); st.Delivered != 4 || st.Rejected != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestTooLargeHalvesBatch(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	r := newRig(t, "http://"+ln.Addr().String())
	r.srv.MaxBody = 2000 // a few records per batch fit
	defer r.serve(t, ln)()
	r.put(t, 1, 41, "matter")
	r.run(t)
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	st := r.fwd.State()
	if st.BatchSize >= 100 || st.Failures[upstream.CauseTooLarge] == 0 || st.Sent != 40 {
		t.Fatalf("state = %+v", st)
	}
	if all, _ := r.store.All(); len(all) != 40 {
		t.Fatalf("hub holds %d, want 40", len(all))
	}
}

func TestOversizedRecordSetAside(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	r := newRig(t, "http://"+ln.Addr().String())
	r.srv.MaxBody = 100 // no record fits
	defer r.serve(t, ln)()
	r.put(t, 1, 3, "matter")
	r.run(t)
	waitFor(t, "queue to empty", func() bool { return r.box.Stats().Queued == 0 })
	e, _ := r.box.Lookup(fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", 1))
	if e.State != outbox.Rejected || !strings.Contains(e.Reason, "413") {
		t.Fatalf("entry = %+v", e)
	}
}

func TestAuthStopsUntilTokenChanges(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	r := newRig(t, "http://"+ln.Addr().String())
	r.token.Store("wrong-token-0000000000")
	defer r.serve(t, ln)()
	r.put(t, 1, 4, "matter")
	r.run(t)
	waitFor(t, "alert", func() bool { return r.fwd.State().Alert != "" })
	hits := r.hits.Load()
	r.put(t, 4, 8, "matter") // kicks must not resume sending
	time.Sleep(150 * time.Millisecond)
	if got := r.hits.Load(); got != hits {
		t.Fatalf("%d requests after the token was refused", got-hits)
	}
	if !strings.Contains(r.fwd.State().Alert, "token_file") {
		t.Errorf("alert does not tell what to fix: %q", r.fwd.State().Alert)
	}
	r.token.Store(token)
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	if st := r.fwd.State(); st.Alert != "" || st.Sent != 7 {
		t.Fatalf("after token fixed: %+v", st)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer ts.Close()
	r := newRig(t, ts.URL)
	r.put(t, 1, 2, "matter")
	r.run(t)
	waitFor(t, "two attempts", func() bool { mu.Lock(); defer mu.Unlock(); return len(times) >= 2 })
	mu.Lock()
	gap := times[1].Sub(times[0])
	mu.Unlock()
	if gap < time.Second {
		t.Fatalf("retried after %v despite Retry-After: 1", gap)
	}
	if st := r.fwd.State(); st.Failures[upstream.CauseServer] == 0 {
		t.Fatalf("state = %+v", st)
	}
}

// Batches are cut by bytes as well as by count, and the send rate is
// reported.
func TestBatchBytes(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	r := newRig(t, "http://"+ln.Addr().String())
	defer r.serve(t, ln)()
	r.fwd.BatchBytes = 1500 // about five of these records
	r.put(t, 1, 31, "matter")
	r.run(t)
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	if got := r.hits.Load(); got < 6 || got > 8 {
		t.Errorf("%d requests for 30 records of ~300 bytes in 1500-byte batches, want 6 to 8", got)
	}
	if st := r.fwd.State(); st.Sent != 30 || st.SendRate <= 0 {
		t.Errorf("state = %+v", st)
	}
}

// After a 413 has cut the batch, the batch size grows back to the maximum
// once the hub takes batches again: a passing limit must not leave the
// station crawling in batches of a few records for ever.
func TestTooLargeGrowsBack(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	r := newRig(t, "http://"+ln.Addr().String())
	r.fwd.GrowAfter = 2
	var limit atomic.Int64
	limit.Store(2000) // a few records per batch fit
	h := r.srv.Handler()
	s := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		if q.ContentLength > limit.Load() {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		h.ServeHTTP(w, q)
	})}
	go s.Serve(ln)
	defer s.Close()
	r.put(t, 1, 41, "matter")
	r.run(t)
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	cut := r.fwd.State().BatchSize
	if cut >= 100 {
		t.Fatalf("batch size %d after 413s, want it cut", cut)
	}
	limit.Store(8 << 20) // the limit was passing
	r.put(t, 41, 441, "matter")
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	if st := r.fwd.State(); st.BatchSize != 100 || st.Sent != 440 {
		t.Fatalf("after the hub takes batches again: batch size %d (was cut to %d), sent %d; want 100 and 440", st.BatchSize, cut, st.Sent)
	}
	if all, _ := r.store.All(); len(all) != 440 {
		t.Fatalf("hub holds %d, want 440", len(all))
	}
}

// A token of another station is not a refused token: the alert says whose
// token it is and what to fix, and sending resumes once the token file
// holds this station's token.
func TestStationMismatchAlert(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	r := newRig(t, "http://"+ln.Addr().String())
	r.srv.Tokens["token-zl-0123456789abcdef"] = "141029-zl-01"
	r.token.Store("token-zl-0123456789abcdef")
	defer r.serve(t, ln)()
	r.put(t, 1, 4, "matter")
	r.run(t)
	waitFor(t, "alert", func() bool { return r.fwd.State().Alert != "" })
	a := r.fwd.State().Alert
	for _, want := range []string{"the token belongs to station 141029-zl-01, this station is " + station, "fix station.id or the token file", "令牌属于站点 141029-zl-01"} {
		if !strings.Contains(a, want) {
			t.Errorf("alert %q does not say %q", a, want)
		}
	}
	if strings.Contains(a, "refused this station's token") {
		t.Errorf("alert %q calls a station mismatch a refused token", a)
	}
	r.token.Store(token)
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	if st := r.fwd.State(); st.Alert != "" || st.Sent != 3 {
		t.Fatalf("after the token was fixed: %+v", st)
	}
}

// A stored record that no longer decrypts (a damaged sector) does not
// stop the station: the others reach the hub, and it waits aside for
// staff with the reason.
func TestUnreadableRecordSetAside(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	r := newRig(t, "http://"+ln.Addr().String())
	defer r.serve(t, ln)()
	r.put(t, 1, 7, "matter")
	dir := filepath.Dir(r.box.Path())
	r.box.Close()
	db, err := bolt.Open(filepath.Join(dir, "station.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		q := tx.Bucket([]byte("queue"))
		k := binary.BigEndian.AppendUint64(nil, 3)
		v := append([]byte(nil), q.Get(k)...)
		v[len(v)-5] ^= 0x5a
		return q.Put(k, v)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if r.box, err = outbox.Open(dir, outbox.Options{}); err != nil {
		t.Fatal(err)
	}
	r.fwd.Queue = r.box
	r.run(t)
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	if all, _ := r.store.All(); len(all) != 5 {
		t.Fatalf("hub holds %d records, want the 5 readable ones", len(all))
	}
	rej, err := r.box.Rejected()
	if err != nil || len(rej) != 1 || rej[0].Seq != 3 || !strings.Contains(rej[0].Reason, "stored record 3 could not be decrypted") {
		t.Fatalf("rejected = %+v %v; want record 3 with its reason", rej, err)
	}
}

// A record whose ID the hub already holds with other content is rejected
// as a conflict and set aside at the station for staff; the hub keeps
// the first content. The same record with its ID in upper case is the
// record the hub holds, and is delivered.
func TestConflictKeptAside(t *testing.T) {
	ln := listen(t, "127.0.0.1:0")
	r := newRig(t, "http://"+ln.Addr().String())
	defer r.serve(t, ln)()
	r.put(t, 1, 4, "matter")
	id := func(i int) string { return fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i) }
	queued, err := r.box.Pending(10)
	if err != nil || len(queued) != 3 {
		t.Fatalf("queued %d, %v", len(queued), err)
	}
	held := []wire.Record{queued[0], queued[1]}
	held[0].Payload = json.RawMessage(`{"category":"noise"}`) // what the hub got first under ID 1
	held[1].ID = strings.ToUpper(held[1].ID)                  // sent before in upper case
	if reply, err := r.store.Ingest(station, held, time.Now()); err != nil || len(reply.Acked) != 2 {
		t.Fatalf("hub's first copies: %+v %v", reply, err)
	}
	r.run(t)
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	e, err := r.box.Lookup(id(1))
	if err != nil || e.State != outbox.Rejected || !strings.Contains(e.Reason, "conflict") || !strings.Contains(e.Reason, "payload") {
		t.Fatalf("the conflicting record at the station: %+v %v; want rejected, the reason naming the conflict", e, err)
	}
	if st := r.box.Stats(); st.Delivered != 2 || st.Rejected != 1 {
		t.Fatalf("stats = %+v; want 2 delivered (one of them sent before in upper case), 1 rejected", st)
	}
	all, err := r.store.All()
	if err != nil || len(all) != 3 {
		t.Fatalf("hub holds %d, %v; want 3", len(all), err)
	}
	if all[0].Record.ID != id(1) || string(all[0].Record.Payload) != `{"category":"noise"}` {
		t.Fatalf("hub's record %s: %s; want the first content kept", all[0].Record.ID, all[0].Record.Payload)
	}
}

// TestChangedTellsEachChange checks that what Changed is told follows the
// forwarder's state through the hub coming, a refused token and the token
// fixed, so that the station's screens and lamps need not poll State: the
// waits below look only at what the hook saw.
func TestChangedTellsEachChange(t *testing.T) {
	r, addr := downRig(t)
	var (
		mu   sync.Mutex
		told upstream.State
		n    int
	)
	r.fwd.Changed = func() {
		st := r.fwd.State() // the hook is called without the forwarder's lock
		mu.Lock()
		told, n = st, n+1
		mu.Unlock()
	}
	seen := func(what string, cond func(upstream.State) bool) {
		t.Helper()
		waitFor(t, what, func() bool { mu.Lock(); defer mu.Unlock(); return cond(told) })
	}
	r.put(t, 1, 11, "matter")
	r.run(t)
	seen("a failure told", func(st upstream.State) bool { return st.Failures[upstream.CauseNetwork] > 0 && !st.Online })
	defer r.serve(t, listen(t, addr))()
	r.fwd.Retry()
	seen("online with 10 sent", func(st upstream.State) bool { return st.Online && st.Sent == 10 })
	r.token.Store("wrong-token-0000000000")
	r.put(t, 11, 14, "matter")
	seen("the refused token's alert", func(st upstream.State) bool { return st.Alert != "" })
	r.token.Store(token)
	seen("the alert cleared and 13 sent", func(st upstream.State) bool { return st.Alert == "" && st.Sent == 13 })
}

// A station with nothing queued sends no batch, so only its other
// requests tell it the hub is there: Reached makes it online (told once),
// and ends a backoff so that a record waiting behind it goes at once.
func TestReachedWithNothingQueued(t *testing.T) {
	r, addr := downRig(t)
	r.fwd.MaxBackoff = time.Hour
	r.fwd.MinBackoff = time.Hour
	var told atomic.Int64
	r.fwd.Changed = func() { told.Add(1) }
	r.run(t)
	if st := r.fwd.State(); st.Online || !st.LastSuccess.IsZero() {
		t.Fatalf("with nothing sent: online %v, last success %v", st.Online, st.LastSuccess)
	}
	r.fwd.Reached()
	st := r.fwd.State()
	if !st.Online || st.LastSuccess.IsZero() {
		t.Fatalf("after Reached: online %v, last success %v; want online", st.Online, st.LastSuccess)
	}
	if n := told.Load(); n != 1 {
		t.Fatalf("Changed called %d times after Reached, want 1", n)
	}
	r.fwd.Reached()
	if n := told.Load(); n != 1 {
		t.Fatalf("Changed called %d times after a second Reached while online, want still 1", n)
	}

	// A record while the hub is still down: the forwarder fails and
	// backs off for an hour; the hub back and answering the station's
	// other requests ends that wait.
	r.put(t, 1, 4, "matter")
	waitFor(t, "the failed send", func() bool { st := r.fwd.State(); return !st.Online && !st.RetryAt.IsZero() })
	defer r.serve(t, listen(t, addr))()
	r.fwd.Reached()
	waitFor(t, "3 records sent inside the hour's backoff", func() bool { st := r.fwd.State(); return st.Online && st.Sent == 3 })
}
