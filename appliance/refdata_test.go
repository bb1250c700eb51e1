package appliance_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// A damaged download from the hub never replaces the copy the station
// kept: after a restart against a hub serving garbage, the station still
// works with the last good copy.
func TestRefDataKeepsGoodCopy(t *testing.T) {
	dir := t.TempDir()
	var serve atomic.Value
	serve.Store(demo.RefData())
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := &hub.Server{Store: store, Tokens: hub.Tokens{"tok-0123456789abcdef": demo.StationID}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RefData: func(string) ([]byte, error) { return serve.Load().([]byte), nil }}
	ts := httptest.NewServer(h.Handler())
	defer ts.Close()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("tok-0123456789abcdef\n"), 0o600)
	cfg := demo.Config(filepath.Join(dir, "data"), ts.URL, tokenFile)

	waitCategories := func(st *appliance.Station) {
		deadline := time.Now().Add(10 * time.Second)
		for st.RefData() == nil || len(st.RefData().Categories) != 8 {
			if time.Now().After(deadline) {
				t.Fatalf("reference data: %+v", st.RefData())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Run("first fetch", func(t *testing.T) { waitCategories(runStation(t, appliance.Options{Config: cfg})) })

	for _, bad := range []string{`{"categories":[{"code":"repair","na`, `{"categories":[{"code":""}]}`, `{"code_keys":[{"id":"k","ed25519":"AAAA"}]}`} {
		serve.Store([]byte(bad))
		t.Run("damaged "+bad[:12], func(t *testing.T) {
			st := runStation(t, appliance.Options{Config: cfg})
			waitCategories(st)
			deadline := time.Now().Add(10 * time.Second)
			for st.Health().RefData.LastError == "" {
				if time.Now().After(deadline) {
					t.Fatal("the damaged download was not reported in /healthz")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if got := st.RefData(); len(got.Categories) != 8 || got.Categories[0].Code != "dispute" {
				t.Fatalf("the damaged copy was taken: %+v", got.Categories)
			}
		})
	}
}

// An empty or partial answer from the hub ({} from a hub with nothing
// loaded, a copy without the code keys) never replaces a complete kept
// copy: the station reports what was missing and keeps working with the
// code keys, staff and grid it had.
func TestRefDataRefusesPartial(t *testing.T) {
	dir := t.TempDir()
	signer, err := signedcode.NewSignerFile(filepath.Join(dir, "code.key"), "hub-2026-11")
	if err != nil {
		t.Fatal(err)
	}
	full, err := signedcode.AttachKeys(demo.RefData(), signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	without := func(part string) []byte {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(full, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, part)
		b, _ := json.Marshal(m)
		return b
	}
	var serve atomic.Value
	serve.Store(full)
	h := &hub.Server{Tokens: hub.Tokens{"tok-0123456789abcdef": demo.StationID}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RefData: func(string) ([]byte, error) { return serve.Load().([]byte), nil }}
	ts := httptest.NewServer(h.Handler())
	defer ts.Close()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("tok-0123456789abcdef\n"), 0o600)
	cfg := demo.Config(filepath.Join(dir, "data"), ts.URL, tokenFile)

	complete := func(rd *appliance.RefData) bool {
		return rd != nil && len(rd.CodeKeys) == 1 && len(rd.Categories) == 8 && len(rd.Staff) > 0 && len(rd.Grid) > 0
	}
	waitFor := func(t *testing.T, what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("waited 10 s for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Run("complete", func(t *testing.T) {
		st := runStation(t, appliance.Options{Config: cfg})
		waitFor(t, "the complete copy", func() bool { return complete(st.RefData()) })
	})
	for _, c := range []struct {
		name  string
		data  []byte
		lacks string
	}{
		{"empty", []byte(`{}`), "categories"},
		{"no code keys", without("code_keys"), "code_keys"},
		{"no staff", without("staff"), "staff"},
		{"no grid", without("grid"), "grid"},
		{"no categories", without("categories"), "categories"},
		{"duplicate category", []byte(`{"categories":[{"code":"a","name":"x"},{"code":"a","name":"y"}]}`), "appears twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			serve.Store(c.data)
			st := runStation(t, appliance.Options{Config: cfg})
			waitFor(t, "the refusal in /healthz", func() bool { return st.Health().RefData.LastError != "" })
			if e := st.Health().RefData.LastError; !strings.Contains(e, c.lacks) || !strings.Contains(e, "kept copy stays") {
				t.Errorf("last_error = %q, want it to name %q and say the kept copy stays", e, c.lacks)
			}
			if rd := st.RefData(); !complete(rd) {
				t.Fatalf("the partial copy was taken: %+v", rd)
			}
		})
	}
	// Restarted, the station still has the complete copy on disk.
	serve.Store(full)
	t.Run("kept on disk", func(t *testing.T) {
		st := runStation(t, appliance.Options{Config: cfg})
		if !complete(st.RefData()) {
			t.Fatalf("kept copy after the refusals: %+v", st.RefData())
		}
	})
}
