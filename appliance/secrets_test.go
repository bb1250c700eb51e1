package appliance_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// openStation starts a station and returns it with what stops and closes
// it, for tests that restart a station or read its file once it is shut.
func openStation(t *testing.T, opt appliance.Options) (*appliance.Station, func()) {
	t.Helper()
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opt.NTPSynced = func() bool { return false }
	st, err := appliance.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); wg.Wait(); st.Close() }) }
	t.Cleanup(stop)
	return st, stop
}

// Wrong PINs are counted, and the keypad's lock held, across restarts: a
// plug pulled does not give a guesser five more tries.
func TestPINLockSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	h := startCodeHub(t, filepath.Join(dir, "hub"))
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(h.token+"\n"), 0o600)
	data := filepath.Join(dir, "data")
	clk := &clock{}
	st, stop := openStation(t, appliance.Options{Config: demo.Config(data, h.url, tokenFile), Now: clk.Now})
	waitRefData(t, st)
	for i := range 4 {
		if err := st.StaffLoginPIN("s-0007", "1111"); !errors.Is(err, station.ErrPIN) {
			t.Fatalf("wrong PIN %d: %v", i+1, err)
		}
	}
	stop()

	// Offline now: the PIN hashes come from the sealed copy it kept.
	offline := demo.Config(data, "", "")
	st, stop = openStation(t, appliance.Options{Config: offline, Now: clk.Now})
	if err := st.StaffLoginPIN("s-0007", "1111"); !errors.Is(err, station.ErrPINLocked) {
		t.Fatalf("fifth wrong PIN, after a restart: %v, want the lock", err)
	}
	stop()

	st, stop = openStation(t, appliance.Options{Config: offline, Now: clk.Now})
	defer stop()
	if err := st.StaffLoginPIN("s-0007", demo.StaffPIN); !errors.Is(err, station.ErrPINLocked) {
		t.Fatalf("right PIN while locked, after a restart: %v", err)
	}
	clk.Advance(6 * time.Minute)
	if err := st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if s := st.Staff(); s == nil || !s.Technician {
		t.Fatalf("李建国 has the technician role: %+v", s)
	}
}

// TestNoPersonalDataAtRest reads station.db after a real station has
// registered a resident from their card with a phone number, checked a
// volunteer in and logged a staff member in with a PIN (and two wrong
// ones), and searches the raw bytes for each.
func TestNoPersonalDataAtRest(t *testing.T) {
	dir := t.TempDir()
	h := startCodeHub(t, filepath.Join(dir, "hub"))
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(h.token+"\n"), 0o600)
	sim, err := idcardsim.New(dir, "idcard", 115200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	data := filepath.Join(dir, "data")
	cfg := demo.Config(data, h.url, tokenFile)
	cfg.Devices.IDCard.Port = sim.Path()
	st, stop := openStation(t, appliance.Options{Config: cfg, IDCard: idcard.Options{Poll: 10 * time.Millisecond}})
	waitRefData(t, st)
	waitState(t, st, func(v station.Health) bool { return v.Peripherals["idcard"].State == "ready" })

	c, _ := idcardsim.Card("resident")
	sim.Lay(c)
	waitSession(t, st, station.SessionCard)
	const phone = "13835712345"
	if _, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate", Phone: phone,
		Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}}); err != nil {
		t.Fatal(err)
	}
	const volunteer = "刘春梅"
	if _, err := st.CheckIn(station.CheckIn{Name: volunteer, Service: "政策宣传"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		st.StaffLoginPIN("s-0007", "1111")
	}
	if err := st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
		t.Fatal(err)
	}
	pinHash := ""
	for _, s := range st.RefData().Staff {
		if s.ID == "s-0007" {
			pinHash = s.PINHash
		}
	}
	stop()

	raw, err := os.ReadFile(filepath.Join(data, "station.db"))
	if err != nil {
		t.Fatal(err)
	}
	gb := func(s string) string {
		b, err := simplifiedchinese.GB18030.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sum := func(s string) [32]byte { return sha256.Sum256([]byte(s)) }
	pinSum, oldHash := sum(demo.StaffPIN), sum("gridkiosk-pin\x00"+demo.StationID+"\x00s-0007\x00"+demo.StaffPIN)
	secrets := map[string]string{
		"resident's name":           c.Name,
		"resident's name, GB18030":  gb(c.Name),
		"ID number":                 c.IDNumber,
		"ID number's middle":        c.IDNumber[6:14],
		"phone":                     phone,
		"address":                   c.Address[:min(len(c.Address), 12)],
		"volunteer's name":          volunteer,
		"volunteer's name, GB18030": gb(volunteer),
		"staff name":                "李建国",
		"staff name, GB18030":       gb("李建国"),
		"PIN hash":                  pinHash,
		"PIN hash's salt and hash":  pinHash[len("$argon2id$v=19$m=19456,t=2,p=1$"):],
		"PIN beside the staff ID":   "s-0007\x002580",
		"SHA-256 of the PIN":        string(pinSum[:]),
		"SHA-256 of the PIN, hex":   hex.EncodeToString(pinSum[:]),
		"old PIN hash, hex":         hex.EncodeToString(oldHash[:]),
		"old PIN hash":              string(oldHash[:]),
		"staff ID":                  "s-0007",
	}
	if pinHash == "" {
		t.Fatal("the hub's reference data has no PIN hash for s-0007")
	}
	for what, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("station.db holds the %s in clear", what)
		}
	}
}
