// Package storetest is the suite of tests every hub.Store passes, so that
// the stores are interchangeable behind gridhub:
//
//	func TestBolt(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) hub.Store { ... })
//	}
package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
)

// Two stations of the suite.
const (
	stationA = "141029-xfw-01"
	stationB = "141029-zl-01"
)

// t0 is when the suite's hub receives things. Stores keep times to the
// microsecond (PostgreSQL's precision), so the suite's times have no
// nanoseconds.
var t0 = time.Date(2026, 11, 26, 1, 15, 0, 123456000, time.UTC)

// Run runs the suite on the stores open makes. open returns a new, empty
// store and closes it when t ends (t.Cleanup); the suite's tests run in
// parallel, each on a store of its own.
func Run(t *testing.T, open func(t *testing.T) hub.Store) {
	tests := []struct {
		name string
		test func(*testing.T, hub.Store)
	}{
		{"IngestIdempotent", testIngestIdempotent},
		{"DuplicateInBatch", testDuplicateInBatch},
		{"RoundTrip", testRoundTrip},
		{"Rejections", testRejections},
		{"OtherStationsID", testOtherStationsID},
		{"StatusUnknown", testStatusUnknown},
		{"StatusOwnStationOnly", testStatusOwnStationOnly},
		{"SetStatus", testSetStatus},
		{"Records", testRecords},
		{"ConcurrentIngest", testConcurrentIngest},
		{"Tokens", testTokens},
		{"RefData", testRefData},
		{"RefDataInvalid", testRefDataInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t))
		})
	}
}

// rec returns a valid record; i makes its ID and its seq.
func rec(i int) upstream.Record {
	return upstream.Record{
		ID: fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i), Kind: "matter", Seq: uint64(i) + 1,
		CreatedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), ClockTrusted: true,
		Grid: json.RawMessage(`{"county":"141029"}`), Payload: json.RawMessage(`{"category":"repair"}`),
	}
}

func ingest(t *testing.T, s hub.Store, station string, at time.Time, recs ...upstream.Record) upstream.Reply {
	t.Helper()
	reply, err := s.Ingest(station, recs, at)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	return reply
}

func records(t *testing.T, s hub.Store, q hub.Query) []hub.Stored {
	t.Helper()
	all, err := s.Records(q)
	if err != nil {
		t.Fatalf("Records(%+v): %v", q, err)
	}
	return all
}

func ids(all []hub.Stored) []string {
	out := []string{}
	for _, st := range all {
		out = append(out, st.Record.ID)
	}
	return out
}

