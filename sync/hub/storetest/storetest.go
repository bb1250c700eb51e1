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
	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
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
		{"Conflict", testConflict},
		{"IDCase", testIDCase},
		{"StatusUnknown", testStatusUnknown},
		{"StatusOwnStationOnly", testStatusOwnStationOnly},
		{"LinkKey", testLinkKey},
		{"LinkKeyLate", testLinkKeyLate},
		{"SetStatus", testSetStatus},
		{"Records", testRecords},
		{"ConcurrentIngest", testConcurrentIngest},
		{"Tokens", testTokens},
		{"RefData", testRefData},
		{"RefDataInvalid", testRefDataInvalid},
		{"Health", testHealth},
	}
	tests = append(tests, consoleTests()...)
	tests = append(tests, releaseTests()...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t))
		})
	}
}

// rec returns a valid record; i makes its ID and its seq.
func rec(i int) wire.Record {
	return wire.Record{
		ID: fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i), Kind: "matter", Seq: uint64(i) + 1,
		CreatedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), ClockTrusted: true,
		Grid: json.RawMessage(`{"county":"141029"}`), Payload: json.RawMessage(`{"category":"repair"}`),
	}
}

func ingest(t *testing.T, s hub.Store, station string, at time.Time, recs ...wire.Record) wire.Reply {
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

func idsOf(recs ...wire.Record) []string {
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
	ingest(t, s, stationA, t0.Add(time.Hour), r)

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
		spoil  func(*wire.Record)
		reason string
	}{
		{"bad id", func(r *wire.Record) { r.ID = "42" }, "not a UUID"},
		{"bad kind", func(r *wire.Record) { r.Kind = "gossip" }, "kind"},
		{"no seq", func(r *wire.Record) { r.Seq = 0 }, "seq"},
		{"no time", func(r *wire.Record) { r.CreatedAt = time.Time{} }, "created_at"},
		{"grid not object", func(r *wire.Record) { r.Grid = json.RawMessage(`"141029"`) }, "grid"},
		{"grid not JSON", func(r *wire.Record) { r.Grid = json.RawMessage(`{"county":`) }, "grid"},
		{"payload missing", func(r *wire.Record) { r.Payload = nil }, "payload"},
		{"payload not UTF-8", func(r *wire.Record) { r.Payload = json.RawMessage("{\"name\":\"\xff\"}") }, "payload"},
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

// testConflict sends a record's ID again with other content: the hub
// keeps the first content and rejects the second as a conflict, naming
// what differs, so that the station sets it aside for staff.
func testConflict(t *testing.T, s hub.Store) {
	tests := []struct {
		change func(*wire.Record)
		differ string
	}{
		{func(r *wire.Record) { r.Payload = json.RawMessage(`{"category":"noise"}`) }, "payload"},
		{func(r *wire.Record) { r.Grid = json.RawMessage(`{"county":"141030"}`) }, "grid"},
		{func(r *wire.Record) { r.Kind = "registration" }, "kind"},
		{func(r *wire.Record) { r.Seq++ }, "seq"},
		{func(r *wire.Record) { r.CreatedAt = r.CreatedAt.Add(time.Nanosecond) }, "created_at"},
		{func(r *wire.Record) { r.CreatedAt = r.CreatedAt.In(time.FixedZone("", 8*3600)) }, "created_at"},
		{func(r *wire.Record) { r.ClockTrusted = !r.ClockTrusted }, "clock_trusted"},
		{func(r *wire.Record) { r.ID = strings.ToUpper(r.ID); r.Payload = json.RawMessage(`{}`) }, "payload"},
	}
	for i, tc := range tests {
		first := rec(300 + i)
		ingest(t, s, stationA, t0, first)
		changed := first
		tc.change(&changed)
		reply := ingest(t, s, stationA, t0.Add(time.Minute), changed, rec(400+i))
		if !slices.Equal(reply.Acked, idsOf(rec(400+i))) || len(reply.Rejected) != 1 {
			t.Errorf("%s changed: reply %+v; want %s rejected and %s acked", tc.differ, reply, changed.ID, rec(400+i).ID)
			continue
		}
		rej := reply.Rejected[0]
		if rej.ID != changed.ID || rej.Code != wire.RejectConflict ||
			!strings.Contains(rej.Reason, "conflict") || !strings.Contains(rej.Reason, tc.differ) {
			t.Errorf("%s changed: rejection %+v; want code %q for %s naming %s", tc.differ, rej, wire.RejectConflict, changed.ID, tc.differ)
		}
	}
	for i := range tests {
		all := records(t, s, hub.Query{})
		var found bool
		for _, st := range all {
			if st.Record.ID != rec(300+i).ID {
				continue
			}
			found = true
			want := rec(300 + i)
			if st.Deliveries != 1 || string(st.Record.Payload) != string(want.Payload) || string(st.Record.Grid) != string(want.Grid) ||
				st.Record.Kind != want.Kind || st.Record.Seq != want.Seq || st.Record.ClockTrusted != want.ClockTrusted ||
				st.Record.CreatedAt.Format(time.RFC3339Nano) != want.CreatedAt.Format(time.RFC3339Nano) {
				t.Errorf("after the conflict the hub holds %+v (deliveries %d); want the first content, 1 delivery", st.Record, st.Deliveries)
			}
		}
		if !found {
			t.Errorf("%s is gone", rec(300+i).ID)
		}
	}

	// Spacing in grid and payload is not content: the same record
	// re-encoded by the station is acked and counted.
	same := rec(500)
	ingest(t, s, stationA, t0, same)
	spaced := same
	spaced.Grid = json.RawMessage("{ \"county\" : \"141029\" }\n")
	spaced.Payload = json.RawMessage("{\n\t\"category\": \"repair\"\n}")
	if reply := ingest(t, s, stationA, t0, spaced); !slices.Equal(reply.Acked, idsOf(same)) {
		t.Fatalf("the same record with other spacing: %+v; want acked", reply)
	}
}

// testIDCase sends IDs in upper and mixed case: they are the record of
// the lower-case ID, acked under the ID as sent so the station finds it.
func testIDCase(t *testing.T, s hub.Store) {
	lower := rec(1)
	upper := lower
	upper.ID = strings.ToUpper(lower.ID)
	ingest(t, s, stationA, t0, lower)
	reply := ingest(t, s, stationA, t0, upper)
	if !slices.Equal(reply.Acked, []string{upper.ID}) || len(reply.Rejected) != 0 {
		t.Fatalf("the same record in upper case: %+v; want acked as %s", reply, upper.ID)
	}

	// A record first sent in upper case is kept under the lower-case ID,
	// and found by either.
	second := rec(2)
	second.ID = strings.ToUpper(second.ID)
	ingest(t, s, stationA, t0, second)
	mixed := rec(2)
	mixed.ID = mixed.ID[:20] + strings.ToUpper(mixed.ID[20:])
	if reply := ingest(t, s, stationA, t0, mixed); !slices.Equal(reply.Acked, []string{mixed.ID}) {
		t.Fatalf("mixed case: %+v", reply)
	}
	all := records(t, s, hub.Query{})
	if got := ids(all); !slices.Equal(got, idsOf(rec(1), rec(2))) {
		t.Fatalf("stored %v, want the two records under lower-case IDs", got)
	}
	for _, st := range all {
		if st.Deliveries != 2 {
			t.Errorf("%s: %d deliveries, want 2", st.Record.ID, st.Deliveries)
		}
	}
	for _, id := range []string{rec(2).ID, second.ID, mixed.ID} {
		if _, ok, err := s.Status(stationA, id); !ok || err != nil {
			t.Errorf("Status(%s) = %v, %v; want found", id, ok, err)
		}
	}
	if err := s.SetStatus(second.ID, hub.StateDone, "", t0); err != nil {
		t.Fatalf("SetStatus in upper case: %v", err)
	}
	if st, _, _ := s.Status(stationA, rec(2).ID); st.State != hub.StateDone {
		t.Fatalf("state %q after SetStatus in upper case", st.State)
	}

	// Another station's ID in other case is still another station's.
	other := rec(1)
	other.ID = strings.ToUpper(other.ID)
	if reply := ingest(t, s, stationB, t0, other); len(reply.Rejected) != 1 || reply.Rejected[0].Code != wire.RejectOtherStation {
		t.Fatalf("station B sends A's ID in upper case: %+v; want rejected as %s", reply, wire.RejectOtherStation)
	}
}

func testStatusUnknown(t *testing.T, s hub.Store) {
	st, ok, err := s.Status(stationA, rec(9).ID)
	if ok || err != nil || st != (wire.Status{}) {
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
	if ok || err != nil || st != (wire.Status{}) {
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
	want := wire.Status{ID: r.ID, State: hub.StateReceived, UpdatedAt: t0}
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
			want = wire.Status{ID: r.ID, State: step.state, UpdatedAt: at, Note: step.note}
		}
		got, ok, err := s.Status(stationA, r.ID)
		if err != nil || !ok || got.ID != want.ID || got.State != want.State || got.Note != want.Note || !got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Fatalf("after SetStatus(%q): %+v %v %v, want %+v", step.state, got, ok, err, want)
		}
	}
}

func testRecords(t *testing.T, s hub.Store) {
	a := []wire.Record{rec(13), rec(11), rec(12)}
	b := []wire.Record{rec(2), rec(1)}
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
		want []wire.Record
	}{
		{hub.Query{}, []wire.Record{rec(13), rec(12), rec(11), rec(1), rec(2)}},
		{hub.Query{StationID: stationB}, []wire.Record{rec(1), rec(2)}},
		{hub.Query{State: hub.StateDone}, []wire.Record{rec(12)}},
		{hub.Query{State: hub.StateReceived, StationID: stationA}, []wire.Record{rec(13), rec(11)}},
		{hub.Query{Limit: 2}, []wire.Record{rec(13), rec(12)}},
		{hub.Query{StationID: "141029-none-01"}, nil},
	}
	for _, tc := range tests {
		if got := ids(records(t, s, tc.q)); !slices.Equal(got, idsOf(tc.want...)) {
			t.Errorf("Records(%+v) = %v, want %v", tc.q, got, idsOf(tc.want...))
		}
	}
}

