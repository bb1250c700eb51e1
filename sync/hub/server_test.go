package hub

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// A station added to the store while the hub runs is served at once,
// with the reference data the store holds for it.
func TestServerStoreStations(t *testing.T) {
	st, err := OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ts := httptest.NewServer((&Server{Store: st, Tokens: Tokens{tokXFW: "141029-xfw-01"}}).Handler())
	defer ts.Close()
	const tokZL = "0123456789abcdef0123456789abcdef"
	zl := &upstream.Client{BaseURL: ts.URL, StationID: "141029-zl-01", Token: func() (string, error) { return tokZL, nil }}
	if _, err := zl.Send(t.Context(), []wire.Record{rec(1)}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("send before the station is added: %v", err)
	}
	if err := st.SetToken("141029-zl-01", tokZL, time.Now()); err != nil {
		t.Fatal(err)
	}
	if reply, err := zl.Send(t.Context(), []wire.Record{rec(1)}); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("send after: %+v %v", reply, err)
	}

	refdata := func() string {
		data, _, _, err := zl.RefData(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	steps := []struct {
		station, data, want string
	}{
		{"", "", "{}"},
		{"", `{"categories":[]}`, `{"categories":[]}`},
		{"141029-xfw-01", `{"mine":"xfw"}`, `{"categories":[]}`},
		{"141029-zl-01", `{"mine":"zl"}`, `{"mine":"zl"}`},
	}
	for _, s := range steps {
		if s.data != "" {
			if err := st.PutRefData(s.station, []byte(s.data)); err != nil {
				t.Fatal(err)
			}
		}
		if got := refdata(); got != s.want {
			t.Errorf("after loading %s for %q: served %s, want %s", s.data, s.station, got, s.want)
		}
	}
}

// failingStore is a store whose database is gone.
type failingStore struct{ *BoltStore }

var errDown = errors.New("database down")

func (failingStore) StationByToken(string) (string, bool, error) { return "", false, errDown }
func (failingStore) RefData(string) ([]byte, bool, error)        { return nil, false, errDown }

// When the store fails, stations hear 503 and retry later; they do not
// take it for a revoked token (401), which would stop them.
func TestServerStoreDown(t *testing.T) {
	st, err := OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := &Server{Store: failingStore{st}, Tokens: Tokens{tokXFW: "141029-xfw-01"},
		Log: slogDiscard()}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tests := []struct {
		name, path, token string
	}{
		{"token not in Tokens", "/v1/stations/141029-xfw-01/refdata", "0123456789abcdef-unknown"},
		{"refdata", "/v1/stations/141029-xfw-01/refdata", tokXFW},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest("GET", ts.URL+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+tc.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: %d, want 503", tc.name, resp.StatusCode)
		}
	}
}

// A bolt file from before grid and payload were kept byte for byte still
// reads, and takes new deliveries and status changes.
func TestBoltOldRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hub.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rec(1)
	old, _ := json.Marshal(Stored{StationID: "141029-xfw-01", ReceivedAt: time.Now(), Record: r, State: StateReceived, UpdatedAt: time.Now(), Deliveries: 1})
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte(bucketRecords))
		if err != nil {
			return err
		}
		return b.Put([]byte(r.ID), old)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if reply, err := st.Ingest("141029-xfw-01", []wire.Record{r}, time.Now()); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("redelivery: %+v %v", reply, err)
	}
	if err := st.SetStatus(r.ID, StateDone, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	all, err := st.All()
	if err != nil || len(all) != 1 || all[0].Deliveries != 2 || all[0].State != StateDone ||
		string(all[0].Record.Payload) != string(r.Payload) || string(all[0].Record.Grid) != string(r.Grid) {
		t.Fatalf("old record: %+v %v", all, err)
	}
}

// bbolt lets one process at a time have the file; the error says so.
func TestBoltLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hub.db")
	st, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = OpenBoltTimeout(path, 50*time.Millisecond)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second open: %v; want ErrLocked naming the file", err)
	}
}

func slogDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