func idsOf(recs ...upstream.Record) []string {
	out := []string{}
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func testIngestIdempotent(t *testing.T, s hub.Store) {
	r1, r2 := rec(1), rec(2)
	for i := range 3 {
		reply := ingest(t, s, stationA, t0.Add(time.Duration(i)*time.Minute), r1, r2)
		if !slices.Equal(reply.Acked, idsOf(r1, r2)) || len(reply.Rejected) != 0 {
			t.Fatalf("delivery %d: %+v", i+1, reply)
		}
	}
	all := records(t, s, hub.Query{})
	if len(all) != 2 {
		t.Fatalf("stored %d records, want 2: %v", len(all), ids(all))
	}
	for _, st := range all {
		if st.Deliveries != 3 || !st.ReceivedAt.Equal(t0) || st.StationID != stationA {
			t.Errorf("record %s: deliveries %d, received %v, station %q; want 3, %v (the first), %q",
				st.Record.ID, st.Deliveries, st.ReceivedAt, st.StationID, t0, stationA)
		}
	}
}

func testDuplicateInBatch(t *testing.T, s hub.Store) {
	r1, r2 := rec(1), rec(2)
	reply := ingest(t, s, stationA, t0, r1, r2, r1)
	if !slices.Equal(reply.Acked, idsOf(r1, r2, r1)) || len(reply.Rejected) != 0 {
		t.Fatalf("reply %+v; every record of the batch acked, the repeated one twice", reply)
	}
	all := records(t, s, hub.Query{})
	if got := ids(all); !slices.Equal(got, idsOf(r1, r2)) {
		t.Fatalf("stored %v", got)
	}
	if all[0].Deliveries != 2 || all[1].Deliveries != 1 {
		t.Fatalf("deliveries %d and %d, want 2 and 1", all[0].Deliveries, all[1].Deliveries)
	}
}

// testRoundTrip checks that a record comes back as the station sent it:
// grid and payload byte for byte (spacing, key order, escapes, HTML
// characters), created_at with its offset and nanoseconds, clock_trusted
// false, and a seq beyond int64.
func testRoundTrip(t *testing.T, s hub.Store) {
	r := rec(7)
	r.Seq = math.MaxUint64
	r.Kind = "registration"
	r.ClockTrusted = false
	r.CreatedAt = time.Date(2026, 11, 26, 9, 14, 3, 123456789, time.FixedZone("", 8*3600))
	r.Grid = json.RawMessage("{ \"micro\": \"c07-m03\",\n  \"county\" : \"141029\" }")
	r.Payload = json.RawMessage(`{"person":{"name":"\u738b秀兰","address":"幸福湾社区7号楼 <2单元> & 301"},"n":1.50e2,"tags":[],"x":null}`)
	ingest(t, s, stationA, t0, r)
	changed := r
	changed.Payload = json.RawMessage(`{"person":{"name":"someone else"}}`)
	ingest(t, s, stationA, t0.Add(time.Hour), changed)

	all := records(t, s, hub.Query{})
	if len(all) != 1 {
		t.Fatalf("stored %v", ids(all))
	}
	got := all[0]
	if string(got.Record.Grid) != string(r.Grid) || string(got.Record.Payload) != string(r.Payload) {
		t.Errorf("content changed:\ngrid    %s\npayload %s\nwant\ngrid    %s\npayload %s", got.Record.Grid, got.Record.Payload, r.Grid, r.Payload)
	}
	_, off := got.Record.CreatedAt.Zone()
	if !got.Record.CreatedAt.Equal(r.CreatedAt) || off != 8*3600 {
		t.Errorf("created_at %s, want %s", got.Record.CreatedAt.Format(time.RFC3339Nano), r.CreatedAt.Format(time.RFC3339Nano))
	}
	if got.Record.ID != r.ID || got.Record.Kind != r.Kind || got.Record.Seq != r.Seq || got.Record.ClockTrusted {
		t.Errorf("record %+v, want %+v", got.Record, r)
	}
	if got.StationID != stationA || !got.ReceivedAt.Equal(t0) || got.State != hub.StateReceived ||
		!got.UpdatedAt.Equal(t0) || got.Note != "" || got.Deliveries != 2 {
		t.Errorf("hub's fields: station %q received %v state %q updated %v note %q deliveries %d",
			got.StationID, got.ReceivedAt, got.State, got.UpdatedAt, got.Note, got.Deliveries)
	}
}

func testRejections(t *testing.T, s hub.Store) {
	tests := []struct {
		name   string
		spoil  func(*upstream.Record)
		reason string
	}{
		{"bad id", func(r *upstream.Record) { r.ID = "42" }, "not a UUID"},
		{"bad kind", func(r *upstream.Record) { r.Kind = "gossip" }, "kind"},
		{"no seq", func(r *upstream.Record) { r.Seq = 0 }, "seq"},
		{"no time", func(r *upstream.Record) { r.CreatedAt = time.Time{} }, "created_at"},
		{"grid not object", func(r *upstream.Record) { r.Grid = json.RawMessage(`"141029"`) }, "grid"},
		{"grid not JSON", func(r *upstream.Record) { r.Grid = json.RawMessage(`{"county":`) }, "grid"},
		{"payload missing", func(r *upstream.Record) { r.Payload = nil }, "payload"},
		{"payload not UTF-8", func(r *upstream.Record) { r.Payload = json.RawMessage("{\"name\":\"\xff\"}") }, "payload"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad, good := rec(100+i), rec(200+i)
			tc.spoil(&bad)
			reply := ingest(t, s, stationA, t0, bad, good)
			if !slices.Equal(reply.Acked, idsOf(good)) {
				t.Fatalf("acked %v, want only the good record", reply.Acked)
			}
			if len(reply.Rejected) != 1 || reply.Rejected[0].ID != bad.ID || !strings.Contains(reply.Rejected[0].Reason, tc.reason) {
				t.Fatalf("rejected %+v, want %s with a reason about %q", reply.Rejected, bad.ID, tc.reason)
			}
			if _, ok, err := s.Status(stationA, bad.ID); ok || err != nil {
				t.Fatalf("the rejected record is stored (%v, %v)", ok, err)
			}
		})
	}
}

func testOtherStationsID(t *testing.T, s hub.Store) {
	r := rec(1)
	ingest(t, s, stationA, t0, r)
	reply := ingest(t, s, stationB, t0, r, rec(2))
	if !slices.Equal(reply.Acked, idsOf(rec(2))) || len(reply.Rejected) != 1 ||
		reply.Rejected[0].ID != r.ID || !strings.Contains(reply.Rejected[0].Reason, "another station") {
		t.Fatalf("reply %+v; want %s rejected as another station's", reply, r.ID)
	}
	all := records(t, s, hub.Query{StationID: stationA})
	if len(all) != 1 || all[0].Deliveries != 1 {
		t.Fatalf("station A's records after B's attempt: %+v", all)
	}
}

