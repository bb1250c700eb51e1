package staff

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/demo"
	"github.com/gridkiosk/gridkiosk/drivers/gpio"
	"github.com/gridkiosk/gridkiosk/drivers/gpio/gpiosim"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/ui"
)

// TestMain makes one test app with the kiosk's theme for all the tests:
// each new theme parses the 4 MB CJK font again, a second under -race.
func TestMain(m *testing.M) {
	test.NewApp().Settings().SetTheme(ui.NewTheme())
	os.Exit(m.Run())
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Hub modes: take batches, answer 503 (the hub is down), or refuse every
// record with a reason.
const (
	hubAccept = iota
	hubDown
	hubReject
)

// testHub is the county hub (sync/hub over bbolt) with the demo reference
// data, behind a switch that can take it down or make it refuse records.
type testHub struct {
	url, tokenFile string

	mu      sync.Mutex
	mode    int
	records []upstream.Record // every record the hub took
}

func startHub(t *testing.T) *testHub {
	t.Helper()
	dir := t.TempDir()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	rd := demo.RefData()
	hs := &hub.Server{Store: store, Tokens: hub.Tokens{"tok": demo.StationID}, Log: quiet,
		RefData: func(string) ([]byte, error) { return rd, nil }}
	h := &testHub{tokenFile: filepath.Join(dir, "token")}
	if err := os.WriteFile(h.tokenFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h.wrap(hs.Handler()))
	t.Cleanup(ts.Close)
	h.url = ts.URL
	return h
}

func (h *testHub) set(mode int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mode = mode
}

func (h *testHub) taken() []upstream.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]upstream.Record(nil), h.records...)
}

func (h *testHub) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/records" {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var b upstream.Batch
		json.Unmarshal(body, &b)
		h.mu.Lock()
		mode := h.mode
		if mode == hubAccept {
			h.records = append(h.records, b.Records...)
		}
		h.mu.Unlock()
		switch mode {
		case hubDown:
			http.Error(w, "down for a test", http.StatusServiceUnavailable)
		case hubReject:
			reply := upstream.Reply{Acked: []string{}}
			for _, rec := range b.Records {
				reply.Rejected = append(reply.Rejected, upstream.Rejection{ID: rec.ID, Reason: "unknown category code: not in the county's list"})
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(reply)
		default:
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		}
	})
}

// rig is a real station of the demo config with its hub, an emulated
// printer on a pty and a simulated GPIO panel.
type rig struct {
	st    *appliance.Station
	hub   *testHub
	prn   *printersim.Printer
	panel *gpiosim.Panel
}

func newRig(t *testing.T, now func() time.Time) *rig {
	t.Helper()
	r := &rig{hub: startHub(t), prn: printersim.New(), panel: gpiosim.New()}
	dir := t.TempDir()
	t.Cleanup(func() { r.prn.Close() })
	line, err := r.prn.ServePTY(dir, "printer", 115200)
	if err != nil {
		t.Fatal(err)
	}
	p, err := gpio.Open(gpio.Options{Pins: r.panel.Pins(), ByName: r.panel.ByName, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	cfg := demo.Config(filepath.Join(dir, "data"), r.hub.url, r.hub.tokenFile)
	cfg.Devices.Printer.Port = line.Path()
	st, err := appliance.New(appliance.Options{Config: cfg, Log: quiet, Now: now, Panel: p,
		NTPSynced: func() bool { return false },
		Timing:    appliance.Timing{MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Idle: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait(); st.Close(); p.Close() })
	r.st = st
	waitFor(t, "reference data from the hub", func() bool { return st.RefData() != nil })
	return r
}

// login logs the demo staff member in with the PIN.
func (r *rig) login(t *testing.T) {
	t.Helper()
	if err := r.st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
		t.Fatal(err)
	}
}

// lastJob is the job the emulated printer printed last.
func (r *rig) lastJob() []byte {
	jobs := r.prn.Jobs()
	if len(jobs) == 0 {
		return nil
	}
	return jobs[len(jobs)-1]
}

func (r *rig) submit(t *testing.T, kind string, payload any) appliance.Receipt {
	t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.st.Submit(t.Context(), appliance.Submission{Kind: kind, Payload: raw})
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

func registration() map[string]any {
	return map[string]any{
		"person": map[string]any{"name": "王秀兰", "gender": "female", "nation": "汉", "birth": "1952-03-17",
			"id_number": "14102919520317122X", "card_type": "resident"},
		"purpose": "certificate", "source": "manual",
		"consent": map[string]any{"version": "2026-01", "at": time.Now().Format(time.RFC3339)},
	}
}

func matter() map[string]any {
	return map[string]any{"category": "repair", "description": "7号楼2单元楼道灯不亮，老人晚上上下楼不便"}
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s in 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// clock is a settable clock running from a start time.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// show puts o in a window of the given size.
func show(t *testing.T, o fyne.CanvasObject, size fyne.Size) fyne.Window {
	t.Helper()
	w := test.NewTempWindow(t, o)
	w.SetPadded(false)
	w.Resize(size)
	return w
}

// onScreen is every text drawn and visible under o, one per line.
func onScreen(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch o := o.(type) {
		case *canvas.Text:
			b.WriteString(o.Text + "\n")
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

// wantOnScreen fails unless every one of want is drawn under o. Spaces
// and line breaks do not count: a label wraps its text in lines.
func wantOnScreen(t *testing.T, o fyne.CanvasObject, want ...string) {
	t.Helper()
	got := onScreen(o)
	flat := strings.Join(strings.Fields(got), "")
	for _, w := range want {
		if !strings.Contains(flat, strings.Join(strings.Fields(w), "")) {
			t.Errorf("%q is not on screen; the screen shows:\n%s", w, got)
		}
	}
}
