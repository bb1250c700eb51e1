package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/console"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// The inbox lists what each role may see, overdue first, then newest.
func TestInboxScopeAndOrder(t *testing.T) {
	f := newFixture(t)
	_, admin := f.loggedIn(t, "county.admin").get("/console/matters")
	iOverdue, iNew, iZL := strings.Index(admin, "北坡自然村路口"), strings.Index(admin, "7号楼2单元"), strings.Index(admin, "枣岭村水井")
	if iOverdue < 0 || iNew < 0 || iZL < 0 {
		t.Fatalf("the admin's inbox misses a matter:\n%s", admin)
	}
	if !(iOverdue < iNew && iNew < iZL) {
		t.Errorf("order: overdue at %d, newest at %d, older at %d; want overdue, then newest first", iOverdue, iNew, iZL)
	}
	if !strings.Contains(admin, "超期 Overdue") || !strings.Contains(admin, "幸福湾社区 (141029100001)") {
		t.Error("the inbox marks no overdue matter or names no community")
	}
	_, staff := f.loggedIn(t, "xfw.staff").get("/console/matters")
	if strings.Contains(staff, "枣岭村水井") || !strings.Contains(staff, "7号楼2单元") {
		t.Errorf("community staff of 幸福湾 see another community's matter, or not their own:\n%s", staff)
	}
	_, filtered := f.loggedIn(t, "county.admin").get("/console/matters?compound=v02")
	if strings.Contains(filtered, "7号楼2单元") || !strings.Contains(filtered, "北坡自然村路口") {
		t.Errorf("filter by compound v02 is wrong:\n%s", filtered)
	}
	_, overdue := f.loggedIn(t, "county.admin").get("/console/matters?overdue=1")
	if strings.Contains(overdue, "7号楼2单元") || !strings.Contains(overdue, "北坡自然村路口") {
		t.Errorf("overdue only is wrong:\n%s", overdue)
	}
}

// A community's staff cannot see or change another community's record,
// even by typing its URL: it is answered like a record that does not
// exist.
func TestCommunityScoping(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, "zl.staff")
	for _, path := range []string{"/console/matters/" + matterNew, "/console/matters/" + registration} {
		if code, body := b.get(path); code != http.StatusNotFound || strings.Contains(body, "7号楼") {
			t.Errorf("GET %s by another community's staff: %d", path, code)
		}
	}
	for _, p := range []struct{ path string }{
		{"/console/matters/" + matterNew + "/status"}, {"/console/matters/" + matterNew + "/assign"},
		{"/console/reveal/" + registration},
	} {
		code, body := b.post(p.path, "state", hub.StateDone, "note", "x", "worker_name", "x")
		if code != http.StatusNotFound || strings.Contains(body, "王秀兰") {
			t.Errorf("POST %s by another community's staff: %d", p.path, code)
		}
	}
	if st, _, _ := f.store.Record(matterNew); st.State != hub.StateReceived {
		t.Fatalf("another community's staff changed the state to %s", st.State)
	}
	if ev, _ := f.store.MatterEvents(matterNew); len(ev) != 0 {
		t.Fatalf("another community's staff left history: %+v", ev)
	}
	if code, _ := b.get("/console/matters/" + matterZL); code != http.StatusOK {
		t.Fatalf("their own community's matter: %d", code)
	}
	_, regs := b.get("/console/registrations")
	if strings.Contains(regs, "王*") {
		t.Error("another community's registration is listed")
	}
}

