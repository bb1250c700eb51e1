package appliance_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/grid"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
)

// cardStation is a station whose card reader is an emulator on a pty.
func cardStation(t testing.TB, baud int, now func() time.Time) (*appliance.Station, *idcardsim.Reader) {
	t.Helper()
	dir := t.TempDir()
	sim, err := idcardsim.New(dir, "idcard", baud)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	cfg := demo.Config(filepath.Join(dir, "data"), "", "") // the Xingfuwan station, no hub
	cfg.Devices.IDCard.Port = sim.Path()
	st := runStation(t, appliance.Options{Config: cfg, Now: now, IDCard: idcard.Options{Poll: 10 * time.Millisecond}})
	waitState(t, st, func(v station.Health) bool { return v.Peripherals["idcard"].State == "ready" })
	return st, sim
}

func waitState(t testing.TB, st *appliance.Station, cond func(station.Health) bool) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		ch := st.SessionChanged()
		if cond(st.Health()) {
			return
		}
		select {
		case <-ch:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out; health = %+v", st.Health())
		}
	}
}

func waitSession(t testing.TB, st *appliance.Station, state string) station.SessionView {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		ch := st.SessionChanged()
		if v := st.Session(); v.State == state {
			return v
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("session never became %s: %+v", state, st.Session())
		}
	}
}

func TestCardStartsSession(t *testing.T) {
	st, sim := cardStation(t, 115200, nil)
	c, _ := idcardsim.Card("resident")
	sim.Lay(c)
	v := waitSession(t, st, station.SessionCard)
	p := v.Person
	if p == nil || p.Name != c.Name || p.Birth != c.Birth || p.Address != c.Address || p.Nation != "汉" || !v.CardOnReader {
		t.Fatalf("session = %+v", v)
	}
	if p.IDNumber == c.IDNumber || !strings.HasPrefix(p.IDNumber, c.IDNumber[:4]) || !strings.HasSuffix(p.IDNumber, c.IDNumber[14:]) || !strings.Contains(p.IDNumber, "**********") {
		t.Fatalf("ID number not masked: %q", p.IDNumber)
	}
	raw, _ := json.Marshal(v)
	if strings.Contains(string(raw), c.IDNumber) {
		t.Fatal("the session view carries the full ID number")
	}

	// Lifting the card keeps the half-finished form.
	sim.Lift()
	waitState(t, st, func(station.Health) bool { return !st.Session().CardOnReader })
	if st.Session().State != station.SessionCard {
		t.Fatal("lifting the card lost the session")
	}

	rc, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate", Phone: "13835712345",
		Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rc.Ticket, "R") {
		t.Errorf("ticket %q", rc.Ticket)
	}
	done := st.Session()
	if done.State != station.SessionSubmitted || done.Person != nil || done.Ack.ID != rc.ID {
		t.Fatalf("after submit: %+v", done)
	}
	if e, err := st.Lookup(rc.ID); err != nil || e.Kind != "registration" {
		t.Fatalf("record: %+v %v", e, err)
	}
	if _, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate", Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}}); !errors.Is(err, station.ErrNoSession) {
		t.Fatalf("second submit: %v", err)
	}
}

func TestDeclineStoresNothing(t *testing.T) {
	st, sim := cardStation(t, 0, nil)
	c, _ := idcardsim.Card("foreign2023")
	sim.Lay(c)
	waitSession(t, st, station.SessionCard)
	_, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "policy", Consent: station.ConsentIn{Agreed: false, Version: "2026-01"}})
	var fe *record.FieldError
	if !errors.As(err, &fe) || fe.Field != "consent.agreed" {
		t.Fatalf("decline: %v", err)
	}
	if st.Session().State != station.SessionIdle || st.Health().Outbox.LastSeq != 0 {
		t.Fatalf("decline stored something: %+v %+v", st.Session(), st.Health().Outbox)
	}
}

func TestBadSubmitKeepsSession(t *testing.T) {
	st, sim := cardStation(t, 0, nil)
	c, _ := idcardsim.Card("resident")
	sim.Lay(c)
	waitSession(t, st, station.SessionCard)
	_, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate", Phone: "123",
		Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}})
	var fe *record.FieldError
	if !errors.As(err, &fe) || fe.Field != "payload.phone" {
		t.Fatalf("bad phone: %v", err)
	}
	if st.Session().State != station.SessionCard {
		t.Fatal("a typo lost the resident's session")
	}
}

