package update_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/update"
	"github.com/gridkiosk/gridkiosk/drivers/rauc"
	"github.com/gridkiosk/gridkiosk/drivers/rauc/raucsim"
	"github.com/gridkiosk/gridkiosk/internal/fakeclock"
	"github.com/gridkiosk/gridkiosk/internal/maintwindow"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

const (
	compat   = "gridkiosk-amd64"
	running  = "2026.12.1.100000+gaaaaaaa"
	newer    = "2026.12.7.140500+g61892aa"
	older    = "2026.11.2.90000+gbbbbbbb"
	station  = "141029-xfw-01"
	hubToken = "station-token"
)

// shanghai is the stations' zone; fixed (China has no daylight saving),
// so the tests need no tzdata.
var shanghai = time.FixedZone("CST", 8*3600)

// afternoon is when the tests start: outside the 02:00-05:00 window.
var afternoon = time.Date(2026, 12, 7, 14, 0, 0, 0, shanghai)

// hub is a county hub for the update endpoints, following the contract.
type hub struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	offer  *wire.UpdateOffer // nil: 204
	status int               // answer the update question with this instead
	bundle []byte
	// cutAfter, if > 0, breaks the next bundle answer after this many
	// body bytes (the connection closes mid-body).
	cutAfter int
	// ignoreRange answers every bundle request whole, 200.
	ignoreRange bool
	// holdAfter, if > 0, holds the next bundle answer after this many
	// body bytes, flushed, until hold is closed; held is closed then.
	holdAfter  int
	held, hold chan struct{}
	ranges     []string // Range header of each bundle request
	asked      int      // update questions
}

func newHub(t *testing.T) *hub {
	h := &hub{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/stations/{id}/update", h.update)
	mux.HandleFunc("GET /v1/releases/{version}/{arch}/bundle.raucb", h.serveBundle)
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hub) authorised(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+hubToken {
		http.Error(w, "unauthorised", http.StatusUnauthorized)
		return false
	}
	return true
}

func (h *hub) update(w http.ResponseWriter, r *http.Request) {
	if !h.authorised(w, r) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.asked++
	if r.PathValue("id") != station || r.URL.Query().Get("arch") != "amd64" || r.URL.Query().Get("version") == "" {
		h.t.Errorf("update question %s", r.URL)
	}
	switch {
	case h.status != 0:
		w.WriteHeader(h.status)
	case h.offer == nil:
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(h.offer)
	}
}

// release makes b the hub's bundle for version and offers it.
func (h *hub) release(version string, b []byte) {
	sum := sha256.Sum256(b)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bundle = b
	h.offer = &wire.UpdateOffer{Version: version, Arch: "amd64", URL: fmt.Sprintf(wire.PathBundleFormat, version, "amd64"),
		Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
}

func (h *hub) serveBundle(w http.ResponseWriter, r *http.Request) {
	if !h.authorised(w, r) {
		return
	}
	h.mu.Lock()
	b, cut, whole := h.bundle, h.cutAfter, h.ignoreRange
	holdAt, held, hold := h.holdAfter, h.held, h.hold
	h.cutAfter, h.holdAfter = 0, 0
	h.ranges = append(h.ranges, r.Header.Get("Range"))
	etag := `"` + h.offer.SHA256 + `"`
	h.mu.Unlock()
	w.Header().Set("ETag", etag)
	if whole {
		r.Header.Del("Range")
	}
	var out http.ResponseWriter = w
	if cut > 0 {
		out = &cutWriter{ResponseWriter: w, left: cut}
	}
	if holdAt > 0 {
		out = &holdWriter{ResponseWriter: w, left: holdAt, held: held, hold: hold}
	}
	http.ServeContent(out, r, "bundle.raucb", time.Time{}, strings.NewReader(string(b)))
}

func (h *hub) bundleRanges() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.ranges)
}

// cutWriter writes left body bytes, then drops the connection.
type cutWriter struct {
	http.ResponseWriter
	left int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) > c.left {
		c.ResponseWriter.Write(p[:c.left])
		http.NewResponseController(c.ResponseWriter).Flush()
		panic(http.ErrAbortHandler)
	}
	c.left -= len(p)
	return c.ResponseWriter.Write(p)
}

// holdWriter writes left body bytes, flushes them, closes held and
// waits for hold before writing the rest.
type holdWriter struct {
	http.ResponseWriter
	left       int
	held, hold chan struct{}
}

func (w *holdWriter) Write(p []byte) (int, error) {
	if w.left < 0 || len(p) <= w.left {
		if w.left >= 0 {
			w.left -= len(p)
		}
		return w.ResponseWriter.Write(p)
	}
	n, err := w.ResponseWriter.Write(p[:w.left])
	if err != nil {
		return n, err
	}
	http.NewResponseController(w.ResponseWriter).Flush()
	close(w.held)
	<-w.hold
	rest := p[w.left:]
	w.left = -1
	m, err := w.ResponseWriter.Write(rest)
	return n + m, err
}

func (h *hub) client() *upstream.Client {
	return &upstream.Client{BaseURL: h.srv.URL, StationID: station, HTTP: h.srv.Client(),
		Token: func() (string, error) { return hubToken, nil }}
}

// kiosk is the station's idle signal, set by the test.
type kiosk struct {
	mu   sync.Mutex
	busy bool
	ch   chan struct{}
}