// Roles: a viewer changes nothing and sees no personal data; only a
// county admin reads the audit log.
func TestRolesRefused(t *testing.T) {
	f := newFixture(t)
	viewer := f.loggedIn(t, "county.viewer")
	for _, path := range []string{
		"/console/matters/" + matterNew + "/status", "/console/matters/" + matterNew + "/assign",
		"/console/reveal/" + registration, "/console/registrations.csv",
	} {
		if code, body := viewer.post(path, "state", hub.StateDone, "worker_name", "x"); code != http.StatusForbidden || strings.Contains(body, idNumber) {
			t.Errorf("viewer POST %s: %d, want 403", path, code)
		}
	}
	if st, _, _ := f.store.Record(matterNew); st.State != hub.StateReceived {
		t.Fatalf("a viewer changed the state to %s", st.State)
	}
	if code, _ := viewer.get("/console/audit"); code != http.StatusForbidden {
		t.Errorf("viewer GET audit: %d, want 403", code)
	}
	if code, _ := f.loggedIn(t, "xfw.staff").get("/console/audit"); code != http.StatusForbidden {
		t.Errorf("staff GET audit: %d, want 403", code)
	}
	if code, _ := viewer.get("/console/matters/" + matterZL); code != http.StatusOK {
		t.Errorf("viewer reads a matter: %d", code)
	}
	if code, _ := f.loggedIn(t, "county.admin").get("/console/audit"); code != http.StatusOK {
		t.Errorf("admin GET audit: %d", code)
	}
	anon := f.browser(t)
	if code, _ := anon.get("/console/matters"); code != http.StatusSeeOther {
		t.Errorf("GET inbox logged out: %d, want a redirect to log in", code)
	}
	if code, _ := anon.post("/console/matters/"+matterNew+"/status", "state", hub.StateDone); code != http.StatusUnauthorized {
		t.Errorf("POST logged out: %d, want 401", code)
	}
}

// Every POST needs the session's CSRF token, the log-in form its own;
// a cross-site form is refused before that.
func TestCSRFRefused(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, "county.admin")
	good := b.csrf
	for _, tok := range []string{"", "wrong", good + "x"} {
		b.csrf = tok
		if code, _ := b.post("/console/matters/"+matterNew+"/status", "state", hub.StateDone); code != http.StatusForbidden {
			t.Errorf("status with CSRF token %q: %d, want 403", tok, code)
		}
		b.csrf = tok // the refusal's page carried the right one
		if code, _ := b.post("/console/logout"); code != http.StatusForbidden {
			t.Errorf("log-out with CSRF token %q: %d, want 403", tok, code)
		}
	}
	if st, _, _ := f.store.Record(matterNew); st.State != hub.StateReceived {
		t.Fatalf("a forged form changed the state to %s", st.State)
	}
	// Another admin's token is not this session's.
	other := f.loggedIn(t, "county.admin")
	b.csrf = other.csrf
	if code, _ := b.post("/console/matters/"+matterNew+"/status", "state", hub.StateDone); code != http.StatusForbidden {
		t.Errorf("status with another session's token: %d, want 403", code)
	}
	// A cross-site form, even with the right token.
	req, _ := http.NewRequest("POST", f.url+"/console/matters/"+matterNew+"/status",
		strings.NewReader("csrf="+good+"&state=done"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	// The log-in form without its token.
	anon := f.browser(t)
	anon.get("/console/login")
	anon.csrf = "forged"
	if code, _ := anon.post("/console/login", "name", "county.admin", "password", password); code != http.StatusForbidden {
		t.Errorf("log-in with a forged token: %d, want 403", code)
	}
	b.csrf = good
	if code, _ := b.post("/console/matters/"+matterNew+"/status", "state", hub.StateDone); code != http.StatusSeeOther {
		t.Errorf("status with the right token: %d, want 303", code)
	}
}

// Failed log-ins are counted per account and per client; once over the
// limit even the right password is refused, with a message saying for
// how long, until the window passes.
func TestLoginThrottle(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	for i := range 3 {
		if code := b.login("xfw.staff", "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, code)
		}
	}
	b.get("/console/login")
	code, body := b.post("/console/login", "name", "xfw.staff", "password", password)
	if code != http.StatusTooManyRequests || !strings.Contains(body, "该账号登录失败次数过多，请 15 分钟后再试") ||
		!strings.Contains(body, "try again in 15 minutes") {
		t.Fatalf("the right password after 3 failures: %d\n%s", code, body)
	}
	// Another client is refused too: the account is what is counted.
	if code := f.browser(t).login("xfw.staff", password); code != http.StatusTooManyRequests {
		t.Fatalf("the account from another browser: %d, want 429", code)
	}
	f.clock.Add(15*time.Minute + time.Second)
	if code := b.login("xfw.staff", password); code != http.StatusSeeOther {
		t.Fatalf("after the window: %d, want 303", code)
	}
	// The client: made-up names, each failing once, up to the client's
	// limit (6; the 3 failures above have left the window).
	for i := range 6 {
		b.login("nobody"+string(rune('a'+i)), "x")
	}
	_, body = func() (int, string) {
		b.get("/console/login")
		return b.post("/console/login", "name", "county.admin", "password", password)
	}()
	if !strings.Contains(body, "这台电脑登录失败次数过多") {
		t.Fatalf("after 6 failures from one client, log-in was not refused:\n%s", body)
	}
}

// A new status is what the station's look-up answers, with the note;
// the matter's page shows the assignment and the change in its history.
func TestStatusReachesStation(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, "xfw.staff")
	if code, _ := b.get("/console/matters/" + matterNew); code != http.StatusOK {
		t.Fatalf("matter page: %d", code)
	}
	if code, _ := b.post("/console/matters/"+matterNew+"/assign", "worker", "李建国"); code != http.StatusSeeOther {
		t.Fatalf("assign: %d", code)
	}
	b.get("/console/matters/" + matterNew)
	if code, _ := b.post("/console/matters/"+matterNew+"/status", "state", hub.StateInProgress, "note", "电工明天上午上门"); code != http.StatusSeeOther {
		t.Fatalf("status: %d", code)
	}
	code, st := f.stationStatus(t, tokenXFW, matterNew)
	if code != http.StatusOK || st.State != hub.StateInProgress || st.Note != "电工明天上午上门" {
		t.Fatalf("the station's look-up: %d %+v", code, st)
	}
	_, page := b.get("/console/matters/" + matterNew)
	for _, want := range []string{"指派给 assigned to 李建国", "办理中 In progress", "电工明天上午上门", "xfw.staff"} {
		if !strings.Contains(page, want) {
			t.Errorf("the matter's page lacks %q", want)
		}
	}
	if code, _ := b.post("/console/matters/"+matterNew+"/status", "state", "closed"); code != http.StatusBadRequest {
		t.Errorf("an unknown state: %d, want 400", code)
	}
}

