package appliance_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/grid"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// A resident asks after a matter (查进度) by its ticket or its receipt's
// record ID: online the hub's state comes back, with whom to call (the
// micro grid's leader and phone, from the reference data) and nothing of
// the person; with the hub gone, the station's own copy with the time it
// last changed; an unknown ticket is ErrNotFound and a malformed one an
// error naming it.
func TestProgress(t *testing.T) {
	dir := t.TempDir()
	store, hubSrv := linkHub(t, dir)
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("tok\n"), 0o600)
	st := runStation(t, appliance.Options{Config: demo.Config(filepath.Join(dir, "data"), hubSrv.URL, tokenFile)})
	for deadline := time.Now().Add(15 * time.Second); st.RefData() == nil || st.RefData().PublicURL != hubSrv.URL; {
		if time.Now().After(deadline) {
			t.Fatal("no reference data from the hub in 15s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	reg := registration(t, st) // R0001, filed in the community: its leader answers
	raw, _ := json.Marshal(map[string]string{"category": "repair", "description": "7号楼楼道灯不亮", "phone": "13835712345"})
	m, err := st.Submit(t.Context(), station.Submission{Kind: "matter", Payload: raw, Grid: &grid.Path{Compound: "c07", Micro: "c07-m03"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{reg, m.ID} {
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if _, ok, _ := store.Record(id); ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("record %s did not reach the hub in 15s", id)
			}
		}
	}
	if err := store.SetStatus(m.ID, "in_progress", "已派 王秀兰 处理", time.Now()); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		q    station.ProgressQuery
		want station.Progress
	}{
		{"ticket digits", station.ProgressQuery{Ticket: "0001"}, station.Progress{RecordID: reg, Ticket: "R0001", Kind: "registration",
			Matter: "证明开具", MatterEN: "Certificate", State: station.ProgressReceived, Remote: true, Contact: station.Contact{Name: "赵丽娟", Phone: "13903570001", Role: "community_grid_leader"}}},
		{"ticket with letter", station.ProgressQuery{Ticket: "m0002"}, station.Progress{RecordID: m.ID, Ticket: "M0002", Kind: "matter",
			Matter: "公共设施报修", MatterEN: "Shared facility repair", State: station.ProgressInProgress, Remote: true,
			Contact: station.Contact{Name: "李建国", Phone: "13912340007", Role: "micro_grid_leader"}}},
		{"record ID", station.ProgressQuery{RecordID: strings.ToUpper(m.ID)}, station.Progress{RecordID: m.ID, Ticket: "M0002", Kind: "matter",
			Matter: "公共设施报修", MatterEN: "Shared facility repair", State: station.ProgressInProgress, Remote: true,
			Contact: station.Contact{Name: "李建国", Phone: "13912340007", Role: "micro_grid_leader"}}},
	}
	for _, tc := range tests {
		got, err := st.Progress(t.Context(), tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got.Created.IsZero() || got.AsOf.IsZero() {
			t.Errorf("%s: no dates: %+v", tc.name, got)
		}
		got.Created, got.AsOf = time.Time{}, time.Time{}
		if got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
		b, _ := json.Marshal(got)
		for _, s := range []string{"王秀兰", "14102919520317122X", "13835712345", "已派"} {
			if strings.Contains(string(b), s) {
				t.Errorf("%s: the progress tells %q: %s", tc.name, s, b)
			}
		}
	}

	for _, tc := range []struct {
		q        station.ProgressQuery
		notFound bool
		field    string
	}{
		{station.ProgressQuery{Ticket: "0999"}, true, ""},
		{station.ProgressQuery{Ticket: "V0001"}, true, ""}, // R0001's digits, another kind's letter
		{station.ProgressQuery{RecordID: "0190f5e6-0000-7000-8000-000000000009"}, true, ""},
		{station.ProgressQuery{Ticket: "12"}, false, "ticket"},
		{station.ProgressQuery{RecordID: "not-an-id"}, false, "record_id"},
		{station.ProgressQuery{}, false, "record_id or a ticket"},
	} {
		_, err := st.Progress(t.Context(), tc.q)
		if errors.Is(err, station.ErrNotFound) != tc.notFound || err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: %v", tc.q, err)
		}
	}

	// The hub goes away: the station's own copy, with when it changed
	// (delivered), and no word of the hub's.
	hubSrv.CloseClientConnections()
	hubSrv.Close()
	got, err := st.Progress(t.Context(), station.ProgressQuery{Ticket: "0002"})
	if err != nil || got.Remote || got.State != station.ProgressReceived || got.AsOf.IsZero() || got.Ticket != "M0002" ||
		got.Contact.Phone != "13912340007" {
		t.Errorf("offline: %+v %v", got, err)
	}
}
