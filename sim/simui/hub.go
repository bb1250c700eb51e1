package simui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// quiet is the log of the hub and the station: a test shows what it
// checks, not their chatter.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// HubMode is how a Hub answers the batches of records a station sends.
type HubMode int

const (
	// HubAccept takes every batch, as the county hub does.
	HubAccept HubMode = iota
	// HubDown answers 503, as a hub that is down.
	HubDown
	// HubReject refuses every record, with a reason.
	HubReject
)

// rejectReason is the reason a hub in HubReject mode gives every record.
const rejectReason = "unknown category code: not in the county's list"

// Hub is the county hub (sync/hub over bbolt) with the demo reference data,
// behind a switch that can take it down or make it refuse records.
type Hub struct {
	URL       string // the hub's base URL
	TokenFile string // a file with the demo station's token at the hub

	mu      sync.Mutex
	mode    HubMode
	records []wire.Record // every record the hub took
}

// StartHub starts a hub in HubAccept mode; it stops when t ends.
func StartHub(t *testing.T) *Hub {
	t.Helper()
	dir := t.TempDir()
	store, err := hub.OpenBolt(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatalf("opening the hub's store: %v", err)
	}
	t.Cleanup(func() {
		if err := store.Close(); err != nil {
			t.Errorf("closing the hub's store: %v", err)
		}
	})
	rd := demo.RefData()
	hs := &hub.Server{Store: store, Tokens: hub.Tokens{"tok": demo.StationID}, Log: quiet,
		RefData: func(string) ([]byte, error) { return rd, nil }}
	h := &Hub{TokenFile: filepath.Join(dir, "token")}
	if err := os.WriteFile(h.TokenFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatalf("writing the station's token: %v", err)
	}
	ts := httptest.NewServer(h.handler(hs.Handler()))
	t.Cleanup(ts.Close)
	h.URL = ts.URL
	return h
}

// Set switches how the hub answers the batches from now on.
func (h *Hub) Set(mode HubMode) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mode = mode
}

// Taken is every record the hub took, oldest first.
func (h *Hub) Taken() []wire.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]wire.Record(nil), h.records...)
}

// handler puts the switch in front of the hub's batches; everything else
// goes to the hub as it is.
func (h *Hub) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/records" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, fmt.Sprintf("test hub: reading the batch: %v", err), http.StatusBadRequest)
			return
		}
		// A batch that does not decode adds no records here; in
		// HubAccept mode the hub behind refuses it.
		var b wire.Batch
		_ = json.Unmarshal(body, &b)
		h.mu.Lock()
		mode := h.mode
		if mode == HubAccept {
			h.records = append(h.records, b.Records...)
		}
		h.mu.Unlock()
		switch mode {
		case HubDown:
			http.Error(w, "down for a test", http.StatusServiceUnavailable)
		case HubReject:
			reply := wire.Reply{Acked: []string{}}
			for _, rec := range b.Records {
				reply.Rejected = append(reply.Rejected, wire.Rejection{ID: rec.ID, Reason: rejectReason})
			}
			w.Header().Set("Content-Type", "application/json")
			// A reply that fails to go out is the station's to see, as
			// a broken connection to the real hub is.
			_ = json.NewEncoder(w).Encode(reply)
		default:
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		}
	})
}