// Personal data is masked in lists and exports; showing it in full is
// written to the audit log first.
func TestRevealAndExportAudited(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, "xfw.staff")
	_, list := b.get("/console/registrations")
	if strings.Contains(list, idNumber) || strings.Contains(list, "王秀兰") || strings.Contains(list, phone) || !strings.Contains(list, "1410**********1226") {
		t.Fatalf("the list shows personal data unmasked:\n%s", list)
	}
	code, body := b.post("/console/reveal/" + registration)
	if code != http.StatusOK || !strings.Contains(body, idNumber) || !strings.Contains(body, "王秀兰") {
		t.Fatalf("reveal: %d", code)
	}
	code, csv, hd := b.do("GET", "/console/volunteers.csv", nil)
	if code != http.StatusOK || !strings.HasPrefix(csv, "\ufeff") || strings.Contains(csv, idNumber) ||
		!strings.Contains(csv, "助老送餐") || !strings.Contains(csv, "张*") || !strings.Contains(hd.Get("Content-Type"), "text/csv") {
		t.Fatalf("masked CSV: %d %q\n%s", code, hd.Get("Content-Type"), csv)
	}
	b.get("/console/registrations")
	if code, csv = b.post("/console/registrations.csv"); code != http.StatusOK || !strings.Contains(csv, idNumber) || !strings.HasPrefix(csv, "\ufeff") {
		t.Fatalf("CSV with personal data: %d\n%s", code, csv)
	}
	log, err := f.store.Audit(0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		if e.User == "xfw.staff" && e.Action != "login" {
			got = append(got, e.Action+" "+e.Target)
		}
	}
	want := []string{"export registration", "reveal " + registration}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("audit log of xfw.staff: %q, want %q", got, want)
	}
	_, audit := f.loggedIn(t, "county.admin").get("/console/audit")
	if !strings.Contains(audit, "查看个人信息 personal data shown") || !strings.Contains(audit, registration) {
		t.Fatalf("the audit page does not show the reveal:\n%s", audit)
	}
}

