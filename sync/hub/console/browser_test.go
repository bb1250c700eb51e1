package console_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// shotsDir is where the browser test saves each page as a PNG when
// GRIDKIOSK_CONSOLE_SHOTS names a directory (make console-screenshots
// writes docs/console).
func shotsDir() string { return os.Getenv("GRIDKIOSK_CONSOLE_SHOTS") }

// chrome drives one headless Chromium tab through the console.
type chrome struct {
	t   *testing.T
	ctx context.Context
	url string
}

func startChrome(t *testing.T, base string) *chrome {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("no chromium: install Debian's chromium (.ci/deps.sh test, which make test runs)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 800), chromedp.UserDataDir(t.TempDir()))
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
	return &chrome{t: t, ctx: ctx, url: base}
}

// do runs steps, each waiting for what it needs (chromedp polls for the
// elements), within a generous minute.
func (c *chrome) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

func run[T any](c *chrome, what string, a chromedp.Action[T]) T {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// open goes to path and waits for the page's heading.
func (c *chrome) open(path string) {
	c.t.Helper()
	c.do("open "+path, chromedp.Navigate(c.url+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
}

// text is the page's text as drawn.
func (c *chrome) text() string {
	c.t.Helper()
	return run(c, "page text", chromedp.Evaluate[string](`document.body.innerText`))
}

func (c *chrome) has(what string, want ...string) {
	c.t.Helper()
	text := c.text()
	for _, w := range want {
		if !strings.Contains(text, w) {
			c.t.Errorf("%s: the page lacks %q:\n%s", what, w, text)
		}
	}
}

// submit clicks a form's button and waits for the next page.
func (c *chrome) submit(what, button string) {
	c.t.Helper()
	c.do(what, chromedp.Evaluate[chromedp.Void](`document.querySelector('main h1').dataset.old = '1'`),
		chromedp.Click(chromedp.CSS(button)), chromedp.WaitNotPresent(chromedp.CSS(`main h1[data-old]`)),
		chromedp.WaitVisible(chromedp.CSS("main h1")))
}

// shot saves the page, whole, as name.png in shotsDir, and checks what
// a person needs of it: text contrast of at least 4.5:1 and a label
// for every control.
func (c *chrome) shot(name string) {
	c.t.Helper()
	m := run(c, "measure "+name, chromedp.Evaluate[[]float64](measure))
	if m[0] < 4.5 {
		c.t.Errorf("%s: text with contrast %.2f:1, want at least 4.5:1", name, m[0])
	}
	if m[1] > 0 {
		c.t.Errorf("%s: %v form controls without a label", name, m[1])
	}
	if dir := shotsDir(); dir != "" {
		png := run(c, "screenshot "+name, chromedp.FullScreenshot(90))
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			c.t.Fatal(err)
		}
	}
}

// measure returns the lowest contrast of any element's own text against
// the first opaque background behind it (WCAG's formula), and how many
// visible form controls have no label.
const measure = `(() => {
  const rgb = s => s.match(/[\d.]+/g).map(Number);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  let minContrast = 21;
  for (const el of document.body.querySelectorAll('*')) {
    if (!el.getClientRects().length) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own) continue;
    const cs = getComputedStyle(el);
    let bg = null;
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) { bg = c; break; }
    }
    bg = bg || [255, 255, 255];
    const a = lum(rgb(cs.color)), b = lum(bg);
    minContrast = Math.min(minContrast, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
  }
  const unlabelled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).length;
  return [minContrast, unlabelled];
})()`

// The console as a county's staff use it, in a real browser: log in,
// filter, assign, change the status and see it from the station's
// look-up; a forged form and a role's limits are refused; every page is
// readable on a laptop and on a phone.
func TestConsoleInBrowser(t *testing.T) {
	f := newFixture(t)
	c := startChrome(t, f.url)

	c.open("/console/matters")
	c.has("log-in page", "登录 Log in", "用户名")
	c.shot("login")
	// Keyboard: the first Tab reaches the skip link.
	c.do("tab", chromedp.KeyEvent("\t"))
	if got := run(c, "focus", chromedp.Evaluate[string](`document.activeElement.className`)); got != "skip" {
		t.Errorf("the first Tab focuses %q, want the skip link", got)
	}
	c.login("xfw.staff")
	staffInBrowser(t, f, c)
	c.logout()
	viewerInBrowser(t, f, c)
	c.logout()
	adminInBrowser(c)
	stationsInBrowser(f, c)
}

// stationsInBrowser: the admin sees both stations online; 枣岭's printer
// runs out of paper, then 幸福湾's reports stop and half an hour later it
// is offline, both on the alert list.
func stationsInBrowser(f *fixture, c *chrome) {
	c.do("laptop", chromedp.EmulateViewport(1280, 800))
	f.report(c.t, tokenXFW, healthOf(stationXFW, communityXFW, wire.PaperOK, 0, 0))
	f.report(c.t, tokenZL, healthOf(stationZL, communityZL, wire.PaperOK, 0, 0))
	c.open("/console/stations")
	c.has("stations online", "站点 Stations", stationXFW, stationZL, "在线 Online", "没有告警")
	// A release assigned to the county: 幸福湾 is fetching it, 枣岭 not yet.
	f.addReleases(c.t)
	f.report(c.t, tokenXFW, updating(stationXFW, communityXFW,
		wire.HealthUpdate{Slot: "A", State: wire.UpdateDownloading, Pending: relNew, Percent: 42}))
	f.ask(c.t, tokenXFW, stationXFW, relOld)
	f.ask(c.t, tokenZL, stationZL, relOld)
	c.open("/console/stations")
	c.has("update progress", "下载中 downloading 42% → "+relNew, "分区 slot A", "待更新 behind", "2 个站点未运行指派的版本")
	// 枣岭 reports on; 幸福湾 is silent. The admin watches the page
	// meanwhile (which also keeps the session from idling out).
	for i := range 7 {
		f.clock.Add(5 * time.Minute)
		f.report(c.t, tokenZL, healthOf(stationZL, communityZL, wire.PaperOK, 0, 0))
		c.open("/console/stations")
		if i == 1 {
			c.has("幸福湾 late after 10 min", "迟报 Late")
		}
	}
	f.report(c.t, tokenZL, healthOf(stationZL, communityZL, wire.PaperOut, 0, 0))
	c.open("/console/stations")
	c.has("幸福湾 offline, 枣岭 out of paper", "离线 Offline", "离线 35 分钟 min", "打印机缺纸", "缺纸 paper out")
	c.shot("stations")
	c.submit("open 枣岭", `td a[href$="/stations/`+stationZL+`"]`)
	c.has("station page", "报告记录 Report history", "缺纸 paper out", "正常 OK")
	c.shot("station")
	// The admin holds 枣岭 on the older release: it is no longer behind.
	c.do("choose "+relOld, chromedp.SetValue(chromedp.ID("version"), relOld))
	c.submit("assign "+relOld, `form[action$="/release"] button`)
	c.has("assigned", "已指派", "指派版本 Assigned release\n"+relOld)
	if strings.Contains(c.text(), "待更新 behind") {
		c.t.Errorf("枣岭 still behind after %s was assigned to it", relOld)
	}
	c.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	c.open("/console/stations")
	c.shot("stations-phone")
}

func (c *chrome) login(name string) {
	c.t.Helper()
	c.do("log-in form of "+name, chromedp.SendKeys(chromedp.ID("name"), name), chromedp.SendKeys(chromedp.ID("password"), password))
	c.submit("log in as "+name, `form.login button`)
}

func (c *chrome) logout() {
	c.t.Helper()
	c.open("/console/matters")
	c.submit("log out", `.who button`)
	c.has("logged out", "登录 Log in")
}

// staffInBrowser: community staff filter, assign, change the status
// (which the station's look-up then answers), see personal data in full
// only by asking, and are refused a forged form, the audit log and
// another community's matter.
func staffInBrowser(t *testing.T, f *fixture, c *chrome) {
	c.has("inbox", "事项 Matters", "北坡自然村路口", "7号楼2单元", "超期 Overdue")
	if strings.Contains(c.text(), "枣岭村水井") {
		t.Error("幸福湾's staff see 枣岭's matter")
	}
	c.shot("inbox")

	c.do("filter", chromedp.SetValue(chromedp.ID("f-compound"), "c07"))
	c.submit("filter", `.filters button`)
	if text := c.text(); !strings.Contains(text, "7号楼2单元") || strings.Contains(text, "北坡自然村路口") {
		t.Fatalf("filtered by compound c07:\n%s", text)
	}

	c.submit("open the matter", `td a[href$="`+matterNew+`"]`)
	c.has("matter", "公共设施报修", "138****2345", "未指派 Not assigned")
	c.do("choose a worker", chromedp.SetValue(chromedp.ID("worker"), "李建国"))
	c.submit("assign", `form[action$="/assign"] button`)
	c.has("assigned", "已指派", "李建国")
	c.do("status", chromedp.SetValue(chromedp.ID("new-state"), hub.StateDone), chromedp.SendKeys(chromedp.ID("note"), "灯已换好，请居民确认"))
	c.submit("save the status", `form[action$="/status"] button`)
	c.has("status changed", "已办结 Done", "灯已换好，请居民确认", "指派给 assigned to 李建国")
	c.shot("matter")
	if code, st := f.stationStatus(t, tokenXFW, matterNew); code != 200 || st.State != hub.StateDone || st.Note != "灯已换好，请居民确认" {
		t.Fatalf("the station's look-up after the change: %d %+v", code, st)
	}

	// A form whose CSRF token is not the session's is refused.
	c.do("forge", chromedp.SetValue(chromedp.CSS(`form[action$="/status"] input[name=csrf]`), "forged"),
		chromedp.SetValue(chromedp.ID("new-state"), hub.StateRejected))
	c.submit("forged status", `form[action$="/status"] button`)
	c.has("forged form", "CSRF")
	if st, _, _ := f.store.Record(matterNew); st.State != hub.StateDone {
		t.Fatalf("a forged form changed the state to %s", st.State)
	}

	c.open("/console/registrations")
	c.has("registrations", "王**", "1410**********1226")
	c.shot("registrations")
	c.submit("reveal", `td form button`)
	c.has("revealed", "王秀兰", idNumber, "此次查看已记入审计日志")
	c.shot("reveal")
	c.open("/console/volunteers")
	c.has("volunteers", "张*", "1.5")
	c.shot("volunteers")
	c.open("/console/audit")
	c.has("staff and the audit log", "您的角色无权进行此操作")

	// Another community's matter, by URL.
	c.open("/console/matters/" + matterZL)
	c.has("another community's matter", "没有这条记录")
}

// viewerInBrowser: a viewer has no forms to change anything, a form made
// by hand is refused, and so is the audit log.
func viewerInBrowser(t *testing.T, f *fixture, c *chrome) {
	c.login("county.viewer")
	c.open("/console/matters/" + matterZL)
	if n := run(c, "forms", chromedp.Evaluate[int](`document.querySelectorAll('form[action$="/status"], form[action$="/assign"]').length`)); n != 0 {
		t.Errorf("a viewer's matter page has %d forms to change it", n)
	}
	// Even a form made by hand with the session's own token.
	c.do("viewer's forged form", chromedp.Evaluate[chromedp.Void](`(() => {
	  const f = document.createElement('form'); f.method = 'post'; f.action = location.pathname + '/status';
	  f.innerHTML = '<input name="csrf" value="' + document.querySelector('input[name=csrf]').value + '"><input name="state" value="done"><button id="forge">x</button>';
	  document.querySelector('main').append(f);
	})()`))
	c.submit("viewer posts a status", `#forge`)
	c.has("viewer refused", "您的角色无权进行此操作")
	if st, _, _ := f.store.Record(matterZL); st.State != hub.StateReceived {
		t.Fatalf("a viewer changed the state to %s", st.State)
	}
	c.open("/console/audit")
	c.has("viewer and the audit log", "您的角色无权进行此操作")
}

// adminInBrowser: the audit log shows what staff did; the pages on a
// phone.
func adminInBrowser(c *chrome) {
	c.login("county.admin")
	c.open("/console/audit")
	c.has("audit", "查看个人信息 personal data shown", "xfw.staff", registration)
	c.shot("audit")
	c.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	c.open("/console/matters")
	c.shot("inbox-phone")
	c.open("/console/matters/" + matterNew)
	c.shot("matter-phone")
}
