package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	vocab "github.com/gridkiosk/gridkiosk/appliance/station"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/staffpin"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// demoWithoutPINs is the demo's reference data as a county would write
// it: staff listed, no PIN hashes.
func demoWithoutPINs(t *testing.T) string {
	var m map[string]any
	if err := json.Unmarshal(demo.RefData(), &m); err != nil {
		t.Fatal(err)
	}
	for _, st := range m["staff"].([]any) {
		delete(st.(map[string]any), "pin_hash")
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func storedStaff(t *testing.T, data, id string) appliance.StaffRef {
	t.Helper()
	st, err := hub.OpenBolt(filepath.Join(data, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw, _, err := st.RefData("")
	if err != nil {
		t.Fatal(err)
	}
	var rd appliance.RefData
	json.Unmarshal(raw, &rd)
	for _, s := range rd.Staff {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no staff %s in %s", id, raw)
	return appliance.StaffRef{}
}

// Before, only the demo could make a staff PIN. gridhub staff pin set
// keeps an argon2id hash in the hub's reference data, a station logs the
// staff member in with it, refdata load keeps it, and reset clears it.
func TestStaffPINSetAndLogIn(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "hub")
	tok := run(t, "station", "add", "--data", data, "--station", demo.StationID)
	file := writeFile(t, dir, "refdata.json", demoWithoutPINs(t))
	run(t, "refdata", "load", "--data", data, file)
	out := run(t, "staff", "pin", "set", "--data", data, "--staff", "s-0007", "--pin-file", writeFile(t, dir, "pin", "4711\n"))
	if !strings.Contains(out, "s-0007") || strings.Contains(out, "4711") {
		t.Fatalf("pin set said %q", out)
	}
	s := storedStaff(t, data, "s-0007")
	if ok, err := staffpin.Verify(s.PINHash, "4711"); err != nil || !ok || !strings.HasPrefix(s.PINHash, "$argon2id$") {
		t.Fatalf("stored hash %q: %v %v", s.PINHash, ok, err)
	}
	// Loading the file again (a new category, say) keeps the PIN.
	if out := run(t, "refdata", "load", "--data", data, file); !strings.Contains(out, "PINs of 1 staff") {
		t.Fatalf("refdata load said %q", out)
	}
	if got := storedStaff(t, data, "s-0007").PINHash; got != s.PINHash {
		t.Fatalf("refdata load changed the PIN hash: %q", got)
	}

	// A station logs in with it.
	h := startHub(t, nil, "--data", data)
	tokenFile := writeFile(t, dir, "station.token", tok+"\n")
	os.Chmod(tokenFile, 0o600)
	st, err := appliance.New(appliance.Options{Config: demo.Config(filepath.Join(dir, "station"), h.url, tokenFile),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { st.Run(ctx) })
	defer func() { cancel(); wg.Wait(); st.Close() }()
	waitFor(t, "the station's reference data", func() bool { return st.RefData() != nil })
	if err := st.StaffLoginPIN("s-0007", demo.StaffPIN); !errors.Is(err, vocab.ErrPIN) {
		t.Fatalf("the demo's PIN: %v", err)
	}
	if err := st.StaffLoginPIN("s-0007", "4711"); err != nil {
		t.Fatalf("the PIN set at the hub: %v", err)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}

	out = run(t, "staff", "pin", "reset", "--data", data, "--staff", "s-0007")
	if !strings.Contains(out, "cleared") {
		t.Fatalf("pin reset said %q", out)
	}
	if got := storedStaff(t, data, "s-0007").PINHash; got != "" {
		t.Fatalf("after reset: %q", got)
	}
}

func TestStaffPINErrors(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "hub")
	empty := filepath.Join(dir, "empty")
	run(t, "station", "add", "--data", empty, "--station", demo.StationID)
	run(t, "refdata", "load", "--data", data, writeFile(t, dir, "refdata.json", demoWithoutPINs(t)))
	pin := writeFile(t, dir, "pin", "4711\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"staff"}, "want pin set or pin reset"},
		{[]string{"staff", "pin", "change"}, "want pin set or pin reset"},
		{[]string{"staff", "pin", "set", "--data", data, "--pin-file", pin}, "--staff is required"},
		{[]string{"staff", "pin", "set", "--data", data, "--staff", "s-9999", "--pin-file", pin}, "no staff member s-9999"},
		{[]string{"staff", "pin", "set", "--data", empty, "--staff", "s-0007", "--pin-file", pin}, "no reference data for every station"},
		{[]string{"staff", "pin", "set", "--data", data, "--station", "x", "--staff", "s-0007", "--pin-file", pin}, "station ID"},
		{[]string{"staff", "pin", "set", "--data", data, "--staff", "s-0007", "--pin-file", writeFile(t, dir, "short", "12\n")}, "4 to 8 digits"},
		{[]string{"staff", "pin", "set", "--data", data, "--staff", "s-0007", "--pin-file", writeFile(t, dir, "big", strings.Repeat("1", 100))}, "more than a PIN"},
		{[]string{"staff", "pin", "set", "--data", data, "--staff", "s-0007", "--pin-file", filepath.Join(dir, "none")}, "no such file"},
		{[]string{"staff", "pin", "reset", "--data", data, "--staff", "s-0007", "--pin-file", pin}, "flag provided but not defined"},
	} {
		if code, out := runErr(tc.args...); code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, code, out, tc.want)
		}
	}
	if s := storedStaff(t, data, "s-0007"); s.PINHash != "" {
		t.Fatalf("a refused command set a PIN: %q", s.PINHash)
	}
}

// Without --pin-file and without a terminal, the PIN is stdin's first
// line (a script's pipe).
func TestStaffPINFromStdin(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "hub")
	run(t, "refdata", "load", "--data", data, writeFile(t, dir, "refdata.json", demoWithoutPINs(t)))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString("24680\n")
	w.Close()
	defer r.Close()
	var out, errb bytes.Buffer
	if err := staffCmd(t.Context(), []string{"pin", "set", "--data", data, "--staff", "s-0012"}, r, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if ok, err := staffpin.Verify(storedStaff(t, data, "s-0012").PINHash, "24680"); !ok || err != nil {
		t.Fatalf("PIN from stdin: %v %v", ok, err)
	}
	if errb.Len() > 0 {
		t.Fatalf("asked on stderr without a terminal: %q", errb.String())
	}
}

// --key-file puts the store's key where the operator says (another
// disk, say), and a command without it is refused rather than reading the
// file as empty; with PostgreSQL, which has no data directory to keep it
// beside, it must be given.
func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	data, key := filepath.Join(dir, "hub"), filepath.Join(dir, "keys", "hub.key")
	os.MkdirAll(filepath.Dir(key), 0o700)
	run(t, "station", "add", "--data", data, "--key-file", key, "--station", demo.StationID)
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if out := run(t, "station", "list", "--data", data, "--key-file", key); !strings.Contains(out, demo.StationID) {
		t.Fatalf("station list: %s", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"records", "--data", data}, "restore it from the hub's backup"},
		{[]string{"records", "--db", "postgres:///x"}, "--db needs --key-file"},
	} {
		if code, out := runErr(tc.args...); code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, code, out, tc.want)
		}
	}
}
