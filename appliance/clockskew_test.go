package appliance_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
)

var chinaTime = time.FixedZone("CST", 8*3600)

// skewStation is the demo station with a card reader and a scanner on
// emulators, talking to hubURL, whose board clock is skew off the hub's
// (the test's own clock), with or without NTP's word that it is right.
func skewStation(t *testing.T, dir, hubURL string, skew time.Duration, ntp bool) (*appliance.Station, *idcardsim.Reader, *qrscansim.Scanner) {
	t.Helper()
	card, err := idcardsim.New(dir, "idcard", 115200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { card.Close() })
	// A fast line: codes are long, and the driver ends a code on an 80 ms
	// gap that a loaded test machine can put into a slow one.
	scanner, err := qrscansim.New(dir, "scanner", 115200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { scanner.Close() })
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := demo.Config(filepath.Join(dir, "data"), hubURL, tokenFile)
	cfg.Devices.IDCard.Port = card.Path()
	cfg.Devices.Scanner.Port, cfg.Devices.Scanner.Baud = scanner.Path(), 115200
	st := runStation(t, appliance.Options{Config: cfg,
		Now:       func() time.Time { return time.Now().Add(skew) },
		NTPSynced: func() bool { return ntp },
		IDCard:    idcard.Options{Poll: 10 * time.Millisecond}})
	waitState(t, st, func(h station.Health) bool {
		return h.Peripherals["idcard"].State == "ready" && h.Peripherals["scanner"].State == "ready"
	})
	return st, card, scanner
}

func (h *codeHub) badge(t *testing.T, id string, from, until time.Time) string {
	t.Helper()
	code, err := h.signer.Staff(signedcode.Staff{ID: id, Station: demo.StationID, StaffID: "s-0007", Name: "李建国",
		Role: "micro_grid_leader", NotBefore: from.Unix(), Expires: until.Unix()})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// scanWhole scans code like scan, again if the station got only part of
// it (a line stalled past the driver's idle gap on a loaded machine): a
// resident whose scan was cut short scans again too. The code itself is
// judged by the station, never retried for its answer.
func scanWhole(t *testing.T, st *appliance.Station, sim *qrscansim.Scanner, code string) station.ScanResult {
	t.Helper()
	for try := 1; ; try++ {
		r := scan(t, st, sim, code)
		cut := r.Kind == "unknown" || r.Reason == string(signedcode.Malformed)
		if !cut || try == 3 {
			return r
		}
		t.Logf("scan %d came in pieces (%s); scanning again", try, r.Message)
		// The rest of the pieces arrive as codes of their own.
		for last := st.LastScan(); ; {
			time.Sleep(300 * time.Millisecond)
			now := st.LastScan()
			if now.At.Equal(last.At) {
				break
			}
			last = now
		}
	}
}

// atHub waits for the hub to hold the record id.
func atHub(t *testing.T, store *hub.BoltStore, id string) hub.Stored {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		recs, err := store.Records(hub.Query{StationID: demo.StationID})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Record.ID == id {
				return r
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("record %s not at the hub after 15s", id)
	return hub.Stored{}
}

// metric reads one gauge from the station's /metrics text.
func metric(t *testing.T, st *appliance.Station, name string) float64 {
	t.Helper()
	var b bytes.Buffer
	st.WriteMetrics(&b)
	sc := bufio.NewScanner(&b)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return f
		}
	}
	t.Fatalf("no %s in the metrics", name)
	return 0
}

// dayReason is what a station whose day is stationDay must say of an
// appointment for day: "" (accepted), expired or not_yet.
func dayReason(day, stationDay string) string {
	switch {
	case day < stationDay:
		return string(signedcode.Expired)
	case day > stationDay:
		return string(signedcode.NotYet)
	}
	return ""
}

