package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// pageRefData lists the grid leader of micro grid c07-m03 with a phone.
const pageRefData = `{"categories":[{"code":"repair","name":"公共设施报修","name_en":"Repairs"}],
 "staff":[{"id":"s-0007","name":"李建国","role":"micro_grid_leader","micro":"c07-m03","phone":"13912340007"}]}`

// What the resident's record holds that no page may show.
var pagePersonal = []string{"王秀兰", "141029195203171228", "19520317", "13835712345", "幸福湾社区7号楼", "楼道灯坏了三个星期"}

func pageRecord(key string) wire.Record {
	return wire.Record{ID: "019a6b1e-5c3a-7f21-9d40-3b2a1c0d9e8f", Kind: wire.KindMatter, Seq: 42, ClockTrusted: true, LinkKey: key,
		CreatedAt: time.Date(2026, 11, 27, 9, 14, 3, 0, time.FixedZone("", 8*3600)),
		Grid:      json.RawMessage(`{"county":"141029","compound":"c07","micro":"c07-m03"}`),
		Payload: json.RawMessage(`{"category":"repair","description":"楼道灯坏了三个星期","phone":"13835712345",
			"person":{"name":"王秀兰","id_number":"141029195203171228","birth":"1952-03-17","address":"山西省乡宁县昌宁镇幸福湾社区7号楼2单元301"}}`)}
}

func TestServePublicURLRefused(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"ftp://hub.example", "the scheme must be https"},
		{"hub.example.gov.cn", "the scheme must be https"},
		{"https://hub.example/?a=1", "no query"},
		{"https://u:p@hub.example", "no user"},
	} {
		code, out := runErr("serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--public-url", tc.url)
		if code == 0 || !strings.Contains(out, "--public-url") || !strings.Contains(out, tc.want) {
			t.Errorf("--public-url %s: exit %d\n%s", tc.url, code, out)
		}
	}
}

// A real gridhub serve on PostgreSQL, a station's record with its link
// key, and headless Chromium opening the receipt's link as a phone
// would: the status is on screen in large enough, contrasted text, the
// status set by staff while the hub serves shows, the page holds none of
// the resident's data, and a wrong key gets the page of no record.
func TestStatusPageInBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("no chromium: install Debian's chromium (.ci/deps.sh test)")
	}
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "hub.key")
	tok := run(t, "station", "add", "--db", dsn, "--key-file", key, "--station", "141029-xfw-01")
	run(t, "refdata", "load", "--db", dsn, "--key-file", key, writeFile(t, dir, "refdata.json", pageRefData))
	h := startHub(t, nil, "--db", dsn, "--key-file", key, "--public-url", "http://{addr}/")
	c := h.client("141029-xfw-01", tok, nil)

	// The station learns the base of its links from the reference data.
	var rd wire.RefData
	if err := json.Unmarshal([]byte(refDataOf(t, c)), &rd); err != nil || rd.PublicURL != h.url {
		t.Fatalf("reference data's public_url %q (%v), want %s", rd.PublicURL, err, h.url)
	}
	base, err := receiptcode.ParseBase(rd.PublicURL)
	if err != nil {
		t.Fatal(err)
	}
	linkKey := receiptcode.NewKey()
	r := pageRecord(linkKey)
	if reply, err := c.Send(t.Context(), []wire.Record{r}); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("send: %+v %v\n%s", reply, err, h.log.String())
	}
	link, err := receiptcode.Link(base, r.ID, linkKey)
	if err != nil {
		t.Fatal(err)
	}

	ctx := browser(t, chromium)
	p := open(t, ctx, link)
	p.has(t, "已受理", "Received", "M0042", "公共设施报修", "李建国", "13912340007", "2026-11-27")
	p.private(t)
	p.readable(t)

	run(t, "record", "set-status", "--db", dsn, "--key-file", key, r.ID, "done", "--note", "路灯已经修好")
	p = open(t, ctx, link)
	p.has(t, "已办结", "Done", "路灯已经修好", "请带本回执和身份证")
	p.private(t)
	p.readable(t)
	if shot := os.Getenv("GRIDHUB_STATUS_SCREENSHOT"); shot != "" {
		if err := os.WriteFile(shot, p.png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	wrong, _ := receiptcode.Link(base, r.ID, receiptcode.NewKey())
	p = open(t, ctx, wrong)
	p.has(t, "未找到这条记录")
	if strings.Contains(p.text, "已办结") || strings.Contains(p.html, "李建国") {
		t.Errorf("a wrong key shows the record:\n%s", p.text)
	}
	resp, err := http.Get(wrong)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("wrong key: %d, want 404", resp.StatusCode)
	}
}

