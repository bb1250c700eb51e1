package hub

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// A batch from a newer station, with fields this hub does not know at the
// batch's and the record's level, is acked: the hub decodes batches
// leniently, which is what lets v1 grow by optional fields (PROTOCOL.md).
// The link key, which this hub knows, is kept; the rest is dropped.
func TestNewerStationsFieldsTolerated(t *testing.T) {
	st, err := OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ts := httptest.NewServer((&Server{Store: st, Tokens: Tokens{tokXFW: "141029-xfw-01"}}).Handler())
	defer ts.Close()
	key := receiptcode.NewKey()
	body := `{"station_id":"141029-xfw-01","sent_by":"gridkiosk v9","records":[{"id":"0190f5e6-0000-7000-8000-000000000001",
		"kind":"matter","seq":1,"created_at":"2026-11-26T09:00:00+08:00","clock_trusted":true,"grid":{"county":"141029"},
		"payload":{"category":"repair"},"link_key":"` + key + `","receipt_style":{"qr":"link"}}]}`
	req, _ := http.NewRequest("POST", ts.URL+"/v1/records", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+tokXFW)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reply wire.Reply
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil || resp.StatusCode != 200 || len(reply.Acked) != 1 {
		t.Fatalf("%d %+v %v", resp.StatusCode, reply, err)
	}
	got, ok, err := st.Record("0190f5e6-0000-7000-8000-000000000001")
	if err != nil || !ok || got.Record.LinkKey != key {
		t.Fatalf("stored %+v %v %v, want the link key", got, ok, err)
	}
}

// recordBeforeLinks is wire.Record as hubs before the link key have it
// (gridkiosk before issue 16); they decode batches with json.Unmarshal.
type recordBeforeLinks struct {
	ID           string          `json:"id"`
	Kind         string          `json:"kind"`
	Seq          uint64          `json:"seq"`
	CreatedAt    time.Time       `json:"created_at"`
	ClockTrusted bool            `json:"clock_trusted"`
	Grid         json.RawMessage `json:"grid"`
	Payload      json.RawMessage `json:"payload"`
}

// A station with links sends to a hub before them: the batch decodes as
// that hub decodes it, and the record is the same record, content for
// content, so the old hub stores and acks it (and a later hub that
// receives it again takes the key: storetest LinkKeyLate).
func TestOlderHubTakesRecordWithLinkKey(t *testing.T) {
	r := rec(1)
	r.LinkKey = receiptcode.NewKey()
	body, err := json.Marshal(wire.Batch{StationID: "141029-xfw-01", Records: []wire.Record{r}})
	if err != nil {
		t.Fatal(err)
	}
	var old struct {
		StationID string              `json:"station_id"`
		Records   []recordBeforeLinks `json:"records"`
	}
	if err := json.Unmarshal(body, &old); err != nil || len(old.Records) != 1 {
		t.Fatalf("an older hub's decoding: %v", err)
	}
	o := old.Records[0]
	back := wire.Record{ID: o.ID, Kind: o.Kind, Seq: o.Seq, CreatedAt: o.CreatedAt, ClockTrusted: o.ClockTrusted, Grid: o.Grid, Payload: o.Payload}
	if reason := Check(back); reason != "" {
		t.Fatalf("an older hub's check: %s", reason)
	}
	if rej, differ := Conflict(back, r); differ {
		t.Fatalf("the record as the older hub holds it differs from the one sent: %s", rej.Reason)
	}
}
