package statuspage

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

const station = "141029-xfw-01"

// A resident's record: everything personal in it must stay off the page.
var personal = []string{"王秀兰", "秀兰", "141029195203171228", "19520317", "13835712345", "幸福湾社区7号楼", "楼道灯坏了三个星期"}

const refData = `{"categories":[{"code":"repair","name":"公共设施报修","name_en":"Repairs"}],
 "staff":[{"id":"s-0001","name":"赵丽娟","role":"community_grid_leader","phone":"0357-6812345"},
          {"id":"s-0007","name":"李建国","role":"micro_grid_leader","micro":"c07-m03","phone":"13912340007"}]}`

func matter(seq uint64, key string) wire.Record {
	id := "019a6b1e-5c3a-7f21-9d40-3b2a1c0d9e8" + string(rune('0'+seq))
	return wire.Record{ID: id, Kind: wire.KindMatter, Seq: seq, ClockTrusted: true, LinkKey: key,
		CreatedAt: time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC), // 2026-11-27 in China
		Grid:      json.RawMessage(`{"county":"141029","compound":"c07","micro":"c07-m03"}`),
		Payload: json.RawMessage(`{"category":"repair","description":"楼道灯坏了三个星期","phone":"13835712345",
			"person":{"name":"王秀兰","id_number":"141029195203171228","birth":"1952-03-17","address":"山西省乡宁县昌宁镇幸福湾社区7号楼2单元301"}}`)}
}

// newHub is a bolt store with the page in front of it over real HTTP.
func newHub(t *testing.T, lim *Limiter) (*hub.BoltStore, *httptest.Server) {
	t.Helper()
	store, err := hub.OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.PutRefData("", []byte(refData)); err != nil {
		t.Fatal(err)
	}
	p := &Page{Records: store, Limit: lim, RefData: func(st string) ([]byte, error) { return hub.StationRefData(store, st) }}
	mux := http.NewServeMux()
	p.Register(mux, "")
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return store, srv
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}

func noPersonalData(t *testing.T, body string) {
	t.Helper()
	for _, s := range personal {
		if strings.Contains(body, s) {
			t.Errorf("the page shows %q", s)
		}
	}
}

func TestPageShowsStatus(t *testing.T) {
	store, srv := newHub(t, nil)
	key := receiptcode.NewKey()
	r := matter(1, key)
	if _, err := store.Ingest(station, []wire.Record{r}, time.Now()); err != nil {
		t.Fatal(err)
	}
	url := srv.URL + "/r/" + r.ID + "?k=" + key
	for _, tc := range []struct {
		state, note string
		want        []string
	}{
		{"", "", []string{"已受理", "Received", "请留意电话通知"}},
		{hub.StateInProgress, "已派单给物业", []string{"办理中", "In progress", "已派单给物业"}},
		{hub.StateDone, "灯已换好", []string{"已办结", "Done", "灯已换好"}},
		{hub.StateRejected, "不属于本社区", []string{"已退回", "Returned", "不属于本社区"}},
	} {
		if tc.state != "" {
			if err := store.SetStatus(r.ID, tc.state, tc.note, time.Date(2026, 11, 28, 2, 5, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
		}
		code, body, h := get(t, url)
		if code != http.StatusOK {
			t.Fatalf("%s: status %d\n%s", tc.state, code, body)
		}
		want := append(tc.want, "M0001", "反映事项：公共设施报修", "Matter reported: Repairs", "2026-11-27",
			"李建国", `href="tel:13912340007"`, `name="viewport"`, `<html lang="zh-CN">`)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", tc.state, w)
			}
		}
		if strings.Contains(body, "<script") || strings.Contains(body, key) {
			t.Errorf("%s: the page has a script or repeats its key", tc.state)
		}
		noPersonalData(t, body)
		if h.Get("Content-Type") != "text/html; charset=utf-8" || h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("headers %v", h)
		}
	}
	// Another micro grid's record: the community's grid leader.
	r2 := matter(2, receiptcode.NewKey())
	r2.Grid = json.RawMessage(`{"county":"141029","micro":"c09-m01"}`)
	r2.ClockTrusted = false
	store.Ingest(station, []wire.Record{r2}, time.Now())
	_, body, _ := get(t, srv.URL+"/r/"+strings.ToUpper(r2.ID)+"?k="+r2.LinkKey)
	for _, w := range []string{"赵丽娟", "0357-6812345", "站点时钟未校准"} {
		if !strings.Contains(body, w) {
			t.Errorf("other grid: page lacks %q", w)
		}
	}
}

