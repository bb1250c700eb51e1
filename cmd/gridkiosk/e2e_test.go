package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"image/png"
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

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

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

// TestSimulateServe: --simulate brings up its own hub, demo records that
// reach it, and an emulated card reader that the API lays cards on.
// startSim runs "gridkiosk serve --simulate" as a process and waits until
// its demo records reached its hub.
func startSim(t *testing.T, extra ...string) *station {
	dir := t.TempDir()
	s := &station{t: t, dir: dir, admin: freeAddr(t)}
	s.cmd = exec.Command(os.Args[0], append([]string{"serve", "--simulate", "--data", dir, "--admin", s.admin}, extra...)...)
	s.cmd.Env = append(append(os.Environ(), mainEnv+"=1"), s.env...)
	s.log = &syncBuffer{}
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Signal(syscall.SIGTERM); s.cmd.Wait() })
	s.waitFor("admin API", func() bool {
		b, err := os.ReadFile(filepath.Join(dir, "station", "admin.token"))
		s.token = strings.TrimSpace(string(b))
		if err != nil || len(s.token) <= 16 {
			return false
		}
		// The token is written before the API listens.
		resp, err := http.Get("http://" + s.admin + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	s.waitFor("demo records at the hub", func() bool { return s.health().Outbox.Delivered == 3 })
	return s
}

// In the simulation the hub signs codes with a key it hands the station
// in the reference data; the emulated scanner reads them.
func TestSimulateSignedCodes(t *testing.T) {
	s := startSim(t)
	var scan struct{ Kind, Reason, Message string }
	var issued struct{ Code string }
	s.waitFor("expired appointment refused", func() bool {
		// The first tries may race the station's first reference data
		// fetch and be refused for an unknown key; a resident would
		// scan again.
		if s.call("POST", "/v1/sim/hub/issue", map[string]any{"kind": "appointment-expired", "scan": true}, &issued) != 200 {
			return false
		}
		time.Sleep(300 * time.Millisecond)
		return s.call("GET", "/v1/scan", nil, &scan) == 200 && scan.Reason == "expired"
	})
	if !strings.Contains(scan.Message, "过期") {
		t.Errorf("expired: %+v", scan)
	}
	s.call("POST", "/v1/sim/hub/issue", map[string]any{"kind": "appointment", "scan": true}, &issued)
	var v struct {
		State, Source, Purpose string
		Person                 map[string]string
	}
	s.waitFor("appointment session", func() bool { s.call("GET", "/v1/session", nil, &v); return v.State == "appointment" })
	if v.Source != "qr" || v.Purpose != "certificate" || v.Person["name"] != "王*兰" || v.Person["id_number"] != "" {
		t.Fatalf("session = %+v", v)
	}
	// The code names her masked; her card confirms her.
	s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "resident"}, nil)
	s.waitFor("the card confirms the appointment", func() bool { s.call("GET", "/v1/session", nil, &v); return v.State == "card" })
	if v.Source != "idcard" || v.Purpose != "certificate" || v.Person["name"] != "王秀兰" || !strings.Contains(v.Person["id_number"], "**********") {
		t.Fatalf("session = %+v", v)
	}
	var rc struct{ ID string }
	if code := s.call("POST", "/v1/session/submit", map[string]any{"consent": map[string]any{"agreed": true, "version": "2026-01"}}, &rc); code != 201 {
		t.Fatalf("submit: %d", code)
	}
	s.call("POST", "/v1/sim/scanner/scan", map[string]string{"data": issued.Code, "aim": "]Q1"}, nil)
	s.waitFor("replay refused", func() bool { s.call("GET", "/v1/scan", nil, &scan); return scan.Reason == "used" })

	s.call("POST", "/v1/sim/hub/issue", map[string]any{"kind": "staff", "scan": true}, &issued)
	var staff struct{ ID, Name, Role string }
	s.waitFor("staff login", func() bool { return s.call("GET", "/v1/staff", nil, &staff) == 200 })
	if staff.ID != "s-0007" || staff.Name != "李建国" {
		t.Fatalf("staff = %+v", staff)
	}
	if code := s.call("POST", "/v1/staff/logout", nil, nil); code != 204 || s.call("GET", "/v1/staff", nil, nil) != 404 {
		t.Fatal("staff logout")
	}
	if strings.Contains(s.log.String(), "王秀兰") {
		t.Errorf("the station logged a resident's name:\n%s", s.log.String())
	}
}

// In the simulation the panel is wired to its emulator: the help button
// calls staff, the lamps show the station's state.
func TestSimulatePanel(t *testing.T) {
	s := startSim(t)
	var out struct {
		LEDs  map[string]bool `json:"leds"`
		Relay bool
		Beeps int
	}
	s.waitFor("ready lamp", func() bool {
		s.call("GET", "/v1/sim/panel", nil, &out)
		return out.LEDs["ready"] && !out.LEDs["offline"]
	})
	if code := s.call("POST", "/v1/sim/panel/press", map[string]any{"button": "help", "hold_ms": 80}, nil); code != 204 {
		t.Fatalf("press: %d", code)
	}
	var h struct {
		Panel struct {
			Present   bool
			HelpSince *time.Time `json:"help_since"`
		}
	}
	s.waitFor("help request in healthz", func() bool { s.call("GET", "/healthz", nil, &h); return h.Panel.HelpSince != nil })
	s.waitFor("staff call relay", func() bool { s.call("GET", "/v1/sim/panel", nil, &out); return out.Relay })
	if code := s.call("POST", "/v1/panel/help/clear", nil, nil); code != 204 {
		t.Fatalf("clear help: %d", code)
	}
	s.waitFor("relay off", func() bool { s.call("GET", "/v1/sim/panel", nil, &out); return !out.Relay })
	beeps := out.Beeps
	s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "resident"}, nil)
	s.waitFor("busy lamp and a beep", func() bool {
		s.call("GET", "/v1/sim/panel", nil, &out)
		return out.LEDs["busy"] && out.Beeps > beeps
	})
	if code := s.call("POST", "/v1/sim/panel/press", map[string]any{"button": "nose"}, nil); code != 400 {
		t.Fatalf("unknown button: %d", code)
	}
}

