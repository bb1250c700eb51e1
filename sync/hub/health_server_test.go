package hub

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// slowHealth holds PutHealth until released, to fill the hub's gate.
type slowHealth struct {
	Store
	entered chan struct{}
	release chan struct{}
}

func (s slowHealth) PutHealth(h wire.Health, at time.Time) error {
	s.entered <- struct{}{}
	<-s.release
	return s.Store.PutHealth(h, at)
}

func healthBody(station string) []byte {
	h := wire.Health{StationID: station, At: time.Now(), IntervalS: 300,
		Devices: wire.Devices{Reader: wire.Device{State: wire.DeviceReady}, Scanner: wire.Device{State: wire.DeviceReady},
			Printer: wire.Printer{Device: wire.Device{State: wire.DeviceReady}}, Panel: wire.Device{State: wire.DeviceAbsent}}}
	b, _ := json.Marshal(h)
	return b
}

func postHealth(t *testing.T, url, token string, body []byte) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+wire.PathHealth, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// The endpoint's answers: 204 stored, 401 without a token, 403 for
// another station's, 400 for a report that fails its check, 413 beyond
// 1 KB, and 503 with a Retry-After of 1–2 min once HealthInFlight
// reports are being stored.
func TestHealthEndpoint(t *testing.T) {
	store, err := OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	slow := slowHealth{Store: store, entered: make(chan struct{}), release: make(chan struct{})}
	srv := &Server{Store: slow, Tokens: Tokens{"tok-a": "st-a"}, HealthInFlight: 1}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	var wg sync.WaitGroup
	wg.Go(func() {
		if resp := postHealth(t, ts.URL, "tok-a", healthBody("st-a")); resp.StatusCode != http.StatusNoContent {
			t.Errorf("held report: %d", resp.StatusCode)
		}
	})
	<-slow.entered
	resp := postHealth(t, ts.URL, "tok-a", healthBody("st-a"))
	ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusServiceUnavailable || ra < 60 || ra > 120 {
		t.Fatalf("a report beyond the gate: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	close(slow.release)
	wg.Wait()
	if h, _ := store.HealthHistory("st-a", 0); len(h) != 1 {
		t.Fatalf("%d reports stored, want 1", len(h))
	}

	go func() {
		for range slow.entered {
		}
	}()
	defer close(slow.entered)
	big := healthBody("st-a")
	big = append(big[:len(big)-1], []byte(`,"version":"`+strings.Repeat("x", wire.MaxHealthBytes)+`"}`)...)
	bad := []byte(strings.Replace(string(healthBody("st-a")), `"interval_s":300`, `"interval_s":0`, 1))
	for _, tc := range []struct {
		name, token string
		body        []byte
		want        int
	}{
		{"ok", "tok-a", healthBody("st-a"), http.StatusNoContent},
		{"no token", "", healthBody("st-a"), http.StatusUnauthorized},
		{"other station", "tok-a", healthBody("st-b"), http.StatusForbidden},
		{"bad", "tok-a", bad, http.StatusBadRequest},
		{"too large", "tok-a", big, http.StatusRequestEntityTooLarge},
	} {
		if resp := postHealth(t, ts.URL, tc.token, tc.body); resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
}
