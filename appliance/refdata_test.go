package appliance_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/demo"
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