// The simulation's network can be cut: records wait, the offline lamp
// lights, and they go once it is back.
func TestSimulateNetworkCut(t *testing.T) {
	s := startSim(t)
	if code := s.call("POST", "/v1/sim/network", map[string]bool{"up": false}, nil); code != 204 {
		t.Fatalf("cut: %d", code)
	}
	id := s.submit("北坡自然村路灯不亮")
	var out struct {
		LEDs map[string]bool `json:"leds"`
	}
	s.waitFor("offline lamp", func() bool { s.call("GET", "/v1/sim/panel", nil, &out); return out.LEDs["offline"] })
	if st := s.state(id); st != "queued" {
		t.Fatalf("record %s while the network is cut", st)
	}
	s.call("POST", "/v1/sim/network", map[string]bool{"up": true}, nil)
	s.waitFor("record delivered after the network came back", func() bool { return s.state(id) == "delivered" })
}

func TestSimulateServe(t *testing.T) {
	s := startSim(t)
	if code := s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "nosuch"}, nil); code != 400 {
		t.Fatalf("unknown demo card: %d", code)
	}
	if code := s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "foreign2017"}, nil); code != 204 {
		t.Fatalf("lay: %d", code)
	}
	var v struct {
		State  string
		Person map[string]string
	}
	s.waitFor("card session", func() bool { s.call("GET", "/v1/session", nil, &v); return v.State == "card" })
	if v.Person["card_type"] != "foreign_2017" || v.Person["name_en"] == "" {
		t.Fatalf("session = %+v", v)
	}
	if code := s.call("POST", "/v1/session/cancel", nil, nil); code != 204 {
		t.Fatalf("cancel: %d", code)
	}
	v.Person = nil
	s.call("GET", "/v1/session", nil, &v)
	if v.State != "idle" || v.Person != nil {
		t.Fatalf("after cancel: %+v", v)
	}

	// A resident registers with a card, staff print the receipt, and the
	// receipt's QR code carries the record ID.
	s.call("POST", "/v1/sim/idcard/lift", nil, nil)
	s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "resident"}, nil)
	s.waitFor("card session", func() bool { s.call("GET", "/v1/session", nil, &v); return v.State == "card" })
	var rc struct{ ID string }
	if code := s.call("POST", "/v1/session/submit", map[string]any{"purpose": "certificate",
		"consent": map[string]any{"agreed": true, "version": "2026-01"}}, &rc); code != 201 {
		t.Fatalf("submit: %d", code)
	}
	var pr struct{ State, Ticket string }
	if code := s.call("POST", "/v1/records/"+rc.ID+"/receipt", map[string]string{"staff": "李建国"}, &pr); code != 201 || pr.State != "printed" {
		t.Fatalf("receipt: %d %+v", code, pr)
	}
	png := s.get("/v1/sim/printer/last.png")
	if got := decodeQR(t, png); got != "GK1:R:"+rc.ID {
		t.Fatalf("QR on the printed receipt = %q", got)
	}
	if txt := string(s.get("/v1/sim/printer/last.txt")); !strings.Contains(txt, pr.Ticket) || !strings.Contains(txt, "1410**********122X") {
		t.Fatalf("receipt text:\n%s", txt)
	}

	// The receipt's code, scanned at the station, finds the record.
	if code := s.call("POST", "/v1/sim/scanner/scan", map[string]string{"data": "GK1:R:" + rc.ID, "aim": "]Q1"}, nil); code != 204 {
		t.Fatalf("sim scan: %d", code)
	}
	var scan struct {
		Kind, State, Symbology string
		RecordID               string `json:"record_id"`
		HubState               string `json:"hub_state"`
		Remote                 bool
	}
	s.waitFor("scan result", func() bool {
		return s.call("GET", "/v1/scan", nil, &scan) == 200 && scan.RecordID == rc.ID
	})
	if scan.Kind != "receipt" || scan.Symbology != "QR" || !scan.Remote || scan.HubState != "received" {
		t.Fatalf("scan = %+v", scan)
	}
	s.call("POST", "/v1/sim/scanner/scan", map[string]string{"data": "https://example.com/not-ours"}, nil)
	s.waitFor("unknown code", func() bool { s.call("GET", "/v1/scan", nil, &scan); return scan.Kind == "unknown" })

	// Out of paper: refused, with words staff can act on.
	s.call("POST", "/v1/sim/printer", map[string]bool{"paper_out": true}, nil)
	var e struct{ Error string }
	if code := s.call("POST", "/v1/records/"+rc.ID+"/receipt", map[string]string{"staff": "李建国"}, &e); code != 409 || !strings.Contains(e.Error, "装纸") {
		t.Fatalf("paper out: %d %+v", code, e)
	}
}

func (s *station) get(path string) []byte {
	s.t.Helper()
	req, _ := http.NewRequest("GET", "http://"+s.admin+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		s.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

func decodeQR(t *testing.T, pngData []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code on the receipt: %v", err)
	}
	return res.GetText()
}