// record looks a record up by ID as the public status page does.
func record(t *testing.T, s hub.Store, id string) (hub.Stored, bool) {
	t.Helper()
	st, ok, err := s.Record(id)
	if err != nil {
		t.Fatalf("Record(%s): %v", id, err)
	}
	return st, ok
}

// testLinkKey: a record's status-page key is kept with it and found by
// Record in any case of the ID, from any station; a record without a key,
// or with a malformed one (the record itself is still taken), has none;
// the key is not content, so the same record with another key sent again
// is acked and keeps the first.
func testLinkKey(t *testing.T, s hub.Store) {
	keyed, bare, bad := rec(1), rec(2), rec(3)
	keyed.LinkKey, bad.LinkKey = receiptcode.NewKey(), "not a key"
	reply := ingest(t, s, stationA, t0, keyed, bare, bad)
	if len(reply.Acked) != 3 {
		t.Fatalf("reply %+v, want all three acked", reply)
	}
	for _, tc := range []struct {
		id   string
		want string
	}{{keyed.ID, keyed.LinkKey}, {strings.ToUpper(keyed.ID), keyed.LinkKey}, {bare.ID, ""}, {bad.ID, ""}} {
		st, ok := record(t, s, tc.id)
		if !ok || st.Record.LinkKey != tc.want || st.StationID != stationA {
			t.Errorf("Record(%s) = %+v, %v; want key %q", tc.id, st, ok, tc.want)
		}
	}
	if _, ok := record(t, s, rec(9).ID); ok {
		t.Error("Record of an unknown ID: found")
	}
	other := keyed
	other.LinkKey = receiptcode.NewKey()
	if reply := ingest(t, s, stationA, t0.Add(time.Minute), other); len(reply.Acked) != 1 {
		t.Fatalf("same record, another key: %+v, want acked", reply)
	}
	if st, _ := record(t, s, keyed.ID); st.Record.LinkKey != keyed.LinkKey || st.Deliveries != 2 {
		t.Errorf("after another key: key %q deliveries %d, want the first key %q and 2", st.Record.LinkKey, st.Deliveries, keyed.LinkKey)
	}
	if err := s.SetStatus(keyed.ID, hub.StateDone, "请到社区领取", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if st, _ := record(t, s, keyed.ID); st.Record.LinkKey != keyed.LinkKey || st.State != hub.StateDone || st.Note != "请到社区领取" {
		t.Errorf("after SetStatus: %+v", st)
	}
}

// testLinkKeyLate: a record a hub before links stored without its key
// (the station's send whose ack it never heard) takes the key when the
// station sends it again, so the receipt it printed opens its page.
func testLinkKeyLate(t *testing.T, s hub.Store) {
	r := rec(4)
	ingest(t, s, stationA, t0, r)
	r.LinkKey = receiptcode.NewKey()
	if reply := ingest(t, s, stationA, t0.Add(time.Minute), r); len(reply.Acked) != 1 {
		t.Fatalf("sent again with a key: %+v", reply)
	}
	if st, _ := record(t, s, r.ID); st.Record.LinkKey != r.LinkKey || st.Deliveries != 2 {
		t.Errorf("key %q deliveries %d, want %q and 2", st.Record.LinkKey, st.Deliveries, r.LinkKey)
	}
}