func newKiosk() *kiosk { return &kiosk{ch: make(chan struct{})} }

func (k *kiosk) Idle() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return !k.busy
}

func (k *kiosk) Changed() <-chan struct{} {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.ch
}

// set changes whether a resident uses the kiosk; tell says so to the
// manager (a session that times out tells nobody).
func (k *kiosk) set(busy, tell bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.busy = busy
	if tell {
		close(k.ch)
		k.ch = make(chan struct{})
	}
}

// rig is a manager under test with everything around it.
type rig struct {
	t       *testing.T
	m       *update.Manager
	sim     *raucsim.Sim
	bus     *raucsim.Bus
	hub     *hub
	clock   *fakeclock.Clock
	kiosk   *kiosk
	dir     string
	reboots atomic.Int32
	booted  chan struct{} // gets a value at each reboot
	mu      sync.Mutex
	states  []string
	cancel  context.CancelFunc
	done    chan error
	stopped sync.Once
}

type rigOptions struct {
	sim      raucsim.Config
	noHub    bool
	usbRoot  string
	dir      string
	busy     bool
	noRAUC   bool
	preStart func(*rig)
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, clock: fakeclock.New(afternoon), kiosk: newKiosk(), dir: o.dir, booted: make(chan struct{}, 10)}
	r.kiosk.busy = o.busy
	if r.dir == "" {
		r.dir = t.TempDir()
	}
	bus, err := raucsim.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	r.bus = bus
	if o.sim.Compatible == "" {
		o.sim.Compatible = compat
	}
	if o.sim.BootedVersion == "" {
		o.sim.BootedVersion = running
	}
	if r.sim, err = raucsim.Start(bus.Address, o.sim); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.sim.Close() })
	client, err := rauc.Dial(t.Context(), bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	versionFile := filepath.Join(t.TempDir(), "system-version")
	writeFile(t, versionFile, []byte(o.sim.BootedVersion+"\n"))
	opt := update.Options{
		Dir: filepath.Join(r.dir, "update"), VersionFile: versionFile, Arch: "amd64",
		Window: maintwindow.Default, Location: shanghai, CheckInterval: time.Hour, USBRoot: o.usbRoot,
		Log:  slog.New(slog.DiscardHandler),
		RAUC: client, Idle: r.kiosk.Idle, IdleChanged: r.kiosk.Changed, Clock: r.clock,
		Reboot: func(context.Context) error { r.reboots.Add(1); r.booted <- struct{}{}; return nil },
		Observe: func(s update.Status) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if n := len(r.states); n == 0 || r.states[n-1] != s.State {
				r.states = append(r.states, s.State)
			}
		},
	}
	if o.noRAUC {
		opt.RAUC, opt.NoRAUC = nil, "no system bus here"
	}
	if !o.noHub {
		r.hub = newHub(t)
		opt.Hub = r.hub.client()
	}
	r.m = update.New(opt)
	if o.preStart != nil {
		o.preStart(r)
	}
	r.start()
	return r
}

func (r *rig) start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan error, 1)
	go func() { r.done <- r.m.Run(ctx) }()
	r.t.Cleanup(r.stop)
}

// stop ends Run and waits for it: nothing is left running.
func (r *rig) stop() {
	r.stopped.Do(func() {
		r.cancel()
		<-r.done
	})
}

func (r *rig) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.states)
}

// wait waits for the status to satisfy ok, without a sleep: each change
// of the status wakes it. The deadline is for a wedged manager only.
func (r *rig) wait(what string, ok func(update.Status) bool) update.Status {
	r.t.Helper()
	deadline := time.After(time.Minute)
	for {
		ch := r.m.Changed()
		if s := r.m.Status(); ok(s) {
			return s
		}
		select {
		case <-ch:
		case <-deadline:
			r.t.Fatalf("waited a minute for %s; status %+v, states %v", what, r.m.Status(), r.seen())
		}
	}
}

func (r *rig) waitState(state string) update.Status {
	r.t.Helper()
	return r.wait("state "+state, func(s update.Status) bool { return s.State == state })
}

// settle waits until the manager armed its timer for at: it has done
// everything it was going to do before then.
func (r *rig) settle(at time.Time) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.clock.WaitFor(ctx, at); err != nil {
		r.t.Fatalf("the manager never waited for %s (pending %v); status %+v", at, r.clock.Pending(), r.m.Status())
	}
}

func bundleBytes(version string, sig raucsim.Signature, pad int) []byte {
	return raucsim.Bundle{Compatible: compat, Version: version, Signature: sig, Pad: pad}.Encode()
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := osWriteFile(path, data); err != nil {
		t.Fatal(err)
	}
}

// markGood marks the booted slot good, as the image's trial unit does.
func (r *rig) markGood() {
	r.t.Helper()
	c, err := rauc.Dial(r.t.Context(), r.bus.Address)
	if err != nil {
		r.t.Fatal(err)
	}
	defer c.Close()
	if _, _, err := c.Mark(r.t.Context(), "good", "booted"); err != nil {
		r.t.Fatal(err)
	}
}

// waitReboot waits for the manager's reboot.
func (r *rig) waitReboot() {
	r.t.Helper()
	select {
	case <-r.booted:
	case <-time.After(time.Minute):
		r.t.Fatalf("waited a minute for the reboot; status %+v, states %v", r.m.Status(), r.seen())
	}
}