// browser starts headless Chromium for the test, with a phone's window.
func browser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(390, 844),
		chromedp.UserDataDir(t.TempDir()))
	// The browser lives as long as the first context it runs in; five
	// minutes bound the whole test's use of it on a loaded machine.
	life, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	actx, cancel := chromedp.NewExecAllocator(life, opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// shown is a page as the browser drew it.
type shown struct {
	text, html string
	// minFont is the smallest computed font size of an element with text
	// of its own, in CSS px; minContrast the lowest contrast of such an
	// element's text on the background behind it.
	minFont, minContrast float64
	png                  []byte
}

// measure walks every element with text of its own and takes its
// computed font size and its colour against the first opaque background
// up the tree.
const measure = `(() => {
  const rgb = s => s.match(/[\d.]+/g).map(Number);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  let minFont = 1e9, minContrast = 1e9;
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own) continue;
    const cs = getComputedStyle(el);
    minFont = Math.min(minFont, parseFloat(cs.fontSize));
    let bg = null;
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) { bg = c; break; }
    }
    bg = bg || [255, 255, 255];
    const a = lum(rgb(cs.color)), b = lum(bg);
    minContrast = Math.min(minContrast, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
  }
  return [minFont, minContrast];
})()`

func open(t *testing.T, ctx context.Context, url string) shown {
	t.Helper()
	var p shown
	var m []float64
	run, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err := chromedp.Do(run, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main")))
	if err == nil {
		p.text, err = chromedp.Run(run, chromedp.Evaluate[string](`document.body.innerText`))
	}
	if err == nil {
		p.html, err = chromedp.Run(run, chromedp.OuterHTML(chromedp.CSS("html")))
	}
	if err == nil {
		m, err = chromedp.Run(run, chromedp.Evaluate[[]float64](measure))
	}
	if err == nil {
		p.png, err = chromedp.Run(run, chromedp.FullScreenshot(100))
	}
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	p.minFont, p.minContrast = m[0], m[1]
	return p
}

// has checks that each of want is on screen (innerText: what is drawn).
func (p shown) has(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(p.text, w) {
			t.Errorf("the page does not show %q:\n%s", w, p.text)
		}
	}
}

// private checks that the DOM holds nothing of the resident.
func (p shown) private(t *testing.T) {
	t.Helper()
	for _, s := range pagePersonal {
		if strings.Contains(p.html, s) {
			t.Errorf("the page's DOM holds %q", s)
		}
	}
}

// readable checks the page's text against the age-friendly floor: at
// least 18 px, at least 4.5:1.
func (p shown) readable(t *testing.T) {
	t.Helper()
	t.Logf("smallest text %.0f px, lowest contrast %.2f:1", p.minFont, p.minContrast)
	if p.minFont < 18 || math.IsNaN(p.minFont) {
		t.Errorf("text of %.1f px, want at least 18", p.minFont)
	}
	if p.minContrast < 4.5 || math.IsNaN(p.minContrast) {
		t.Errorf("contrast %s, want at least 4.5:1", fmt.Sprintf("%.2f:1", p.minContrast))
	}
}