// A session ends after 30 idle minutes or 12 hours, and at log-out; it
// lives in the store, so a second hub process on the same store knows it.
func TestSessions(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, "county.admin")
	second := httpServer(t, f.handler(t, &console.Console{Store: f.store, Now: f.clock.Now}))
	saved := b.base
	b.base = second
	if code, _ := b.get("/console/matters"); code != http.StatusOK {
		t.Fatalf("the session at a second hub process: %d", code)
	}
	b.base = saved
	f.clock.Add(29 * time.Minute)
	if code, _ := b.get("/console/matters"); code != http.StatusOK {
		t.Fatalf("after 29 idle minutes: %d", code)
	}
	f.clock.Add(31 * time.Minute)
	code, _, hd := b.do("GET", "/console/matters", nil)
	if code != http.StatusSeeOther || !strings.Contains(hd.Get("Location"), "why=expired") {
		t.Fatalf("after 31 idle minutes: %d %s", code, hd.Get("Location"))
	}
	b = f.loggedIn(t, "county.admin")
	for range 25 {
		f.clock.Add(29 * time.Minute)
		b.get("/console/matters")
	}
	if code, _ := b.get("/console/matters"); code != http.StatusSeeOther {
		t.Fatalf("after 12 busy hours: %d, want the log-in page", code)
	}
	b = f.loggedIn(t, "county.admin")
	if code, _ := b.post("/console/logout"); code != http.StatusSeeOther {
		t.Fatalf("log-out: %d", code)
	}
	if code, _ := b.get("/console/matters"); code != http.StatusSeeOther {
		t.Fatalf("after log-out: %d", code)
	}
	// A disabled account's sessions end at once.
	b = f.loggedIn(t, "xfw.staff")
	u, _, _ := f.store.User("xfw.staff")
	u.Disabled = true
	f.store.PutUser(u)
	if code, _ := b.get("/console/matters"); code != http.StatusSeeOther {
		t.Fatalf("a disabled account's session: %d", code)
	}
	if code := f.browser(t).login("xfw.staff", password); code != http.StatusUnauthorized {
		t.Fatalf("a disabled account logs in: %d", code)
	}
}

// The session cookie is HttpOnly and SameSite=Strict, and over TLS
// Secure with the __Host- prefix.
func TestCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		f := newFixture(t)
		f.con.Secure = secure
		b := f.browser(t)
		b.get("/console/login")
		_, _, hd := b.do("POST", "/console/login", map[string][]string{"csrf": {b.csrf}, "name": {"county.admin"}, "password": {password}})
		var found bool
		for _, line := range hd.Values("Set-Cookie") {
			if !strings.Contains(line, "gk_console=") || strings.Contains(line, "Max-Age=0") {
				continue
			}
			found = true
			if !strings.Contains(line, "HttpOnly") || !strings.Contains(line, "SameSite=Strict") {
				t.Errorf("secure=%v: cookie %q", secure, line)
			}
			if secure != strings.Contains(line, "; Secure") || secure != strings.HasPrefix(line, "__Host-") {
				t.Errorf("secure=%v: cookie %q", secure, line)
			}
		}
		if !found {
			t.Errorf("secure=%v: no session cookie in %q", secure, hd.Values("Set-Cookie"))
		}
	}
}

func TestPassword(t *testing.T) {
	h, err := console.HashPasswordWith(cheap, password)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pw   string
		want bool
	}{{password, true}, {password + " ", false}, {"", false}} {
		if ok, err := console.VerifyPassword(h, c.pw); ok != c.want || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v", c.pw, ok, err)
		}
	}
	if _, err := console.HashPassword("short"); err == nil {
		t.Error("a 5-character password was taken")
	}
	if _, err := console.VerifyPassword("$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "x"); err == nil {
		t.Error("a hash with absurd costs was checked")
	}
}

// A county's inbox lists at most 500 matters, overdue first, and says
// that the filters reach the rest.
func TestInboxCapped(t *testing.T) {
	f := newFixture(t)
	var recs []wire.Record
	for i := range 510 {
		recs = append(recs, wire.Record{ID: fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", 1000+i), Kind: "matter", Seq: uint64(100 + i),
			CreatedAt: t0, Grid: json.RawMessage(`{"county":"141029","community":"141029100001"}`),
			Payload: json.RawMessage(`{"category":"repair","description":"批量"}`)})
	}
	if _, err := f.store.Ingest(stationXFW, recs, t0); err != nil {
		t.Fatal(err)
	}
	_, body := f.loggedIn(t, "county.admin").get("/console/matters")
	if n := strings.Count(body, `<a href="/console/matters/0190`); n != 500 {
		t.Errorf("%d matters listed, want 500", n)
	}
	if !strings.Contains(body, "只列出前 500 件") || !strings.Contains(body, "共 513 件") || !strings.Contains(body, "北坡自然村路口") {
		t.Error("the capped inbox does not say so, or lost the overdue matter")
	}
}
