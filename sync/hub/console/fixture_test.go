package console_test

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/console"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// The fixture's world: two stations in two communities, their people
// invented.
const (
	stationXFW   = "141029-xfw-01"
	stationZL    = "141029-zl-01"
	communityXFW = "141029100001"
	communityZL  = "141029200001"
	tokenXFW     = "xfw-token-0123456789abcdef0123456789"
	tokenZL      = "zl-token-0123456789abcdef0123456789ab"
	password     = "correct horse 电池"
	idNumber     = "141029195203171226"
	phone        = "13835712345"
)

// Record IDs of the fixture.
const (
	matterNew     = "0190f5e6-0000-7000-8000-000000000001" // xfw, an hour old
	matterOverdue = "0190f5e6-0000-7000-8000-000000000002" // xfw, five days old
	matterZL      = "0190f5e6-0000-7000-8000-000000000003" // zl
	registration  = "0190f5e6-0000-7000-8000-000000000004" // xfw
	volunteer     = "0190f5e6-0000-7000-8000-000000000005" // xfw
)

// t0 is the fixture's now: 10:00 in China.
var t0 = time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)

const refData = `{
  "grid": {"county": {"code": "141029", "name": "乡宁县"}, "townships": [
    {"code": "141029100", "name": "昌宁镇", "communities": [{"code": "141029100001", "name": "幸福湾社区", "compounds": [
      {"code": "c07", "name": "幸福湾小区7号院", "micro": [{"code": "c07-m03", "name": "7号楼微网格"}]},
      {"code": "v02", "name": "北坡自然村", "micro": [{"code": "v02-m01", "name": "北坡一组"}]}]}]},
    {"code": "141029200", "name": "枣岭乡", "communities": [{"code": "141029200001", "name": "枣岭村"}]}]},
  "categories": [
    {"code": "hazard", "name": "安全隐患", "name_en": "Safety hazard"},
    {"code": "repair", "name": "公共设施报修", "name_en": "Shared facility repair"},
    {"code": "certificate", "name": "证明开具", "name_en": "Certificate"}],
  "staff": [{"id": "s-0001", "name": "赵丽娟", "role": "community_grid_leader"},
            {"id": "s-0007", "name": "李建国", "role": "micro_grid_leader"}]
}`

// clock is the fixture's time, moved by tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	store hub.Store
	clock *clock
	url   string
	con   *console.Console
}

// cheap keeps the tests' password hashes fast; the costs are in the hash.
var cheap = console.PasswordParams{Memory: 64, Time: 1, Threads: 1}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	store, err := hub.OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return fixtureOn(t, store, &clock{t: t0}, true)
}

// fixtureOn serves the console on store, which seed fills with the
// fixture's world first.
func fixtureOn(t testing.TB, store hub.Store, clk *clock, seed bool) *fixture {
	t.Helper()
	f := &fixture{store: store, clock: clk}
	if seed {
		f.seedAll(t)
	}
	f.con = &console.Console{Store: store, Now: f.clock.Now, Log: slog.New(slog.DiscardHandler),
		Throttle: console.Throttle{PerUser: 3, PerClient: 6, Window: 15 * time.Minute}}
	ts := httptest.NewServer(f.handler(t, f.con))
	t.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

// handler serves the console and the stations' contract on one
// listener, as gridhub serve does.
func (f *fixture) handler(t testing.TB, con *console.Console) http.Handler {
	t.Helper()
	ch, err := con.Handler()
	if err != nil {
		t.Fatal(err)
	}
	hs := &hub.Server{Store: f.store, Tokens: hub.Tokens{tokenXFW: stationXFW, tokenZL: stationZL},
		Log: slog.New(slog.DiscardHandler), Now: f.clock.Now}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, ch)
	mux.Handle("/", hs.Handler())
	return mux
}

