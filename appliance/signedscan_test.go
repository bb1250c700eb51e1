package appliance_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan/qrscansim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// codeHub is a county hub that signs codes and hands its public key to
// the station with the reference data.
type codeHub struct {
	signer signedcode.Signer
	url    string
	token  string
	store  *hub.BoltStore
	srv    *httptest.Server
}

func startCodeHub(t *testing.T, dir string, revoked ...string) *codeHub {
	t.Helper()
	signer, err := signedcode.NewSignerFile(filepath.Join(dir, "code.key"), "hub-2026-11")
	if err != nil {
		t.Fatal(err)
	}
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	rd := demo.RefData()
	if len(revoked) > 0 {
		var m map[string]any
		json.Unmarshal(rd, &m)
		m["revoked_codes"] = revoked
		rd, _ = json.Marshal(m)
	}
	rd, err = signedcode.AttachKeys(rd, signer.ForStation(demo.StationID))
	if err != nil {
		t.Fatal(err)
	}
	h := &hub.Server{Store: store, Tokens: hub.Tokens{"tok": demo.StationID}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), RefData: func(string) ([]byte, error) { return rd, nil }}
	ts := httptest.NewServer(h.Handler())
	t.Cleanup(ts.Close)
	return &codeHub{signer: signer, url: ts.URL, token: "tok", store: store, srv: ts}
}

// today is the date of now in China Standard Time.
func today(d int) string {
	return time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, d).Format(time.DateOnly)
}

