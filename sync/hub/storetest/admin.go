package storetest

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// testConcurrentIngest sends two overlapping batches from two goroutines,
// several times, one batch in reverse order: every record is acked every
// time, stored once, and counted once per delivery.
func testConcurrentIngest(t *testing.T, s hub.Store) {
	const rounds = 5
	batch := func(from, to int, reverse bool) []wire.Record {
		var recs []wire.Record
		for i := from; i < to; i++ {
			recs = append(recs, rec(i))
		}
		if reverse {
			slices.Reverse(recs)
		}
		return recs
	}
	batches := [][]wire.Record{batch(0, 50, false), batch(30, 80, true)}
	var wg sync.WaitGroup
	for _, b := range batches {
		wg.Go(func() {
			for round := range rounds {
				reply, err := s.Ingest(stationA, b, t0)
				if err != nil {
					t.Errorf("round %d: Ingest: %v", round, err)
					return
				}
				if len(reply.Acked) != len(b) || len(reply.Rejected) != 0 {
					t.Errorf("round %d: %d acked, %d rejected of %d", round, len(reply.Acked), len(reply.Rejected), len(b))
				}
			}
		})
	}
	wg.Wait()
	all := records(t, s, hub.Query{})
	if len(all) != 80 {
		t.Fatalf("stored %d records, want 80", len(all))
	}
	for _, st := range all {
		want := rounds
		if st.Record.Seq > 30 && st.Record.Seq <= 50 { // rec(30) to rec(49) are in both batches
			want = 2 * rounds
		}
		if st.Deliveries != want {
			t.Errorf("record %s: %d deliveries, want %d", st.Record.ID, st.Deliveries, want)
		}
	}
}

func testTokens(t *testing.T, s hub.Store) {
	const tokA, tokA2, tokB = "0123456789abcdef-a", "0123456789abcdef-a2", "0123456789abcdef-b"
	t1 := t0.Add(time.Hour)
	steps := []struct {
		station, token string
		at             time.Time
		err            string // "" for none
	}{
		{stationA, tokA, t0, ""},
		{stationB, tokA, t0, "another station"},
		{stationB, tokB, t0, ""},
		{stationA, tokA2, t1, ""}, // a new token replaces the old
		{stationA, tokA2, t1, ""}, // and setting it again changes nothing
		{stationA, "short", t1, "at least 16"},
		{stationA, "0123456789abcdef 0", t1, "without spaces"},
		{"141029-XFW-01", tokA, t1, "a-z, 0-9"},
		{"", tokA, t1, "a-z, 0-9"},
	}
	for _, st := range steps {
		err := s.SetToken(st.station, st.token, st.at)
		if st.err == "" && err != nil || st.err != "" && (err == nil || !strings.Contains(err.Error(), st.err)) {
			t.Errorf("SetToken(%q, %q): %v, want error %q", st.station, st.token, err, st.err)
		}
	}
	if err := s.SetToken(stationB, tokA2, t1); !errors.Is(err, hub.ErrTokenInUse) {
		t.Errorf("another station's token: %v, want ErrTokenInUse", err)
	}
	lookups := []struct {
		token, station string
	}{
		{tokA, ""}, // replaced
		{tokA2, stationA},
		{tokB, stationB},
		{"", ""},
		{"0123456789abcdef-none", ""},
	}
	for _, l := range lookups {
		got, ok, err := s.StationByToken(l.token)
		if err != nil || got != l.station || ok != (l.station != "") {
			t.Errorf("StationByToken(%q) = %q, %v, %v; want %q", l.token, got, ok, err, l.station)
		}
	}
	stations, err := s.Stations()
	if err != nil {
		t.Fatal(err)
	}
	if len(stations) != 2 || stations[0].ID != stationA || !stations[0].TokenSetAt.Equal(t1) ||
		stations[1].ID != stationB || !stations[1].TokenSetAt.Equal(t0) {
		t.Fatalf("Stations() = %+v", stations)
	}
}

func testRefData(t *testing.T, s hub.Store) {
	global := []byte("{\"categories\": [{\"code\": \"repair\", \"name\": \"公共设施报修\", \"name_en\": \"Repairs <public>\"}],\n \"z\": 1, \"a\": 2}")
	own := []byte(`{"categories":[{"code":"hazard","name":"安全隐患"}]}`)
	if _, ok, err := s.RefData(""); ok || err != nil {
		t.Fatalf("RefData of an empty store: %v %v", ok, err)
	}
	if got, err := hub.StationRefData(s, stationA); err != nil || string(got) != "{}" {
		t.Fatalf("StationRefData of an empty store: %s %v; want {}", got, err)
	}
	if err := s.PutRefData("", global); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRefData(stationA, own); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		station string
		exact   []byte // RefData(station)
		served  []byte // StationRefData(station)
	}{
		{"", global, global},
		{stationA, own, own},
		{stationB, nil, global},
	}
	for _, tc := range tests {
		got, ok, err := s.RefData(tc.station)
		if err != nil || ok != (tc.exact != nil) || !bytes.Equal(got, tc.exact) {
			t.Errorf("RefData(%q) = %s, %v, %v; want %s", tc.station, got, ok, err, tc.exact)
		}
		if got, err := hub.StationRefData(s, tc.station); err != nil || !bytes.Equal(got, tc.served) {
			t.Errorf("StationRefData(%q) = %s, %v; want %s", tc.station, got, err, tc.served)
		}
	}
	if err := s.PutRefData("141029 xfw", own); err == nil {
		t.Error("PutRefData took a malformed station ID")
	}
}

// testRefDataInvalid checks that data stations could not use is refused
// and leaves the stored copy as it was.
func testRefDataInvalid(t *testing.T, s hub.Store) {
	good := []byte(`{"categories":[{"code":"repair","name":"公共设施报修"}]}`)
	if err := s.PutRefData(stationA, good); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data, err string
	}{
		{"empty", ``, "line 1, column 1"},
		{"syntax", "{\n  \"categories\": [\n    {\"code\": \"a\" \"name\": \"b\"}\n]}", "line 3, column 18"},
		{"list", `[]`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"categories object", `{"categories":{}}`, `"categories" must be a list`},
		{"categories null", `{"categories":null}`, `"categories" must be a list`},
		{"no name", `{"categories":[{"code":"a"}]}`, `categories[0] (a): "name"`},
		{"code number", `{"categories":[{"code":1,"name":"x"}]}`, `categories[0]: "code"`},
		{"code twice", `{"categories":[{"code":"a","name":"x"},{"code":"a","name":"y"}]}`, `categories[1]: code "a" appears twice`},
		{"not UTF-8", "{\"x\":\"\xff\"}", "UTF-8"},
	}
	for _, tc := range tests {
		err := s.PutRefData(stationA, []byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: PutRefData: %v, want an error with %q", tc.name, err, tc.err)
		}
		if got, _, err := s.RefData(stationA); err != nil || !bytes.Equal(got, good) {
			t.Fatalf("%s: the stored copy is now %s (%v)", tc.name, got, err)
		}
	}
}
