package hub_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/storetest"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func TestBoltStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) hub.Store {
		s, err := hub.OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// A file of a hub from before case-insensitive IDs has its upper-case
// keys made lower case, except where the lower-case key is taken, and
// the records are found in either case.
func TestBoltUpperCaseIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hub.db")
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	mk := func(id string, seq uint64) wire.Record {
		return wire.Record{ID: id, Kind: "matter", Seq: seq, CreatedAt: at,
			Grid: json.RawMessage(`{}`), Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, seq))}
	}
	const (
		upper = "0190F5E6-0000-7000-8000-00000000000A"
		taken = "0190F5E6-0000-7000-8000-00000000000B"
	)
	// The file as an older hub left it: records in clear under their IDs
	// as sent, one of them twice (the old hub took both cases as two).
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("records"))
		if err != nil {
			return err
		}
		for i, id := range []string{upper, taken, strings.ToLower(taken)} {
			v, err := json.Marshal(hub.Stored{StationID: "s", ReceivedAt: at, Record: mk(id, uint64(i+1)),
				State: hub.StateReceived, UpdatedAt: at, Deliveries: 1})
			if err != nil {
				return err
			}
			if err := b.Put([]byte(id), v); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s, err := hub.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.All()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range all {
		got = append(got, st.Record.ID)
	}
	want := []string{strings.ToLower(upper), taken, strings.ToLower(taken)}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("IDs after migration %v, want %v", got, want)
	}
	reply, err := s.Ingest("s", []wire.Record{mk(strings.ToLower(upper), 1)}, at)
	if err != nil || len(reply.Acked) != 1 {
		t.Fatalf("the migrated record sent again in lower case: %+v, %v; want acked", reply, err)
	}
	if _, ok, err := s.Status("s", upper); !ok || err != nil {
		t.Errorf("Status(%s) = %v, %v", upper, ok, err)
	}
}

// BenchmarkIngestAgain is the cost of a batch of 100 records the hub
// already holds, sent again (a station retrying after a lost answer):
// each is read, compared with what was stored (hub.Conflict) and counted.
func BenchmarkIngestAgain(b *testing.B) {
	s, err := hub.OpenBolt(filepath.Join(b.TempDir(), "hub.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	var recs []wire.Record
	for i := range 100 {
		recs = append(recs, wire.Record{ID: fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i), Kind: "matter", Seq: uint64(i + 1),
			CreatedAt: at, Grid: json.RawMessage(`{"county":"141029","township":"141029100","community":"141029100001"}`),
			Payload: json.RawMessage(`{"category":"repair","description":"` + strings.Repeat("灯", 100) + `"}`)})
	}
	if _, err := s.Ingest("s", recs, at); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		reply, err := s.Ingest("s", recs, at)
		if err != nil || len(reply.Acked) != len(recs) {
			b.Fatalf("%+v %v", reply, err)
		}
	}
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
}