func TestIdleWipe(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	st, sim := cardStation(t, 0, clock)
	c, _ := idcardsim.Card("resident")
	sim.Lay(c)
	waitSession(t, st, station.SessionCard)
	mu.Lock()
	now = now.Add(60 * time.Second)
	mu.Unlock()
	st.TouchSession()
	mu.Lock()
	now = now.Add(60 * time.Second) // 120s since laid, 60s since touched: under the 90s default
	mu.Unlock()
	if st.Session().State != station.SessionCard {
		t.Fatal("touched session wiped early")
	}
	mu.Lock()
	now = now.Add(31 * time.Second)
	mu.Unlock()
	if v := st.Session(); v.State != station.SessionIdle || v.Person != nil {
		t.Fatalf("idle session not wiped: %+v", v)
	}
}

func TestReaderLostInHealth(t *testing.T) {
	st, sim := cardStation(t, 0, nil)
	// Unplugged: the device node is gone, and health says so.
	sim.Unplug()
	waitState(t, st, func(h station.Health) bool { return h.Peripherals["idcard"].State == "missing" })
	h := st.Health()
	if h.Status != "degraded" || !strings.Contains(strings.Join(h.Problems, " "), "plugged in") {
		t.Fatalf("health = %+v", h)
	}
	sim.Replug()
	waitState(t, st, func(h station.Health) bool { return h.Peripherals["idcard"].State == "ready" })
	// Plugged in but mute: the reader itself does not answer.
	sim.SetSilent(true)
	waitState(t, st, func(h station.Health) bool { return h.Peripherals["idcard"].State == "lost" })
	if p := st.Health().Peripherals["idcard"]; !strings.Contains(p.Note, "does not answer") || !strings.Contains(p.Note, "devices.idcard.port") {
		t.Fatalf("lost reader note = %q", p.Note)
	}
	sim.SetSilent(false)
	waitState(t, st, func(h station.Health) bool { return h.Peripherals["idcard"].State == "ready" })
}

// A registration from a card is placed in the micro grid of the card's
// address by the station itself, whoever submits it (the kiosk screens,
// the admin API); a grid given with the submission wins.
func TestSessionPlacedFromAddress(t *testing.T) {
	for _, tc := range []struct {
		given     *grid.Path
		wantMicro string
	}{
		{nil, "c07-m03"},
		{&grid.Path{Compound: "c07", Micro: "c07-m01"}, "c07-m01"},
	} {
		dir := t.TempDir()
		data := filepath.Join(dir, "data")
		box, err := outbox.Open(data, outbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := box.PutRefData(outbox.RefData{Data: demo.RefData(), ETag: "demo", FetchedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		box.Close()
		sim, err := idcardsim.New(dir, "idcard", 115200)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sim.Close() })
		cfg := demo.Config(data, "", "")
		cfg.Devices.IDCard.Port = sim.Path()
		st, err := appliance.New(appliance.Options{Config: cfg, IDCard: idcard.Options{Poll: 10 * time.Millisecond},
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), NTPSynced: func() bool { return false }})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		wg.Go(func() { st.Run(ctx) })
		c, _ := idcardsim.Card("resident") // 王秀兰, 幸福湾社区7号院7号楼
		if p := st.PlaceOf(c.Address); p.Leader.Name != "李建国" || p.Where != "7号楼微网格" {
			t.Fatalf("PlaceOf(the card's address) = %+v", p)
		}
		sim.Lay(c)
		waitSession(t, st, station.SessionCard)
		rc, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate", Grid: tc.given,
			Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}})
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		wg.Wait()
		st.Close()
		box, err = outbox.Open(data, outbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rec, _, err := box.Get(rc.ID)
		box.Close()
		if err != nil {
			t.Fatal(err)
		}
		var g grid.Path
		json.Unmarshal(rec.Grid, &g)
		if g.Community != "141029100001" || g.Compound != "c07" || g.Micro != tc.wantMicro {
			t.Errorf("given %+v: stored grid %+v, want micro %s", tc.given, g, tc.wantMicro)
		}
	}
}