// badgeReason is what a station at now must say of a badge valid from
// from until until.
func badgeReason(from, until, now time.Time) string {
	switch {
	case now.Unix() < from.Unix():
		return string(signedcode.NotYet)
	case now.Unix() >= until.Unix():
		return string(signedcode.Expired)
	}
	return ""
}

// A station whose board clock is hours, days or a year off the hub's works
// on one clock: without NTP the hub's (learnt from its authenticated
// answers, and kept while the hub is away), with NTP its own (the hub is
// then the wrong one). Registrations by card, typed in and by appointment,
// staff codes, volunteers and the queue-age metric all agree with it, and
// a code is refused only for the reason that clock gives.
func TestWrongClock(t *testing.T) {
	skews := []struct {
		name string
		d    time.Duration
	}{
		{"8h ahead (RTC in local time)", 8 * time.Hour},
		{"3 days behind", -72 * time.Hour},
		{"a year ahead", 365 * 24 * time.Hour},
	}
	for _, sk := range skews {
		for _, ntp := range []bool{false, true} {
			name := sk.name + ", no NTP"
			if ntp {
				name = sk.name + ", NTP synced"
			}
			t.Run(name, func(t *testing.T) { wrongClock(t, sk.d, ntp) })
		}
	}
}

func wrongClock(t *testing.T, skew time.Duration, ntp bool) {
	dir := t.TempDir()
	h := startCodeHub(t, filepath.Join(dir, "hub"))
	st, card, scanner := skewStation(t, dir, h.url, skew, ntp)
	waitRefData(t, st)
	waitState(t, st, func(h station.Health) bool { return h.Clock.HubSeen })

	// The station's time: the hub's without NTP, its own with.
	stationTime := func() time.Time {
		if ntp {
			return time.Now().Add(skew)
		}
		return time.Now()
	}
	near := func(what string, got time.Time) {
		t.Helper()
		if d := got.Sub(stationTime()); d.Abs() > time.Minute {
			t.Errorf("%s = %s: %s off the station's time", what, got.Format(time.RFC3339), d.Round(time.Second))
		}
	}
	ck := st.Health().Clock
	wantSource := "hub"
	if ntp {
		wantSource = "ntp"
	}
	if !ck.Trusted || ck.Source != wantSource || (time.Duration(ck.OffsetMS)*time.Millisecond+skew).Abs() > time.Minute {
		t.Fatalf("clock state %+v; want trusted by %s, hub offset about %s", ck, wantSource, -skew)
	}
	near("Station.Now", st.Now())
	consent := station.ConsentIn{Agreed: true, Version: "2026-01"}

	// Card registration: consent and record on the same clock.
	c, _ := idcardsim.Card("resident")
	card.Lay(c)
	waitSession(t, st, station.SessionCard)
	rc, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate", Consent: consent})
	if err != nil {
		t.Fatalf("card registration refused: %v", err)
	}
	card.Lift()
	near("card registration's created_at", rc.CreatedAt)
	if !rc.ClockTrusted {
		t.Error("card registration not marked clock_trusted")
	}
	stored := atHub(t, h.store, rc.ID)
	var p struct {
		Consent struct{ At time.Time } `json:"consent"`
	}
	if err := json.Unmarshal(stored.Record.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if d := p.Consent.At.Sub(stored.Record.CreatedAt); d.Abs() > 5*time.Second {
		t.Errorf("consent.at %s and created_at %s are on different clocks", p.Consent.At, stored.Record.CreatedAt)
	}

	// Typed-in registration.
	if err := st.StartManual("王秀兰", "14102919520317122X"); err != nil {
		t.Fatal(err)
	}
	if rc, err = st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate", Consent: consent}); err != nil {
		t.Fatalf("manual registration refused: %v", err)
	}
	near("manual registration's created_at", rc.CreatedAt)

	// Appointments: the one the hub issued for its today, and one for the
	// station's today.
	stationDay := stationTime().In(chinaTime).Format(time.DateOnly)
	hubDay := time.Now().In(chinaTime).Format(time.DateOnly)
	for _, day := range []string{hubDay, stationDay} {
		r := scanWhole(t, st, scanner, h.appointment(t, demo.StationID, day))
		want := dayReason(day, stationDay)
		if want == "" {
			if r.Kind != "appointment" {
				t.Fatalf("appointment for %s at a station on %s: %+v; want accepted", day, stationDay, r)
			}
			// The code names its resident by a keyed hash: their card
			// confirms them.
			card.Lay(c)
			waitSession(t, st, station.SessionCard)
			rc, err := st.SubmitSession(t.Context(), station.SessionSubmit{Consent: consent})
			if err != nil {
				t.Fatalf("registration by appointment refused: %v", err)
			}
			card.Lift()
			near("appointment registration's created_at", rc.CreatedAt)
		} else if r.Kind != "refused" || r.Reason != want {
			t.Fatalf("appointment for %s at a station on %s: %+v; want refused as %s", day, stationDay, r, want)
		}
	}

	// Staff codes: today's badge, and one that expired an hour ago (hub
	// time).
	hubNow := time.Now()
	badges := []struct{ from, until time.Time }{
		{hubNow.Add(-time.Hour), hubNow.Add(12 * time.Hour)},
		{hubNow.Add(-3 * time.Hour), hubNow.Add(-time.Hour)},
	}
	for i, b := range badges {
		r := scanWhole(t, st, scanner, h.badge(t, "badge-"+strconv.Itoa(i), b.from, b.until))
		want := badgeReason(b.from, b.until, stationTime())
		switch {
		case want == "" && (r.Kind != "staff" || st.Staff() == nil):
			t.Fatalf("badge %d (%s to %s): %+v, staff %+v; want logged in", i, b.from, b.until, r, st.Staff())
		case want != "" && (r.Kind != "refused" || r.Reason != want || st.Staff() != nil):
			t.Fatalf("badge %d (%s to %s): %+v; want refused as %s", i, b.from, b.until, r, want)
		}
		st.StaffLogout()
	}

	// A volunteer checks in; the hub goes away; the check-out is still
	// on the station's clock, and the queue's age is measured on it too.
	in, err := st.CheckIn(station.CheckIn{Name: "张伟", Service: "环境整治"})
	if err != nil {
		t.Fatalf("volunteer check-in refused: %v", err)
	}
	near("check-in's since", in.Since)
	h.srv.Close()
	sv, err := st.CheckOut(t.Context(), "张伟")
	if err != nil {
		t.Fatalf("volunteer check-out refused: %v", err)
	}
	near("check-out's created_at", sv.Ack.CreatedAt)
	if !sv.Ack.ClockTrusted || sv.Minutes != 1 {
		t.Errorf("check-out: %+v; want trusted, 1 minute", sv)
	}
	if e, err := st.Lookup(sv.Ack.ID); err != nil || e.State != "queued" {
		t.Fatalf("volunteer record with the hub away: %+v %v", e, err)
	}
	if age := metric(t, st, "gridkiosk_outbox_oldest_queued_age_seconds"); age < 0 || age > 60 {
		t.Errorf("oldest queued record's age %gs; it was made just now", age)
	}
}

// Before the hub has been heard from, a station with a wrong clock still
// registers residents: on its own clock, marked untrusted.
func TestWrongClockBeforeTheHub(t *testing.T) {
	local := func() time.Time { return time.Now().Add(8 * time.Hour) }
	st, sim := cardStation(t, 115200, local)
	c, _ := idcardsim.Card("resident")
	sim.Lay(c)
	waitSession(t, st, station.SessionCard)
	rc, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate",
		Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}})
	if err != nil {
		t.Fatalf("card registration refused: %v", err)
	}
	if rc.ClockTrusted || rc.CreatedAt.Sub(local()).Abs() > time.Minute {
		t.Fatalf("receipt %+v; want untrusted, on the board's clock", rc)
	}
}