func testStatusUnknown(t *testing.T, s hub.Store) {
	st, ok, err := s.Status(stationA, rec(9).ID)
	if ok || err != nil || st != (upstream.Status{}) {
		t.Fatalf("Status of an unknown record = %+v, %v, %v; want zero, false, nil", st, ok, err)
	}
	err = s.SetStatus(rec(9).ID, hub.StateDone, "", t0)
	if !errors.Is(err, hub.ErrNotFound) || !strings.Contains(err.Error(), rec(9).ID) {
		t.Fatalf("SetStatus of an unknown record: %v; want ErrNotFound naming the ID", err)
	}
}

// A station asking for another station's record learns nothing: not its
// state, not the staff's note, not that it exists.
func testStatusOwnStationOnly(t *testing.T, s hub.Store) {
	r := rec(1)
	ingest(t, s, stationA, t0, r)
	if err := s.SetStatus(r.ID, hub.StateInProgress, "王秀兰 13812345678 已转交民政", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	st, ok, err := s.Status(stationB, r.ID)
	if ok || err != nil || st != (upstream.Status{}) {
		t.Fatalf("station B asking for A's record = %+v, %v, %v; want zero, false, nil", st, ok, err)
	}
	st, ok, err = s.Status(stationA, r.ID)
	if !ok || err != nil || st.State != hub.StateInProgress || st.Note == "" {
		t.Fatalf("station A asking for its own record = %+v, %v, %v", st, ok, err)
	}
}

func testSetStatus(t *testing.T, s hub.Store) {
	r := rec(1)
	ingest(t, s, stationA, t0, r)
	steps := []struct {
		state, note string
		err         error
	}{
		{hub.StateInProgress, "已转交社区网格员", nil},
		{"finished", "", hub.ErrInvalidState},
		{"", "", hub.ErrInvalidState},
		{"DONE", "", hub.ErrInvalidState},
		{hub.StateDone, "", nil},
		{hub.StateRejected, "重复提交", nil},
		{hub.StateReceived, "", nil},
	}
	want := upstream.Status{ID: r.ID, State: hub.StateReceived, UpdatedAt: t0}
	for i, step := range steps {
		at := t0.Add(time.Duration(i+1) * time.Minute)
		err := s.SetStatus(r.ID, step.state, step.note, at)
		if !errors.Is(err, step.err) || (err == nil) != (step.err == nil) {
			t.Fatalf("SetStatus(%q): %v, want %v", step.state, err, step.err)
		}
		if err != nil && !strings.Contains(err.Error(), "in_progress") {
			t.Errorf("SetStatus(%q): %q does not list the states", step.state, err)
		}
		if err == nil {
			want = upstream.Status{ID: r.ID, State: step.state, UpdatedAt: at, Note: step.note}
		}
		got, ok, err := s.Status(stationA, r.ID)
		if err != nil || !ok || got.ID != want.ID || got.State != want.State || got.Note != want.Note || !got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Fatalf("after SetStatus(%q): %+v %v %v, want %+v", step.state, got, ok, err, want)
		}
	}
}

func testRecords(t *testing.T, s hub.Store) {
	a := []upstream.Record{rec(13), rec(11), rec(12)}
	b := []upstream.Record{rec(2), rec(1)}
	for i, r := range append(a, b...) {
		r.Seq = []uint64{1, 3, 2, 2, 1}[i] // station A's seq order is not its ID order
		st := stationA
		if i >= len(a) {
			st = stationB
		}
		ingest(t, s, st, t0, r)
	}
	if err := s.SetStatus(rec(12).ID, hub.StateDone, "", t0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    hub.Query
		want []upstream.Record
	}{
		{hub.Query{}, []upstream.Record{rec(13), rec(12), rec(11), rec(1), rec(2)}},
		{hub.Query{StationID: stationB}, []upstream.Record{rec(1), rec(2)}},
		{hub.Query{State: hub.StateDone}, []upstream.Record{rec(12)}},
		{hub.Query{State: hub.StateReceived, StationID: stationA}, []upstream.Record{rec(13), rec(11)}},
		{hub.Query{Limit: 2}, []upstream.Record{rec(13), rec(12)}},
		{hub.Query{StationID: "141029-none-01"}, nil},
	}
	for _, tc := range tests {
		if got := ids(records(t, s, tc.q)); !slices.Equal(got, idsOf(tc.want...)) {
			t.Errorf("Records(%+v) = %v, want %v", tc.q, got, idsOf(tc.want...))
		}
	}
}
