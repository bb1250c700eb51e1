package hub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

const tokXFW = "token-xfw-0123456789abcdef"

func newHub(t *testing.T) (*httptest.Server, *BoltStore) {
	t.Helper()
	st, err := OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := &Server{
		Store:  st,
		Tokens: Tokens{tokXFW: "141029-xfw-01", "token-other-0123456789": "141029-zl-01"},
		RefData: func(string) ([]byte, error) {
			return []byte(`{"categories":[{"code":"repair","name":"公共设施报修"}]}`), nil
		},
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, st
}

func rec(i int) wire.Record {
	return wire.Record{
		ID: fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i), Kind: "matter", Seq: uint64(i),
		CreatedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), ClockTrusted: true,
		Grid: json.RawMessage(`{"county":"141029"}`), Payload: json.RawMessage(`{"category":"repair"}`),
	}
}

func post(t *testing.T, url, token string, b wire.Batch) (int, wire.Reply) {
	t.Helper()
	body, _ := json.Marshal(b)
	req, _ := http.NewRequest("POST", url+"/v1/records", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r wire.Reply
	json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r
}

func TestIngestIdempotent(t *testing.T) {
	ts, st := newHub(t)
	b := wire.Batch{StationID: "141029-xfw-01", Records: []wire.Record{rec(1), rec(2)}}
	for range 3 {
		code, r := post(t, ts.URL, tokXFW, b)
		if code != 200 || len(r.Acked) != 2 || len(r.Rejected) != 0 {
			t.Fatalf("post = %d %+v", code, r)
		}
	}
	all, err := st.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Deliveries != 3 || all[0].StationID != "141029-xfw-01" {
		t.Fatalf("stored = %+v", all)
	}
	// The same ID from another station is not taken over.
	code, r := post(t, ts.URL, "token-other-0123456789", wire.Batch{StationID: "141029-zl-01", Records: []wire.Record{rec(1)}})
	if code != 200 || len(r.Rejected) != 1 || !strings.Contains(r.Rejected[0].Reason, "another station") {
		t.Fatalf("cross-station id: %d %+v", code, r)
	}
}

func TestIngestRejectsBadRecords(t *testing.T) {
	ts, _ := newHub(t)
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
		{"payload missing", func(r *wire.Record) { r.Payload = nil }, "payload"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad, good := rec(100+i), rec(200+i)
			tc.spoil(&bad)
			code, r := post(t, ts.URL, tokXFW, wire.Batch{StationID: "141029-xfw-01", Records: []wire.Record{bad, good}})
			if code != 200 || len(r.Acked) != 1 || r.Acked[0] != good.ID {
				t.Fatalf("good record not acked: %d %+v", code, r)
			}
			if len(r.Rejected) != 1 || !strings.Contains(r.Rejected[0].Reason, tc.reason) {
				t.Fatalf("rejected = %+v, want reason with %q", r.Rejected, tc.reason)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	ts, _ := newHub(t)
	b := wire.Batch{StationID: "141029-xfw-01", Records: []wire.Record{rec(1)}}
	if code, _ := post(t, ts.URL, "nope-nope-nope-nope", b); code != 401 {
		t.Errorf("unknown token: %d", code)
	}
	if code, _ := post(t, ts.URL, "token-other-0123456789", b); code != 403 {
		t.Errorf("token of another station: %d", code)
	}
	// The station is told which of the two it is, and whose token it has.
	for _, c := range []struct {
		token, code, owner string
		status             int
	}{
		{"nope-nope-nope-nope", wire.CodeUnknownToken, "", 401},
		{"token-other-0123456789", wire.CodeStationMismatch, "141029-zl-01", 403},
	} {
		body, _ := json.Marshal(b)
		req, _ := http.NewRequest("POST", ts.URL+"/v1/records", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var er wire.ErrorReply
		json.NewDecoder(resp.Body).Decode(&er)
		resp.Body.Close()
		if resp.StatusCode != c.status || er.Code != c.code || er.TokenStation != c.owner || er.Error == "" {
			t.Errorf("token %s: %d %+v, want %d with code %q and token_station %q", c.token, resp.StatusCode, er, c.status, c.code, c.owner)
		}
	}
}

func TestTooLarge(t *testing.T) {
	st, _ := OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
	defer st.Close()
	ts := httptest.NewServer((&Server{Store: st, Tokens: Tokens{tokXFW: "141029-xfw-01"}, MaxBody: 300}).Handler())
	defer ts.Close()
	code, _ := post(t, ts.URL, tokXFW, wire.Batch{StationID: "141029-xfw-01", Records: []wire.Record{rec(1), rec(2)}})
	if code != http.StatusRequestEntityTooLarge {
		t.Fatalf("big batch: %d", code)
	}
}

func TestRefDataAndStatus(t *testing.T) {
	ts, st := newHub(t)
	c := &upstream.Client{BaseURL: ts.URL, StationID: "141029-xfw-01", Token: func() (string, error) { return tokXFW, nil }}
	data, etag, nm, err := c.RefData(t.Context(), "")
	if err != nil || nm || etag == "" || !strings.Contains(string(data), "公共设施报修") {
		t.Fatalf("refdata: %q %q %v %v", data, etag, nm, err)
	}
	_, etag2, nm, err := c.RefData(t.Context(), etag)
	if err != nil || !nm || etag2 != etag {
		t.Fatalf("refdata with etag: %q %v %v", etag2, nm, err)
	}
	if _, err := c.Status(t.Context(), rec(9).ID); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("status of unknown record: %v", err)
	}
	if _, err := c.Send(t.Context(), []wire.Record{rec(9)}); err != nil {
		t.Fatal(err)
	}
	s, err := c.Status(t.Context(), rec(9).ID)
	if err != nil || s.State != "received" || s.ID != rec(9).ID {
		t.Fatalf("status: %+v %v", s, err)
	}
	// Another station's record is answered as if the hub never had it,
	// with nothing of its state or note.
	if err := st.SetStatus(rec(9).ID, "in_progress", "已转交民政 王秀兰", time.Now()); err != nil {
		t.Fatal(err)
	}
	other := &upstream.Client{BaseURL: ts.URL, StationID: "141029-zl-01", Token: func() (string, error) { return "token-other-0123456789", nil }}
	if s, err := other.Status(t.Context(), rec(9).ID); err == nil || !strings.Contains(err.Error(), "404") || s.State != "" || strings.Contains(err.Error(), "民政") {
		t.Fatalf("another station's status look-up: %+v %v; want 404 and nothing else", s, err)
	}
	if s, err := c.Status(t.Context(), rec(9).ID); err != nil || s.Note != "已转交民政 王秀兰" {
		t.Fatalf("own status after a note: %+v %v", s, err)
	}
	// Another station's refdata is not served on this token.
	req, _ := http.NewRequest("GET", ts.URL+"/v1/stations/141029-zl-01/refdata", nil)
	req.Header.Set("Authorization", "Bearer "+tokXFW)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("other station's refdata: %d", resp.StatusCode)
	}
}

func TestParseTokens(t *testing.T) {
	tok, err := ParseTokens([]byte("# stations\n141029-xfw-01 0123456789abcdef0123\n\n"), "tokens")
	if err != nil || len(tok) != 1 {
		t.Fatalf("%v %v", tok, err)
	}
	if st, ok := tok.Station("0123456789abcdef0123"); !ok || st != "141029-xfw-01" {
		t.Fatalf("Station = %q %v", st, ok)
	}
	if _, ok := tok.Station(""); ok {
		t.Fatal("empty token accepted")
	}
	_, err = ParseTokens([]byte("141029-xfw-01 short\n"), "tokens")
	if err == nil || !strings.Contains(err.Error(), "tokens:1") {
		t.Fatalf("short token: %v", err)
	}
}

func TestAttachPublicURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"categories":[]}`, `{"categories":[],"public_url":"https://hub.example"}`},
		{`{"public_url":"https://mine.example"}`, `{"public_url":"https://mine.example"}`},
		{`{}`, `{}`},
	} {
		got, err := AttachPublicURL([]byte(tc.in), "https://hub.example")
		if err != nil || string(got) != tc.want {
			t.Errorf("AttachPublicURL(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := AttachPublicURL([]byte(`[1]`), "https://hub.example"); err == nil {
		t.Error("a list: no error")
	}
}