func (f *fixture) seedAll(t testing.TB) {
	t.Helper()
	if err := f.store.PutRefData("", []byte(refData)); err != nil {
		t.Fatal(err)
	}
	f.seed(t)
	for _, u := range []hub.User{
		{Name: "county.admin", Role: hub.RoleAdmin},
		{Name: "xfw.staff", Role: hub.RoleStaff, Community: communityXFW},
		{Name: "zl.staff", Role: hub.RoleStaff, Community: communityZL},
		{Name: "county.viewer", Role: hub.RoleViewer},
	} {
		var err error
		if u.PassHash, err = console.HashPasswordWith(cheap, password); err != nil {
			t.Fatal(err)
		}
		if err := f.store.PutUser(u); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) seed(t testing.TB) {
	t.Helper()
	mk := func(id, kind string, seq uint64, grid, payload string) wire.Record {
		return wire.Record{ID: id, Kind: kind, Seq: seq, CreatedAt: t0.Add(-time.Hour), ClockTrusted: false,
			Grid: json.RawMessage(grid), Payload: json.RawMessage(payload)}
	}
	xfw := `{"county":"141029","township":"141029100","community":"141029100001","compound":"c07","micro":"c07-m03"}`
	batches := []struct {
		station string
		at      time.Time
		recs    []wire.Record
	}{
		{stationXFW, t0.Add(-5 * 24 * time.Hour), []wire.Record{mk(matterOverdue, "matter", 1,
			`{"county":"141029","township":"141029100","community":"141029100001","compound":"v02","micro":"v02-m01"}`,
			`{"category":"hazard","description":"北坡自然村路口电线垂落，离地面不足两米"}`)}},
		{stationXFW, t0.Add(-time.Hour), []wire.Record{
			mk(matterNew, "matter", 2, xfw, `{"category":"repair","description":"7号楼2单元楼道灯不亮，老人晚上上下楼不便","phone":"`+phone+`"}`),
			mk(registration, "registration", 3, xfw, `{"person":{"name":"王秀兰","id_number":"`+idNumber+
				`","address":"山西省乡宁县昌宁镇幸福湾社区7号院7号楼2单元301"},"purpose":"certificate","phone":"`+phone+`","source":"idcard"}`),
			mk(volunteer, "volunteer", 4, xfw, `{"volunteer":{"name":"张伟","id_number":"`+idNumber+
				`","party_member":true},"service":"助老送餐","minutes":90,"date":"2026-12-06"}`),
		}},
		{stationZL, t0.Add(-2 * time.Hour), []wire.Record{mk(matterZL, "matter", 1,
			`{"county":"141029","township":"141029200","community":"141029200001"}`,
			`{"category":"repair","description":"枣岭村水井抽水泵坏了"}`)}},
	}
	for _, b := range batches {
		reply, err := f.store.Ingest(b.station, b.recs, b.at)
		if err != nil || len(reply.Acked) != len(b.recs) {
			t.Fatalf("seed: %+v %v", reply, err)
		}
	}
}

// browser is an HTTP client with its own cookies, like one person's
// browser.
type browser struct {
	t    testing.TB
	c    *http.Client
	base string
	csrf string // the last page's CSRF token
}

func (f *fixture) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: f.url, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a request and returns the status and body; it keeps the
// page's CSRF token for the next form.
func (b *browser) do(method, path string, form url.Values) (int, string, http.Header) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(raw); m != nil {
		b.csrf = html.UnescapeString(string(m[1]))
	}
	return resp.StatusCode, string(raw), resp.Header
}

func (b *browser) get(path string) (int, string) {
	code, body, _ := b.do("GET", path, nil)
	return code, body
}

// post sends a form with the last page's CSRF token.
func (b *browser) post(path string, kv ...string) (int, string) {
	form := url.Values{"csrf": {b.csrf}}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	code, body, _ := b.do("POST", path, form)
	return code, body
}

func (b *browser) login(name, pw string) int {
	b.t.Helper()
	b.get("/console/login")
	code, _ := b.post("/console/login", "name", name, "password", pw)
	return code
}

func (f *fixture) loggedIn(t testing.TB, name string) *browser {
	t.Helper()
	b := f.browser(t)
	if code := b.login(name, password); code != http.StatusSeeOther {
		t.Fatalf("log-in of %s: %d, want 303", name, code)
	}
	if code, _ := b.get("/console/matters"); code != http.StatusOK {
		t.Fatalf("inbox after log-in of %s: %d", name, code)
	}
	return b
}

// stationStatus asks the hub what a station's look-up answers.
func (f *fixture) stationStatus(t testing.TB, token, id string) (int, wire.Status) {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/records/%s/status", f.url, id), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st wire.Status
	json.NewDecoder(resp.Body).Decode(&st)
	return resp.StatusCode, st
}

func httpServer(t testing.TB, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
