package appliance

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/staffpin"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// A hub that still serves the SHA-256 PIN hashes of before gets its PINs
// refused, with a log line that says what to do; the hash that stands in
// for unknown staff IDs is one staffpin can check.
func TestOldPINHashRefused(t *testing.T) {
	if _, _, _, err := staffpin.Parse(noStaffHash); err != nil {
		t.Fatalf("noStaffHash: %v", err)
	}
	cfg := config.Default()
	cfg.Station.ID = "141029-xfw-01"
	cfg.Storage.Dir = filepath.Join(t.TempDir(), "data")
	var logs bytes.Buffer
	st, err := New(Options{Config: &cfg, Log: slog.New(slog.NewTextHandler(&logs, nil)), NTPSynced: func() bool { return false }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// SHA-256 hex, the form hubs wrote before argon2id.
	const old = "5b0c0a3f1b8e3c5dd7e1b1b2e6b1a0d2c8f3e4a5b6c7d8e9f0a1b2c3d4e5f6a7"
	st.ref.data = &RefData{Staff: []StaffRef{{ID: "s-0007", Name: "李建国", PINHash: old}}}
	if err := st.StaffLoginPIN("s-0007", "2580"); !errors.Is(err, station.ErrPIN) {
		t.Fatalf("an old hash: %v, want ErrPIN", err)
	}
	if !strings.Contains(logs.String(), "gridhub staff pin set") || !strings.Contains(logs.String(), "s-0007") {
		t.Fatalf("the log does not say to set the PIN again: %s", logs.String())
	}
	if strings.Contains(logs.String(), "2580") {
		t.Fatal("the log holds the PIN")
	}
}
