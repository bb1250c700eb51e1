package appliance_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/panel/panelsim"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// Staff cancelling a print job that waits for paper is told to SessionChanged's
// waiters: the staff's 待打印 list follows the queue without reading it
// on a timer. Nothing else changes then (the printer stays out of paper),
// so only the print queue can have announced it.
func TestSessionChangedTellsOfPrintJobs(t *testing.T) {
	sim := printersim.New()
	t.Cleanup(func() { sim.Close() })
	sim.SetSpeed(1000)
	st, _ := stationAt(t, filepath.Join(t.TempDir(), "data"), printerLines(t, sim)["serial"])
	id := registration(t, st)
	job, err := st.ReceiptJob(station.ReceiptRequest{RecordID: id, Staff: "李建国"})
	if err != nil {
		t.Fatal(err)
	}
	sim.RunOutAfter(len(job) / 2)
	res, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: id, Staff: "李建国"})
	if err != nil || res.State != station.JobWaiting {
		t.Fatalf("paper out half way: %+v %v", res, err)
	}
	waitUntil(t, "the printer seen out of paper", func() bool { return st.Health().Peripherals["printer"].State == "paper_out" })
	quiet(st) // the failed print's announcements
	changed := st.SessionChanged()
	if err := st.CancelPrintJob(res.JobID); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(20 * time.Second):
		t.Fatal("a print job cancelled, and SessionChanged said nothing")
	}
	if jobs := st.PrintJobs(); len(jobs) != 0 {
		t.Fatalf("jobs after the cancel: %+v", jobs)
	}
}

// A record the hub acknowledged is told to SessionChanged's waiters, so
// the staff's list of the day shows it delivered without reading the
// station on a timer.
func TestSessionChangedTellsOfDeliveries(t *testing.T) {
	dir := t.TempDir()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var hold sync.RWMutex // held, the hub does not answer
	h := &hub.Server{Store: store, Tokens: hub.Tokens{"tok-0123456789abcdef": demo.StationID},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), RefData: func(string) ([]byte, error) { return demo.RefData(), nil }}
	hh := h.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hold.RLock()
		defer hold.RUnlock()
		hh.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("tok-0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := runStation(t, appliance.Options{Config: demo.Config(filepath.Join(dir, "data"), ts.URL, tokenFile)})
	delivered := func(id string) func() bool {
		return func() bool {
			rows, err := st.Records(time.Time{}, 10)
			if err != nil {
				return false
			}
			for _, r := range rows {
				if r.ID == id {
					return r.State == station.Delivered
				}
			}
			return false
		}
	}
	// The first record brings the hub online, which is told anyway.
	waitUntil(t, "the first record delivered", delivered(registration(t, st)))
	waitUntil(t, "the hub online", func() bool { return st.Health().Upstream.Online })
	quiet(st)

	hold.Lock()
	id := registration(t, st)
	changed := st.SessionChanged() // from after the record was stored
	hold.Unlock()
	select {
	case <-changed:
	case <-time.After(20 * time.Second):
		t.Fatal("a record delivered, and SessionChanged said nothing")
	}
	waitUntil(t, "the second record delivered", delivered(id))
}

// quiet waits until SessionChanged has said nothing for half a second.
func quiet(st *appliance.Station) {
	for q := time.After(500 * time.Millisecond); ; {
		select {
		case <-st.SessionChanged():
			q = time.After(500 * time.Millisecond)
			continue
		case <-q:
		}
		return
	}
}

// The offline lamp follows the hub as the forwarder tells of it: lit
// until a record goes through, out once it has, lit again when the hub
// goes away. The lamps' own look at the station comes once a minute, so
// a lamp that waited for it would miss the waits here.
func TestOfflineLampFollowsTheHub(t *testing.T) {
	st, sim, ts := lampStation(t)
	registration(t, st)
	waitUntil(t, "the offline lamp out once a record went through", func() bool { return !sim.LEDs()["offline"] })
	ts.Close()
	registration(t, st)
	waitUntil(t, "the offline lamp lit with the hub gone", func() bool { return sim.LEDs()["offline"] })
}

// A station started with nothing to send is online as soon as the hub
// answers its request for the reference data: it used to show residents
// 离线 and light its offline lamp until someone's record went through.
func TestOnlineWithNothingQueued(t *testing.T) {
	st, sim, _ := lampStation(t)
	waitUntil(t, "online with nothing sent", func() bool { return st.Health().Upstream.Online })
	waitUntil(t, "the offline lamp out", func() bool { return !sim.LEDs()["offline"] })
	if h := st.Health(); h.Outbox.Queued != 0 || h.Upstream.Sent != 0 {
		t.Fatalf("queued %d, sent %d: the station had something to send", h.Outbox.Queued, h.Upstream.Sent)
	}
}

// lampStation runs a station against a hub of its own, with its panel
// simulated, and waits for its ready lamp.
func lampStation(t *testing.T) (*appliance.Station, *panelsim.Panel, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := &hub.Server{Store: store, Tokens: hub.Tokens{"tok-0123456789abcdef": demo.StationID},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), RefData: func(string) ([]byte, error) { return demo.RefData(), nil }}
	ts := httptest.NewServer(h.Handler())
	t.Cleanup(ts.Close)
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("tok-0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sim, pnl := simPanel(t)
	cfg := demo.Config(filepath.Join(dir, "data"), ts.URL, tokenFile)
	cfg.Upstream.RetryMax.Duration = 200 * time.Millisecond
	st := runStation(t, appliance.Options{Config: cfg, Panel: pnl})
	waitUntil(t, "the ready lamp", func() bool { return sim.LEDs()["ready"] })
	return st, sim, ts
}