func (h *codeHub) appointment(t *testing.T, station, date string) string {
	t.Helper()
	code, err := h.signer.Appointment(signedcode.Appointment{Station: station, Date: date, Purpose: "certificate",
		Person: signedcode.Person{Name: "王秀兰", IDNumber: "14102919520317122X", Phone: "13835712345"}})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (h *codeHub) staff(t *testing.T, id string) string {
	t.Helper()
	code, err := h.signer.Staff(signedcode.Staff{ID: id, Station: demo.StationID, StaffID: "s-0007", Name: "李建国",
		Role: "micro_grid_leader", NotBefore: time.Now().Add(-time.Hour).Unix(), Expires: time.Now().Add(8 * time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// scan sends code through the emulated scanner and waits for the station
// to have made something of it.
func scan(t *testing.T, st *appliance.Station, sim *qrscansim.Scanner, code string) station.ScanResult {
	t.Helper()
	before := st.LastScan()
	sim.Scan(code, qrscansim.How{AIM: "]Q1"})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if got := st.LastScan(); got != nil && (before == nil || got.At != before.At) {
			return *got
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("scan %.20q…: the station made nothing of it in 10s", code)
	return station.ScanResult{}
}

// clock is a station's clock that a test can move on.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.off) }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.off += d; c.mu.Unlock() }

func stationWithScanner(t *testing.T, dir, hubURL string) (*appliance.Station, *qrscansim.Scanner) {
	return stationWithClock(t, dir, hubURL, time.Now)
}

func stationWithClock(t *testing.T, dir, hubURL string, now func() time.Time) (*appliance.Station, *qrscansim.Scanner) {
	t.Helper()
	sim, err := qrscansim.New(dir, "scanner", 9600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("tok\n"), 0o600)
	cfg := demo.Config(filepath.Join(dir, "data"), hubURL, tokenFile)
	// The emulator ends codes with CR. Said here, the station ends codes
	// only at the CR, so a long code that the emulator's line pauses in
	// (a loaded machine) still arrives whole; learning it would leave the
	// first code to the idle gap.
	cfg.Devices.Scanner.Port, cfg.Devices.Scanner.Suffix = sim.Path(), "cr"
	st := runStation(t, appliance.Options{Config: cfg, Now: now})
	waitState(t, st, func(h station.Health) bool { return h.Peripherals["scanner"].State == "ready" })
	return st, sim
}

func waitRefData(t *testing.T, st *appliance.Station) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for st.RefData() == nil || len(st.RefData().CodeKeys) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no reference data with code keys from the hub in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Each refusal has its own reason, and a valid appointment starts a
// registration that spends it.
func TestSignedCodes(t *testing.T) {
	dir := t.TempDir()
	h := startCodeHub(t, filepath.Join(dir, "hub"), "revoked-badge")
	forger := startCodeHub(t, filepath.Join(dir, "forger"))
	clk := &clock{}
	st, sim := stationWithClock(t, dir, h.url, clk.Now)
	waitRefData(t, st)

	valid := h.appointment(t, demo.StationID, today(0))
	tests := []struct {
		name, code, kind, reason string
	}{
		{"expired", h.appointment(t, demo.StationID, today(-1)), "refused", "expired"},
		{"not yet", h.appointment(t, demo.StationID, today(1)), "refused", "not_yet"},
		{"forged", forger.appointment(t, demo.StationID, today(0)), "refused", "forged"},
		{"wrong station", h.appointment(t, "141029-zl-01", today(0)), "refused", "wrong_station"},
		{"revoked staff", h.staff(t, "revoked-badge"), "refused", "revoked"},
		{"damaged", valid[:len(valid)/2], "refused", "malformed"},
		{"valid appointment", valid, "appointment", ""},
	}
	for _, tc := range tests {
		got := scan(t, st, sim, tc.code)
		if got.Kind != tc.kind || got.Reason != tc.reason || got.Message == "" {
			t.Errorf("%s: %+v", tc.name, got)
		}
	}
	// The code names its resident only masked: the station asks for
	// their ID, and takes none from the code.
	v := st.Session()
	if v.State != station.SessionAppointment || v.Source != "qr" || v.Purpose != "certificate" || v.Person == nil ||
		v.Person.Name != "王*兰" || v.Person.IDNumber != "" || !v.NeedsCard {
		t.Fatalf("session from the appointment: %+v %+v", v, v.Person)
	}
	consent := station.ConsentIn{Agreed: true, Version: "2026-01"}
	if _, err := st.SubmitSession(t.Context(), station.SessionSubmit{Consent: consent}); !errors.Is(err, station.ErrNeedsCard) {
		t.Fatalf("submitted an appointment nobody confirmed: %v", err)
	}
	// The resident types their ID number (no card at hand): it matches.
	if err := st.StartManual("王秀兰", "14102919520317122X"); err != nil {
		t.Fatal(err)
	}
	rc, err := st.SubmitSession(t.Context(), station.SessionSubmit{Consent: consent})
	if err != nil {
		t.Fatal(err)
	}
	// Replayed: the same code again, after its registration was stored.
	if got := scan(t, st, sim, valid); got.Reason != "used" || !strings.Contains(got.Message, "已使用") {
		t.Errorf("replayed: %+v", got)
	}
	if st.Session().State != station.SessionSubmitted {
		t.Errorf("a refused code changed the session: %+v", st.Session())
	}
	// The registration reaches the hub with its source and appointment.
	deadline := time.Now().Add(15 * time.Second)
	var stored *hub.Stored
	for stored == nil && time.Now().Before(deadline) {
		all, _ := h.store.All()
		for i := range all {
			if all[i].Record.ID == rc.ID {
				stored = &all[i]
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if stored == nil {
		t.Fatal("registration not at the hub in 15s")
	}
	var reg struct {
		Source, Purpose, Appointment string
		Person                       struct{ Nation, Birth string }
	}
	json.Unmarshal(stored.Record.Payload, &reg)
	if reg.Source != "qr" || reg.Purpose != "certificate" || reg.Appointment == "" || reg.Person.Birth != "1952-03-17" {
		t.Errorf("at the hub: %+v", reg)
	}

	// A staff code logs its staff member in.
	if got := scan(t, st, sim, h.staff(t, "badge-1")); got.Kind != "staff" || !strings.Contains(got.Message, "李建国") {
		t.Errorf("staff code: %+v", got)
	}
	// The reference data gives s-0007 the technician role; the code
	// does not need to say so.
	if s := st.Staff(); s == nil || s.ID != "s-0007" || s.Role != "micro_grid_leader" || !s.Technician {
		t.Fatalf("staff session: %+v", s)
	}
	st.StaffLogout()
	if st.Staff() != nil {
		t.Fatal("still logged in after logout")
	}
	// A staff member who walks away is logged out after 15 idle minutes.
	scan(t, st, sim, h.staff(t, "badge-2"))
	clk.Advance(10 * time.Minute)
	st.TouchStaff()
	clk.Advance(10 * time.Minute)
	if st.Staff() == nil {
		t.Fatal("logged out though touched 10 minutes ago")
	}
	clk.Advance(6 * time.Minute)
	if st.Staff() != nil {
		t.Fatal("still logged in after 16 idle minutes")
	}
}

// A station that cannot reach its hub checks codes with the keys it kept.
func TestSignedCodesOffline(t *testing.T) {
	dir := t.TempDir()
	h := startCodeHub(t, filepath.Join(dir, "hub"))
	first := filepath.Join(dir, "first")
	os.MkdirAll(first, 0o700)
	t.Run("online", func(t *testing.T) {
		st, _ := stationWithScanner(t, first, h.url)
		waitRefData(t, st)
	})
	// Same data directory, hub address dead.
	st, sim := stationWithScanner(t, first, "http://127.0.0.1:1")
	if st.RefData() == nil || len(st.RefData().CodeKeys) != 1 {
		t.Fatalf("cached reference data not loaded: %+v", st.RefData())
	}
	if got := scan(t, st, sim, h.appointment(t, demo.StationID, today(0))); got.Kind != "appointment" {
		t.Fatalf("offline: %+v", got)
	}
}

// Without reference data the station cannot know the key: it says so.
func TestSignedCodeUnknownKey(t *testing.T) {
	dir := t.TempDir()
	h := startCodeHub(t, filepath.Join(dir, "hub"))
	st, sim := stationWithScanner(t, dir, "")
	if got := scan(t, st, sim, h.appointment(t, demo.StationID, today(0))); got.Reason != "unknown_key" || !strings.Contains(got.Message, "密钥") {
		t.Fatalf("no refdata: %+v", got)
	}
}

// A private appointment code is confirmed by its resident's card: another
// card starts a registration of its own without the appointment, which
// stays unspent; the resident's card carries it, with the card's details.
func TestAppointmentConfirmedByCard(t *testing.T) {
	dir := t.TempDir()
	h := startCodeHub(t, filepath.Join(dir, "hub"))
	st, card, scanner := skewStation(t, dir, h.url, 0, true)
	waitRefData(t, st)
	code := h.appointment(t, demo.StationID, today(0))
	consent := station.ConsentIn{Agreed: true, Version: "2026-01"}

	if r := scanWhole(t, st, scanner, code); r.Kind != "appointment" {
		t.Fatalf("scan: %+v", r)
	}
	if v := waitSession(t, st, station.SessionAppointment); !v.NeedsCard || v.Person.Name != "王*兰" {
		t.Fatalf("before the card: %+v %+v", v, v.Person)
	}
	other, _ := idcardsim.Card("resident-hui")
	card.Lay(other)
	v := waitSession(t, st, station.SessionCard)
	if v.Source != "idcard" || v.Purpose != "" || v.Person.Name != other.Name {
		t.Fatalf("another resident's card took the appointment: %+v %+v", v, v.Person)
	}
	rc, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "repair", Consent: consent})
	if err != nil {
		t.Fatal(err)
	}
	if reg := payloadOf(t, h, rc.ID); reg.Appointment != "" || reg.Source != "idcard" {
		t.Fatalf("the other resident's registration: %+v", reg)
	}
	card.Lift()

	// The code was not spent: its resident scans it again and lays their card.
	if r := scanWhole(t, st, scanner, code); r.Kind != "appointment" {
		t.Fatalf("scan again: %+v", r)
	}
	waitSession(t, st, station.SessionAppointment)
	mine, _ := idcardsim.Card("resident")
	card.Lay(mine)
	v = waitSession(t, st, station.SessionCard)
	if v.Source != "idcard" || v.Purpose != "certificate" || v.Person.Name != "王秀兰" || v.NeedsCard {
		t.Fatalf("the resident's card: %+v %+v", v, v.Person)
	}
	rc, err = st.SubmitSession(t.Context(), station.SessionSubmit{Consent: consent})
	if err != nil {
		t.Fatal(err)
	}
	reg := payloadOf(t, h, rc.ID)
	if reg.Appointment == "" || reg.Source != "qr" || reg.Purpose != "certificate" || reg.Person.Nation != mine.Nation || reg.Person.Address != mine.Address {
		t.Fatalf("registration by appointment: %+v", reg)
	}
	card.Lift()
	if r := scanWhole(t, st, scanner, code); r.Reason != "used" {
		t.Fatalf("the spent code: %+v", r)
	}

	// Card first, code second: the card on the reader confirms it.
	card.Lay(mine)
	waitSession(t, st, station.SessionCard)
	if r := scanWhole(t, st, scanner, h.appointment(t, demo.StationID, today(0))); r.Kind != "appointment" {
		t.Fatalf("scan with the card on the reader: %+v", r)
	}
	if v := st.Session(); v.State != station.SessionCard || v.Purpose != "certificate" || v.Person.Name != "王秀兰" {
		t.Fatalf("card, then code: %+v", v)
	}
}

// payloadOf waits for a registration to reach the hub and returns it.
func payloadOf(t *testing.T, h *codeHub, id string) record.Registration {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		all, _ := h.store.All()
		for _, r := range all {
			if r.Record.ID == id {
				var reg record.Registration
				if err := json.Unmarshal(r.Record.Payload, &reg); err != nil {
					t.Fatal(err)
				}
				return reg
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("record %s not at the hub in 15s", id)
	return record.Registration{}
}