// A wrong key, no key, an unknown or malformed ID and a record without a
// key are one answer: the page tells nobody which records exist.
func TestNotFoundAlike(t *testing.T) {
	store, srv := newHub(t, &Limiter{Burst: 100, Every: time.Second, MaxClients: 10})
	key := receiptcode.NewKey()
	keyed, bare := matter(1, key), matter(2, "")
	if _, err := store.Ingest(station, []wire.Record{keyed, bare}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, first, _ := get(t, srv.URL+"/r/"+keyed.ID+"?k="+receiptcode.NewKey())
	for _, path := range []string{
		"/r/" + keyed.ID + "?k=" + receiptcode.NewKey(),
		"/r/" + keyed.ID + "?k=" + key[:21],
		"/r/" + keyed.ID + "?k=" + key + "x",
		"/r/" + keyed.ID,
		"/r/" + keyed.ID + "?k=" + string(dummyKey),
		"/r/" + bare.ID + "?k=" + string(dummyKey),
		"/r/" + bare.ID + "?k=",
		"/r/" + matter(9, "").ID + "?k=" + key,
		"/r/not-a-record?k=" + key,
	} {
		code, body, _ := get(t, srv.URL+path)
		if code != http.StatusNotFound || body != first {
			t.Errorf("%s: %d, body differs: %v", path, code, body != first)
		}
		if !strings.Contains(body, "未找到这条记录") {
			t.Errorf("%s: %s", path, body)
		}
	}
	if code, _, _ := get(t, srv.URL+"/r/"+keyed.ID+"?k="+key); code != http.StatusOK {
		t.Errorf("the right key: %d", code)
	}
}

func TestRateLimited(t *testing.T) {
	_, srv := newHub(t, &Limiter{Burst: 3, Every: time.Hour, MaxClients: 10})
	for i := range 3 {
		if code, _, _ := get(t, srv.URL+"/r/x?k=y"); code != http.StatusNotFound {
			t.Fatalf("request %d: %d", i+1, code)
		}
	}
	code, body, h := get(t, srv.URL+"/r/x?k=y")
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "查询太频繁") {
		t.Fatalf("fourth request: %d Retry-After %q\n%s", code, h.Get("Retry-After"), body)
	}
}

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	a, b := netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("10.0.0.2/32")
	l := &Limiter{Burst: 2, Every: 10 * time.Second, MaxClients: 2}
	steps := []struct {
		client netip.Prefix
		after  time.Duration
		ok     bool
		wait   time.Duration
	}{
		{a, 0, true, 0}, {a, 0, true, 0}, {a, 0, false, 10 * time.Second},
		{b, 0, true, 0}, // another client has its own bucket
		{a, 5 * time.Second, false, 5 * time.Second},
		{a, 10 * time.Second, true, 0},
		{a, 10 * time.Second, false, 10 * time.Second},
	}
	for i, s := range steps {
		wait, ok := l.Allow(s.client, t0.Add(s.after))
		if ok != s.ok || wait != s.wait {
			t.Errorf("step %d: Allow(%v, +%v) = %v, %v; want %v, %v", i, s.client, s.after, wait, ok, s.wait, s.ok)
		}
	}
	// A third client when full: b's bucket is full again and forgotten, a's is not.
	if _, ok := l.Allow(netip.MustParsePrefix("10.0.0.3/32"), t0.Add(time.Minute)); !ok || len(l.buckets) > 2 {
		t.Errorf("third client: ok %v, %d buckets", ok, len(l.buckets))
	}
}

func TestClientOf(t *testing.T) {
	for _, tc := range []struct{ remote, want string }{
		{"192.0.2.7:5555", "192.0.2.7/32"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.7]:80", "192.0.2.7/32"},
	} {
		r := httptest.NewRequest("GET", "/r/x", nil)
		r.RemoteAddr = tc.remote
		if got := clientOf(r); got.String() != tc.want {
			t.Errorf("clientOf(%s) = %s, want %s", tc.remote, got, tc.want)
		}
	}
}

// A hub whose public URL has a path (behind a county portal) serves the
// page under it, and at the root for a portal that strips the path.
func TestRegisterUnderPath(t *testing.T) {
	store, err := hub.OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	key := receiptcode.NewKey()
	r := matter(1, key)
	store.Ingest(station, []wire.Record{r}, time.Now())
	mux := http.NewServeMux()
	(&Page{Records: store}).Register(mux, "/gridhub")
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, path := range []string{"/gridhub/r/", "/r/"} {
		if code, body, _ := get(t, srv.URL+path+r.ID+"?k="+key); code != http.StatusOK || !strings.Contains(body, "已受理") {
			t.Errorf("%s: %d", path, code)
		}
	}
}
