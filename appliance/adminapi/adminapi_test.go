package adminapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/grid"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/internal/powercut"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

const hubToken = "token-xfw-0123456789abcdef"

type rig struct {
	st    *appliance.Station
	api   *httptest.Server
	token string
	store *hub.BoltStore
}

func newRig(t *testing.T, withHub bool) *rig {
	t.Helper()
	return newRigWith(t, withHub, func(*config.Config) {})
}

func newRigWith(t *testing.T, withHub bool, mutate func(*config.Config)) *rig {
	t.Helper()
	return newRigFault(t, withHub, mutate, nil)
}

// newRigFault is newRigWith with a fault in the outbox's syncs (see
// outbox.Options.SyncFault).
func newRigFault(t *testing.T, withHub bool, mutate func(*config.Config), fault func(afterMeta bool) error) *rig {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Station.ID, cfg.Station.Name = "141029-xfw-01", "幸福湾社区党群服务站"
	cfg.Station.Grid = grid.Path{County: "141029", Township: "141029100", Community: "141029100001"}
	cfg.Storage.Dir = filepath.Join(dir, "data")
	cfg.Devices.IDCard.Port = filepath.Join(dir, "no-such-reader")
	r := &rig{}
	if withHub {
		var err error
		r.store, err = hub.OpenBolt(filepath.Join(dir, "hub.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.store.Close() })
		hs := httptest.NewServer((&hub.Server{Store: r.store, Tokens: hub.Tokens{hubToken: "141029-xfw-01"}}).Handler())
		t.Cleanup(hs.Close)
		cfg.Upstream.URL = hs.URL
		cfg.Upstream.TokenFile = filepath.Join(dir, "upstream.token")
		os.WriteFile(cfg.Upstream.TokenFile, []byte(hubToken+"\n"), 0o600)
	}
	mutate(&cfg)
	st, err := appliance.New(appliance.Options{Config: &cfg, Version: "test", NTPSynced: func() bool { return false },
		Timing:    appliance.Timing{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Idle: 10 * time.Millisecond},
		SyncFault: fault})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { st.Run(t.Context()); close(done) }() // t.Context ends before cleanups run
	t.Cleanup(func() { <-done; st.Close() })
	r.st = st
	if r.token, err = LoadOrCreateToken(cfg.Storage.Dir); err != nil {
		t.Fatal(err)
	}
	r.api = httptest.NewServer(Handler(st, r.token))
	t.Cleanup(r.api.Close)
	return r
}

func (r *rig) do(t *testing.T, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		if s, ok := body.(string); ok {
			b = []byte(s)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.api.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func matter(desc string) map[string]any {
	return map[string]any{"kind": "matter", "payload": map[string]any{"category": "repair", "description": desc}}
}

func TestSubmitAndDeliver(t *testing.T) {
	r := newRig(t, true)
	code, m := r.do(t, "POST", "/v1/records", r.token, matter("7号楼楼道灯不亮"))
	if code != 201 || m["ticket"] != "M0001" || m["id"] == "" {
		t.Fatalf("submit = %d %v", code, m)
	}
	id := m["id"].(string)
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, m = r.do(t, "GET", "/v1/records/"+id, r.token, nil)
		if code == 200 && m["state"] == "delivered" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("record never delivered: %d %v", code, m)
		}
		time.Sleep(10 * time.Millisecond)
	}
	all, _ := r.store.All()
	if len(all) != 1 || all[0].Record.ID != id || all[0].Record.Seq != 1 {
		t.Fatalf("hub holds %+v", all)
	}
	var g grid.Path
	json.Unmarshal(all[0].Record.Grid, &g)
	if g.Community != "141029100001" {
		t.Errorf("record did not get the station's grid: %+v", g)
	}
	// The record shows as delivered once the outbox has committed the
	// ack; the forwarder counts it a moment later.
	deadline = time.Now().Add(10 * time.Second)
	wants := []string{"gridkiosk_upstream_sent_total 1\n", "gridkiosk_upstream_send_rate 0.01666", `gridkiosk_upstream_failures_total{cause="network"} 0`}
	for {
		resp, err := http.Get(r.api.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		missing := ""
		for _, want := range wants {
			if !strings.Contains(string(text), want) {
				missing = want
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics lack %q:\n%s", missing, text)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSubmitErrors(t *testing.T) {
	r := newRig(t, false)
	tests := []struct {
		name  string
		token string
		body  any
		code  int
		field string
	}{
		{"no token", "", matter("x"), 401, ""},
		{"wrong token", "wrong-token-wrong-token", matter("x"), 401, ""},
		{"not json", r.token, "{kind", 400, ""},
		{"unknown top field", r.token, map[string]any{"kind": "matter", "payload": map[string]any{}, "extra": 1}, 400, ""},
		{"bad kind", r.token, map[string]any{"kind": "gossip", "payload": map[string]any{}}, 400, "kind"},
		{"empty description", r.token, matter(""), 400, "payload.description"},
		{"bad grid", r.token, map[string]any{"kind": "matter", "payload": matter("x")["payload"], "grid": map[string]any{"compound": "c/7"}}, 400, "grid.compound"},
		{"bad id number", r.token, map[string]any{"kind": "registration", "payload": map[string]any{
			"person":  map[string]any{"name": "王秀兰", "gender": "female", "nation": "汉", "birth": "1952-03-17", "id_number": "141029195203171220", "card_type": "resident"},
			"purpose": "certificate", "source": "manual", "consent": map[string]any{"version": "2026-01", "at": time.Now().Format(time.RFC3339)}}}, 400, "payload.person.id_number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, m := r.do(t, "POST", "/v1/records", tc.token, tc.body)
			if code != tc.code || (tc.field != "" && m["field"] != tc.field) || m["error"] == "" {
				t.Fatalf("= %d %v; want %d field %q", code, m, tc.code, tc.field)
			}
		})
	}
	if code, m := r.do(t, "GET", "/v1/records/0190f5e6-0000-7000-8000-000000000001", r.token, nil); code != 404 || !strings.Contains(m["error"].(string), "never stored") {
		t.Fatalf("unknown record: %d %v", code, m)
	}
	if st := r.st.Health(); st.Outbox.Queued != 0 || st.Outbox.LastSeq != 0 {
		t.Fatalf("a refused submission was stored: %+v", st.Outbox)
	}
}

func TestIDNumberNeverEchoed(t *testing.T) {
	r := newRig(t, false)
	c, _ := citizenid.CheckChar("14102919520317122")
	id := "14102919520317122" + string(c)
	body := map[string]any{"kind": "registration", "payload": map[string]any{
		"person":  map[string]any{"name": "王秀兰", "gender": "female", "nation": "汉", "birth": "1953-03-17", "id_number": id, "card_type": "resident"},
		"purpose": "certificate", "source": "manual", "consent": map[string]any{"version": "2026-01", "at": time.Now().Format(time.RFC3339)}}}
	code, m := r.do(t, "POST", "/v1/records", r.token, body)
	if code != 400 || strings.Contains(m["error"].(string), id) {
		t.Fatalf("%d %v", code, m)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	r := newRig(t, false)
	for i := range 3 {
		if code, m := r.do(t, "POST", "/v1/records", r.token, matter(strings.Repeat("灯", i+1))); code != 201 {
			t.Fatalf("submit: %d %v", code, m)
		}
	}
	code, m := r.do(t, "GET", "/healthz", "", nil)
	if code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	ob := m["outbox"].(map[string]any)
	pe := m["peripherals"].(map[string]any)
	if ob["queued"] != 3.0 || m["status"] != "degraded" || pe["idcard"].(map[string]any)["state"] != "missing" ||
		pe["printer"].(map[string]any)["state"] != "absent" || m["clock"].(map[string]any)["trusted"] != false {
		t.Fatalf("healthz = %v", m)
	}
	resp, err := http.Get(r.api.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"gridkiosk_outbox_queued 3\n", `gridkiosk_records_submitted_total{kind="matter"} 3`, "# TYPE gridkiosk_outbox_queued gauge", `gridkiosk_peripheral_present{device="idcard",state="missing"} 0`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
}

func TestStorageFailureIsNotHidden(t *testing.T) {
	r := newRig(t, false)
	// A closed database fails every commit, as a dying SD card would; the
	// caller must hear that the record was not stored. (The disk-full case
	// on a real small filesystem belongs to the sync hardening work.)
	r.st.Close()
	code, m := r.do(t, "POST", "/v1/records", r.token, matter("x"))
	if code != 503 || !strings.Contains(m["error"].(string), "NOT stored") {
		t.Fatalf("= %d %v", code, m)
	}
}

// A full disk refuses the record with 507 and words for the resident and
// for the technician.
func TestStorageFull(t *testing.T) {
	r := newRigWith(t, false, func(c *config.Config) { c.Storage.MinFreeMB = 1 << 30 })
	code, m := r.do(t, "POST", "/v1/records", r.token, matter("x"))
	msg, _ := m["error"].(string)
	if code != 507 || !strings.Contains(msg, "请联系工作人员") || !strings.Contains(msg, "MiB free on the disk of") {
		t.Fatalf("= %d %v", code, m)
	}
}

func TestTokenFile(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadOrCreateToken(dir)
	if err != nil || len(a) < 32 {
		t.Fatalf("%q %v", a, err)
	}
	b, _ := LoadOrCreateToken(dir)
	if a != b {
		t.Fatal("token changed between starts")
	}
	fi, _ := os.Stat(filepath.Join(dir, TokenFile))
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	os.WriteFile(filepath.Join(dir, TokenFile), []byte("short"), 0o600)
	if _, err := LoadOrCreateToken(dir); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Fatalf("short token: %v", err)
	}
	// A power cut during the first start leaves at most a temp file,
	// which the next start writes over.
	fresh := t.TempDir()
	os.WriteFile(filepath.Join(fresh, TokenFile+".tmp"), []byte("ab"), 0o600)
	os.Chmod(filepath.Join(fresh, TokenFile+".tmp"), 0o644) // and left it readable
	if tok, err := LoadOrCreateToken(fresh); err != nil || len(tok) < 32 {
		t.Fatalf("after an interrupted first write: %q %v", tok, err)
	}
	if fi, _ := os.Stat(filepath.Join(fresh, TokenFile)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("token made over a 0644 temp file has mode %v", fi.Mode())
	}
}

// The admin token is held to the rule of every secret of the station's:
// readable by others, it is refused, naming the file, its mode and the
// chmod to run, not quietly used or tightened.
func TestTokenFileReadableByOthers(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadOrCreateToken(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, TokenFile)
	os.Chmod(path, 0o644)
	_, err := LoadOrCreateToken(dir)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "mode 0644") || !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Fatalf("admin token readable by others: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Fatalf("the station changed the mode to %v", fi.Mode())
	}
}

// The hub's token file too: the station does not send a token others
// could read; its records stay queued and the health says what to run.
func TestUpstreamTokenReadableByOthers(t *testing.T) {
	r := newRig(t, true)
	tokenFile := r.st.Config().Upstream.TokenFile
	os.Chmod(tokenFile, 0o644)
	if code, m := r.do(t, "POST", "/v1/records", r.token, matter("7号楼楼道灯不亮")); code != 201 {
		t.Fatalf("submit = %d %v", code, m)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(r.st.Health().Upstream.LastError, "chmod 600 "+tokenFile) {
		if time.Now().After(deadline) {
			t.Fatalf("health: %+v", r.st.Health().Upstream)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if h := r.st.Health(); h.Outbox.Queued != 1 || h.Outbox.Delivered != 0 {
		t.Fatalf("outbox: %+v", h.Outbox)
	}
	os.Chmod(tokenFile, 0o600) // fixed: delivered
	for r.st.Health().Outbox.Delivered != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("not delivered after chmod 600: %+v", r.st.Health())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTokenSurvivesPowerCut: once LoadOrCreateToken returned a token, a
// power cut keeps it, so the token handed out stays valid.
func TestTokenSurvivesPowerCut(t *testing.T) {
	fsys, dir := powercut.Mounted(t)
	tok, err := LoadOrCreateToken(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := fsys.Cut(); err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateToken(dir)
	if err != nil || again != tok {
		t.Fatalf("after a power cut: a token of %d characters, the same: %v (%v)", len(again), again == tok, err)
	}
	if _, err := os.Stat(filepath.Join(dir, TokenFile+".tmp")); err == nil {
		t.Errorf("the temporary file survived the rename")
	}
}

// A hub that rejects a record (it does not know the category yet): staff
// see it with the reason, and send it again once the hub knows better.
func TestRejectedAndResend(t *testing.T) {
	var reject atomic.Bool
	reject.Store(true)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		var b wire.Batch
		json.NewDecoder(q.Body).Decode(&b)
		var rep wire.Reply
		for _, rec := range b.Records {
			if reject.Load() {
				rep.Rejected = append(rep.Rejected, wire.Rejection{ID: rec.ID, Reason: `category "repair" is not in the county's list`})
			} else {
				rep.Acked = append(rep.Acked, rec.ID)
			}
		}
		json.NewEncoder(w).Encode(rep)
	}))
	defer fake.Close()
	r := newRigWith(t, false, func(c *config.Config) {
		c.Upstream.URL = fake.URL
		c.Upstream.TokenFile = filepath.Join(c.Storage.Dir, "..", "upstream.token")
		os.WriteFile(c.Upstream.TokenFile, []byte(hubToken+"\n"), 0o600)
	})
	_, m := r.do(t, "POST", "/v1/records", r.token, matter("路灯不亮"))
	id, _ := m["id"].(string)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if code, m := r.do(t, "GET", "/v1/records/"+id, r.token, nil); code == 200 && m["state"] == "rejected" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("record never rejected")
		}
		time.Sleep(10 * time.Millisecond)
	}
	req, _ := http.NewRequest("GET", r.api.URL+"/v1/rejected", nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list []station.Row
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list) != 1 || list[0].ID != id || !strings.Contains(list[0].Reason, "county's list") {
		t.Fatalf("rejected list: %+v", list)
	}
	if code, _ := r.do(t, "POST", "/v1/rejected/resend", r.token, map[string]any{"ids": []string{}}); code != 400 {
		t.Fatalf("resend nothing: %d", code)
	}
	reject.Store(false)
	if code, m := r.do(t, "POST", "/v1/rejected/resend", r.token, map[string]any{"ids": []string{id}}); code != 200 || m["queued"] != 1.0 {
		t.Fatalf("resend: %d %v", code, m)
	}
	for {
		if code, m := r.do(t, "GET", "/v1/records/"+id, r.token, nil); code == 200 && m["state"] == "delivered" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("resent record never delivered")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestManualAndRecords(t *testing.T) {
	r := newRig(t, false)
	if code, m := r.do(t, "POST", "/v1/session/manual", r.token, map[string]string{"name": "王秀兰", "id_number": "141029195203171228"}); code != 400 || m["field"] != "id_number" {
		t.Fatalf("bad check character: %d %v", code, m)
	}
	code, m := r.do(t, "POST", "/v1/session/manual", r.token, map[string]string{"name": "王秀兰", "id_number": "14102919520317122X"})
	if code != 200 || m["state"] != "manual" || m["person"].(map[string]any)["id_number"] != "1410**********122X" {
		t.Fatalf("manual: %d %v", code, m)
	}
	if code, _ := r.do(t, "POST", "/v1/session/submit", r.token, map[string]any{"purpose": "policy", "consent": map[string]any{"agreed": true, "version": "2026-01"}}); code != 201 {
		t.Fatalf("submit: %d", code)
	}
	req, _ := http.NewRequest("GET", r.api.URL+"/v1/records", nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list []station.Row
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list) != 1 || list[0].Kind != "registration" {
		t.Fatalf("today's records: %+v", list)
	}
	if code, _ := r.do(t, "POST", "/v1/staff/login", r.token, map[string]string{"staff": "s-0007", "pin": "0000"}); code != 401 {
		t.Fatalf("PIN without refdata: %d", code)
	}
}
