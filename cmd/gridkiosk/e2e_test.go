package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// The end-to-end tests run this test binary again as "gridkiosk serve"
// (selected by the environment), so the station under test is a separate
// process that can be killed for real.
const mainEnv = "GRIDKIOSK_E2E_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	if os.Getenv(hubEnv) != "" {
		os.Exit(hubMain())
	}
	os.Exit(m.Run())
}

const hubToken = "e2e-token-0123456789abcdef"

// testHub is a real gridhub server on a fixed loopback port that can be
// stopped and started again on the same port and database.
type testHub struct {
	t     *testing.T
	addr  string
	path  string
	tls   *tls.Config // nil: plain HTTP
	store *hub.BoltStore
	srv   *http.Server
	done  chan struct{}
}

func newTestHub(t *testing.T) *testHub {
	h := &testHub{t: t, addr: freeAddr(t), path: filepath.Join(t.TempDir(), "hub.db")}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *testHub) start() {
	h.t.Helper()
	var err error
	if h.store, err = hub.OpenBolt(h.path); err != nil {
		h.t.Fatal(err)
	}
	var ln net.Listener
	for i := 0; ; i++ { // the port may linger briefly after a stop
		if ln, err = net.Listen("tcp", h.addr); err == nil {
			break
		}
		if i == 50 {
			h.t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if h.tls != nil {
		ln = tls.NewListener(ln, h.tls)
	}
	h.srv = &http.Server{Handler: (&hub.Server{Store: h.store, Tokens: hub.Tokens{hubToken: "141029-xfw-01"}}).Handler()}
	h.done = make(chan struct{})
	go func() { h.srv.Serve(ln); close(h.done) }()
}

func (h *testHub) stop() {
	if h.srv == nil {
		return
	}
	h.srv.Close()
	<-h.done
	h.store.Close()
	h.srv = nil
}

// records opens the hub's database (the hub must be stopped) and returns
// how often each record ID is stored: once, if all is well.
func (h *testHub) records() map[string]hub.Stored {
	h.t.Helper()
	store, err := hub.OpenBolt(h.path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer store.Close()
	all, err := store.All()
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]hub.Stored{}
	for _, s := range all {
		if _, dup := out[s.Record.ID]; dup {
			h.t.Fatalf("record %s stored twice at the hub", s.Record.ID)
		}
		out[s.Record.ID] = s
	}
	return out
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// station is a gridkiosk serve process.
type station struct {
	t     *testing.T
	dir   string
	admin string
	cmd   *exec.Cmd
	log   *syncBuffer
	token string
	env   []string // more environment for the process
	files int      // the process's open file limit, when not 0
}

// syncBuffer is the station's output: written by exec's copying goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newStation(t *testing.T, hubAddr string, extra ...string) *station {
	return newStationUpstream(t, fmt.Sprintf("url = \"http://%s\"", hubAddr), extra...)
}

// newStationUpstream is newStation with the [upstream] lines besides
// token_file and retry_max given.
func newStationUpstream(t *testing.T, upstream string, extra ...string) *station {
	dir := t.TempDir()
	s := &station{t: t, dir: dir, admin: freeAddr(t)}
	tokenFile := filepath.Join(dir, "upstream.token")
	os.WriteFile(tokenFile, []byte(hubToken+"\n"), 0o600)
	cfg := fmt.Sprintf(`[station]
id = "141029-xfw-01"
name = "幸福湾社区党群服务站"
[station.grid]
county = "141029"
township = "141029100"
community = "141029100001"
[upstream]
%s
token_file = "upstream.token"
retry_max = "1s"
[storage]
dir = %q
[admin]
listen = %q
%s
`, upstream, filepath.Join(dir, "data"), s.admin, strings.Join(extra, "\n"))
	if err := os.WriteFile(filepath.Join(dir, "gridkiosk.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *station) start() {
	s.t.Helper()
	s.cmd = exec.Command(os.Args[0], "serve", "--config", filepath.Join(s.dir, "gridkiosk.toml"))
	if s.files > 0 { // prlimit sets the limit and execs the station: one process
		s.cmd = exec.Command("prlimit", append([]string{fmt.Sprintf("--nofile=%d:%d", s.files, s.files), "--"}, s.cmd.Args...)...)
	}
	s.cmd.Env = append(append(os.Environ(), mainEnv+"=1"), s.env...)
	s.log = &syncBuffer{}
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	s.waitFor("admin API", func() bool {
		resp, err := http.Get("http://" + s.admin + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	tok, err := os.ReadFile(filepath.Join(s.dir, "data", "admin.token"))
	if err != nil {
		s.t.Fatal(err)
	}
	s.token = strings.TrimSpace(string(tok))
}

func (s *station) stop(sig syscall.Signal) {
	s.t.Helper()
	s.cmd.Process.Signal(sig)
	err := s.cmd.Wait()
	if sig == syscall.SIGTERM && err != nil {
		s.t.Fatalf("station did not stop cleanly on SIGTERM: %v\n%s", err, s.log)
	}
}

func (s *station) waitFor(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; station log:\n%s", what, s.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *station) call(method, path string, body any, out any) int {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+s.admin+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v\n%s", method, path, err, s.log)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func (s *station) submit(desc string) string {
	s.t.Helper()
	var rc struct{ ID, Ticket string }
	code := s.call("POST", "/v1/records", map[string]any{"kind": "matter",
		"payload": map[string]any{"category": "repair", "description": desc}}, &rc)
	if code != 201 || rc.ID == "" {
		s.t.Fatalf("submit %q: %d %+v", desc, code, rc)
	}
	return rc.ID
}

type healthz struct {
	Status   string   `json:"status"`
	Problems []string `json:"problems"`
	Outbox   struct {
		Queued    int `json:"queued"`
		Delivered int `json:"delivered"`
	} `json:"outbox"`
	Upstream struct {
		Online bool   `json:"online"`
		TLS    string `json:"tls"`
		Alert  string `json:"alert"`
	} `json:"upstream"`
}

func (s *station) health() healthz {
	var h healthz
	s.call("GET", "/healthz", nil, &h)
	return h
}

func (s *station) state(id string) string {
	var e struct{ State string }
	s.call("GET", "/v1/records/"+id, nil, &e)
	return e.State
}

// TestHubOutage: records posted while the hub is down wait in the queue
// (visible in /healthz) and every record reaches the hub exactly once.
func TestHubOutage(t *testing.T) {
	h := newTestHub(t)
	s := newStation(t, h.addr)
	s.start()
	var ids []string
	for i := range 5 {
		ids = append(ids, s.submit(fmt.Sprintf("在线时提交的第%d条", i+1)))
	}
	s.waitFor("first records delivered", func() bool { return s.health().Outbox.Delivered == 5 })

	h.stop()
	var depths []int
	for i := range 5 {
		ids = append(ids, s.submit(fmt.Sprintf("断网时提交的第%d条", i+1)))
		depths = append(depths, s.health().Outbox.Queued)
	}
	for i, d := range depths {
		if d != i+1 {
			t.Fatalf("queue depth while the hub was down: %v, want 1..5", depths)
		}
	}
	s.waitFor("station to notice the outage", func() bool { return !s.health().Upstream.Online })

	h.start()
	s.waitFor("queue to drain", func() bool { return s.health().Outbox.Queued == 0 })
	s.stop(syscall.SIGTERM)
	h.stop()
	got := h.records()
	if len(got) != len(ids) {
		t.Fatalf("hub holds %d records, want %d", len(got), len(ids))
	}
	for _, id := range ids {
		if _, ok := got[id]; !ok {
			t.Errorf("record %s never reached the hub", id)
		}
	}
}

// TestSIGKILLAfter201: once the API said 201 the record survives a SIGKILL
// and is delivered after the restart.
func TestSIGKILLAfter201(t *testing.T) {
	h := newTestHub(t)
	h.stop() // keep records in the queue while the station dies
	s := newStation(t, h.addr)
	s.start()
	id := s.submit("提交后立即断电")
	s.stop(syscall.SIGKILL)

	h.start()
	s.start()
	if st := s.state(id); st != "queued" && st != "delivered" {
		t.Fatalf("after SIGKILL the record is %q\n%s", st, s.log)
	}
	s.waitFor("delivery", func() bool { return s.state(id) == "delivered" })
	s.stop(syscall.SIGTERM)
	h.stop()
	if _, ok := h.records()[id]; !ok {
		t.Fatal("record not at the hub")
	}
}

// TestCardToHub: a card laid on the (emulated) reader starts a session the
// API shows masked; submitting it brings the full person to the hub.
func TestCardToHub(t *testing.T) {
	h := newTestHub(t)
	sim, err := idcardsim.New(t.TempDir(), "idcard", 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	s := newStation(t, h.addr, "[devices.idcard]", fmt.Sprintf("port = %q", sim.Path()))
	s.start()
	card, _ := idcardsim.Card("resident")
	sim.Lay(card)
	var v struct {
		State  string
		Person map[string]string
	}
	s.waitFor("session with the card", func() bool { s.call("GET", "/v1/session", nil, &v); return v.State == "card" })
	if v.Person["name"] != card.Name || v.Person["id_number"] == card.IDNumber || !strings.Contains(v.Person["id_number"], "*") {
		t.Fatalf("session person = %v", v.Person)
	}
	var rc struct{ ID, Ticket string }
	code := s.call("POST", "/v1/session/submit", map[string]any{"purpose": "certificate", "phone": "13835712345",
		"consent": map[string]any{"agreed": true, "version": "2026-01"}}, &rc)
	if code != 201 || rc.ID == "" {
		t.Fatalf("submit: %d %+v", code, rc)
	}
	s.waitFor("delivery", func() bool { return s.state(rc.ID) == "delivered" })
	s.stop(syscall.SIGTERM)
	h.stop()
	got, ok := h.records()[rc.ID]
	if !ok {
		t.Fatal("registration not at the hub")
	}
	var reg struct {
		Person  map[string]string
		Source  string
		Consent struct{ Version string }
	}
	json.Unmarshal(got.Record.Payload, &reg)
	want := map[string]string{"name": card.Name, "gender": card.Gender, "nation": card.Nation, "birth": card.Birth,
		"address": card.Address, "id_number": card.IDNumber, "card_type": "resident", "issuer": card.Issuer,
		"valid_from": card.ValidFrom, "valid_to": card.ValidTo}
	for k, w := range want {
		if reg.Person[k] != w {
			t.Errorf("hub person.%s = %q, want %q", k, reg.Person[k], w)
		}
	}
	if reg.Source != "idcard" || reg.Consent.Version != "2026-01" {
		t.Errorf("hub registration = %+v", reg)
	}
	if strings.Contains(s.log.String(), card.IDNumber) || strings.Contains(s.log.String(), card.Name) {
		t.Error("the station's log holds the resident's full ID number or name")
	}
}

// TestBadConfigSaysWhereAndWhat: a wrong value stops the station with the
// file, line and key in the message.
func TestBadConfigSaysWhereAndWhat(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gridkiosk.toml")
	os.WriteFile(path, []byte("[station]\nid = \"141029-xfw-01\"\nname = \"幸福湾\"\n[station.grid]\ncounty = \"141029\"\n[devices.idcard]\nport = \"/dev/ttyUSB0\"\nbaud = 12345\n"), 0o600)
	var out bytes.Buffer
	code := realMain([]string{"serve", "--config", path}, &out, &out)
	if code != 1 || !strings.Contains(out.String(), ":8: devices.idcard.baud") || !strings.Contains(out.String(), "115200") {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
}

func TestConfigCommands(t *testing.T) {
	var ex bytes.Buffer
	if code := realMain([]string{"config", "example"}, &ex, io.Discard); code != 0 || !strings.Contains(ex.String(), "幸福湾") {
		t.Fatalf("config example: %d", code)
	}
	path := filepath.Join(t.TempDir(), "ex.toml")
	os.WriteFile(path, ex.Bytes(), 0o600)
	var out bytes.Buffer
	if code := realMain([]string{"config", "check", "--config", path}, &out, &out); code != 0 || !strings.Contains(out.String(), "ok") {
		t.Fatalf("config check of the example: %d %s", code, out.String())
	}
	out.Reset()
	if code := realMain([]string{"config", "check", "--config", filepath.Join(t.TempDir(), "none.toml")}, &out, &out); code != 1 || !strings.Contains(out.String(), "none.toml") {
		t.Fatalf("config check of a missing file: %d %s", code, out.String())
	}
	if code := realMain([]string{"frobnicate"}, io.Discard, io.Discard); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
	out.Reset()
	if code := realMain([]string{"version"}, &out, io.Discard); code != 0 || !strings.HasPrefix(out.String(), "gridkiosk ") {
		t.Fatalf("version: %q", out.String())
	}
}
