package console_test

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// healthOf is a report of one of the fixture's stations.
func healthOf(station, community string, paper string, depth int, oldest time.Duration) wire.Health {
	pr := wire.Printer{Device: wire.Device{State: wire.DeviceReady}, Paper: paper, Cover: wire.CoverOK, Cutter: wire.CutterOK}
	if paper == wire.PaperOut {
		pr.State = wire.DeviceError
	}
	return wire.Health{StationID: station, Community: community, At: t0, IntervalS: 300, Version: "1.4.0", UptimeS: 3600,
		Clock: wire.HealthClock{Trusted: true, Source: "hub", OffsetMS: 800},
		Devices: wire.Devices{Reader: wire.Device{State: wire.DeviceReady}, Scanner: wire.Device{State: wire.DeviceReady},
			Printer: pr, Panel: wire.Device{State: wire.DeviceAbsent}},
		Queue: wire.HealthQueue{Depth: depth, OldestAgeS: int64(oldest.Seconds())}, DiskFreeMB: 2048}
}

// report posts h to the hub's endpoint as the station whose token is
// given, as the station's client does.
func (f *fixture) report(t testing.TB, token string, h wire.Health) {
	t.Helper()
	b, err := h.Fit()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, f.url+wire.PathHealth, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("health report of %s: %d", h.StationID, resp.StatusCode)
	}
}

// A station reporting is online; five minutes late it is late; silent
// for over 30 minutes it is offline and on the alert list. Paper out and
// a growing backlog are alerts at once.
func TestStationsOnlineLateOffline(t *testing.T) {
	f := newFixture(t)
	f.report(t, tokenXFW, healthOf(stationXFW, communityXFW, wire.PaperOK, 0, 0))
	f.report(t, tokenZL, healthOf(stationZL, communityZL, wire.PaperOK, 3, 2*time.Hour))
	b := f.loggedIn(t, "county.admin")
	_, page := b.get("/console/stations")
	if !strings.Contains(page, "在线 Online") || strings.Contains(page, "离线 Offline") || !strings.Contains(page, "没有告警") {
		t.Fatalf("both just reported:\n%s", page)
	}
	f.clock.Add(8 * time.Minute)
	f.report(t, tokenZL, healthOf(stationZL, communityZL, wire.PaperOut, 9, 2*time.Hour+8*time.Minute))
	_, page = b.get("/console/stations")
	for _, want := range []string{"迟报 Late", "打印机缺纸", "积压增长：9 条待发"} {
		if !strings.Contains(page, want) {
			t.Errorf("after 8 min: no %q", want)
		}
	}
	f.clock.Add(25 * time.Minute)
	_, page = b.get("/console/stations")
	if !strings.Contains(page, "离线 Offline") || !strings.Contains(page, "离线 33 分钟 min") {
		t.Fatalf("33 min after its last report 幸福湾 is not offline:\n%s", page)
	}
	code, page := b.get("/console/stations/" + stationZL)
	if code != 200 || strings.Count(page, "<tr><td data-label=\"收到 Received\">") != 2 || !strings.Contains(page, "缺纸 paper out") {
		t.Fatalf("station page: %d\n%s", code, page)
	}
}

// Community staff see their own community's stations only; another's
// is answered as if it did not exist.
func TestStationsScoped(t *testing.T) {
	f := newFixture(t)
	f.report(t, tokenXFW, healthOf(stationXFW, communityXFW, wire.PaperOK, 0, 0))
	f.report(t, tokenZL, healthOf(stationZL, communityZL, wire.PaperOut, 0, 0))
	b := f.loggedIn(t, "xfw.staff")
	_, page := b.get("/console/stations")
	if !strings.Contains(page, stationXFW) || strings.Contains(page, stationZL) {
		t.Fatalf("幸福湾's staff see:\n%s", page)
	}
	if code, _ := b.get("/console/stations/" + stationZL); code != http.StatusNotFound {
		t.Fatalf("another community's station: %d, want 404", code)
	}
	v := f.loggedIn(t, "county.viewer")
	if _, page := v.get("/console/stations"); !strings.Contains(page, stationZL) || !strings.Contains(page, stationXFW) {
		t.Fatal("a viewer does not see every station")
	}
}

// updating is a station's report with an update part.
func updating(station, community string, u wire.HealthUpdate) wire.Health {
	h := healthOf(station, community, wire.PaperOK, 0, 0)
	h.Update = &u
	return h
}

// ask asks the hub's update question as the station whose token is
// given, running system version on amd64, as the station's updater does.
func (f *fixture) ask(t testing.TB, token, station, version string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.url+fmt.Sprintf(wire.PathUpdateFormat, station)+"?arch=amd64&version="+url.QueryEscape(version), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		t.Fatalf("update question of %s: %d", station, resp.StatusCode)
	}
}

const (
	relOld = "2026.12.1.20000+gaaaaaaa"
	relNew = "2026.12.7.140500+g61892aa"
)

// addReleases keeps two releases and assigns the newer to county 141029.
func (f *fixture) addReleases(t testing.TB) {
	t.Helper()
	for _, v := range []string{relOld, relNew} {
		if err := f.store.PutRelease(hub.Release{Version: v, Arch: "amd64", Size: 1000, SHA256: strings.Repeat("ab", 32),
			Path: "/srv/gridhub/releases/" + v + "/amd64/bundle.raucb", AddedAt: t0, AddedBy: "cli:root"}, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.Assign(hub.Assignment{Target: hub.Target{County: "141029"}, Version: relNew, By: "cli:root", At: t0}); err != nil {
		t.Fatal(err)
	}
}

// The stations' pages show each station's version and slot, its update
// as it reports it (state, percent, the last result), the release
// assigned to it, and which stations are behind it; community staff
// count only their own.
func TestStationsUpdate(t *testing.T) {
	f := newFixture(t)
	f.addReleases(t)
	lastAt := t0.Add(-24 * time.Hour)
	f.report(t, tokenXFW, updating(stationXFW, communityXFW,
		wire.HealthUpdate{Slot: "A", State: wire.UpdateDownloading, Pending: relNew, Percent: 42, Last: "ok " + relOld, LastAt: &lastAt}))
	f.report(t, tokenZL, updating(stationZL, communityZL,
		wire.HealthUpdate{Slot: "B", State: wire.UpdateFailed, Pending: relNew, Last: "签名无效 signature refused", LastAt: &lastAt}))
	b := f.loggedIn(t, "county.admin")
	_, page := b.get("/console/stations")
	if strings.Contains(page, "待更新 behind") {
		t.Errorf("behind before the stations said what they run:\n%s", page)
	}
	f.ask(t, tokenXFW, stationXFW, relOld)
	f.ask(t, tokenZL, stationZL, relOld)
	_, page = b.get("/console/stations")
	page = html.UnescapeString(page) // the versions' "+"
	for _, want := range []string{"下载中 downloading 42% → " + relNew, `<strong class="tag">失败 failed → ` + relNew,
		relOld + "（分区 slot A, amd64）", "分区 slot B, amd64", "待更新 behind", "2 个站点未运行指派的版本", `href="/console/stations?behind=1"`} {
		if !strings.Contains(page, want) {
			t.Errorf("stations page lacks %q", want)
		}
	}
	code, page := b.get("/console/stations/" + stationZL)
	page = html.UnescapeString(page)
	for _, want := range []string{relOld + "（分区 slot B, amd64）", "签名无效 signature refused（", "指派版本 Assigned release</dt><dd>" + relNew} {
		if code != 200 || !strings.Contains(page, want) {
			t.Errorf("station page: %d, lacks %q", code, want)
		}
	}

	// 枣岭 installed it and runs it: only 幸福湾 is behind now.
	f.report(t, tokenZL, updating(stationZL, communityZL,
		wire.HealthUpdate{Slot: "A", State: wire.UpdateIdle, Last: "ok " + relNew, LastAt: &t0}))
	f.ask(t, tokenZL, stationZL, relNew)
	_, page = b.get("/console/stations?behind=1")
	if !strings.Contains(page, "1 个站点") && !strings.Contains(page, "未运行指派版本的站点") || !strings.Contains(page, stationXFW) ||
		strings.Contains(page, `href="/console/stations/`+stationZL+`"`) {
		t.Errorf("behind only: want 幸福湾 alone:\n%s", page)
	}
	// A station's own assignment wins: 幸福湾 is told to stay on the old one.
	if err := f.store.Assign(hub.Assignment{Target: hub.Target{Station: stationXFW}, Version: relOld, By: "cli:root", At: t0}); err != nil {
		t.Fatal(err)
	}
	_, page = b.get("/console/stations")
	if strings.Contains(page, "待更新 behind") || strings.Contains(page, "个站点未运行指派的版本") {
		t.Errorf("no station is behind now:\n%s", page)
	}
	if err := f.store.Assign(hub.Assignment{Target: hub.Target{Station: stationXFW}, By: "cli:root", At: t0}); err != nil {
		t.Fatal(err)
	}
	zl := f.loggedIn(t, "zl.staff")
	if _, page := zl.get("/console/stations"); strings.Contains(page, "个站点未运行指派的版本") || strings.Contains(page, stationXFW) {
		t.Errorf("枣岭's staff see 幸福湾 behind:\n%s", page)
	}
	xfw := f.loggedIn(t, "xfw.staff")
	if _, page := xfw.get("/console/stations"); !strings.Contains(page, "1 个站点未运行指派的版本") {
		t.Errorf("幸福湾's staff do not see their station behind:\n%s", page)
	}
}

// The county admin assigns one station's release on its page, audited;
// community staff and viewers may not, nor a forged form, nor a version
// the hub has no release of.
func TestStationAssignRelease(t *testing.T) {
	f := newFixture(t)
	f.addReleases(t)
	f.report(t, tokenXFW, healthOf(stationXFW, communityXFW, wire.PaperOK, 0, 0))
	f.ask(t, tokenXFW, stationXFW, relOld)
	path := "/console/stations/" + stationXFW + "/release"
	for _, name := range []string{"xfw.staff", "county.viewer"} {
		if code, _ := f.loggedIn(t, name).post(path, "version", relOld); code != http.StatusForbidden {
			t.Errorf("%s assigns: %d, want 403", name, code)
		}
	}
	admin := f.loggedIn(t, "county.admin")
	_, page := admin.get("/console/stations/" + stationXFW)
	if !strings.Contains(html.UnescapeString(page), `<option value="`+relNew+`">`) || !strings.Contains(page, "跟随县里的指派") {
		t.Fatalf("station page has no release form for the admin:\n%s", page)
	}
	good := admin.csrf
	admin.csrf = "forged"
	if code, _ := admin.post(path, "version", relOld); code != http.StatusForbidden {
		t.Errorf("forged form: %d, want 403", code)
	}
	admin.csrf = good
	if code, page := admin.post(path, "version", "9.9.9"); code != http.StatusBadRequest || !strings.Contains(page, "中心没有这个版本") {
		t.Errorf("unknown version: %d", code)
	}
	if code, _ := admin.post("/console/stations/141029-none-01/release", "version", relOld); code != http.StatusNotFound {
		t.Errorf("unknown station: %d, want 404", code)
	}
	if a, ok, _ := f.store.Assigned(hub.Target{Station: stationXFW}); ok {
		t.Fatalf("refused forms assigned %+v", a)
	}

	if code, _ := admin.post(path, "version", relOld); code != http.StatusSeeOther {
		t.Fatalf("assign: %d, want 303 to the station's page", code)
	}
	code, page := admin.get("/console/stations/" + stationXFW + "?done=release")
	page = html.UnescapeString(page)
	if code != http.StatusOK || !strings.Contains(page, "已指派") || !strings.Contains(page, `<option value="`+relOld+`" selected>`) ||
		strings.Contains(page, "待更新 behind") {
		t.Fatalf("assigned %s: %d\n%s", relOld, code, page)
	}
	if a, ok, _ := f.store.Assigned(hub.Target{Station: stationXFW}); !ok || a.Version != relOld || a.By != "county.admin" {
		t.Fatalf("assignment %+v, %v", a, ok)
	}
	if code, _ := admin.post(path, "version", ""); code != http.StatusSeeOther {
		t.Fatalf("clear: %d, want 303", code)
	}
	if _, page := admin.get("/console/stations/" + stationXFW); !strings.Contains(page, "待更新 behind") {
		t.Fatalf("cleared: the county's %s applies again:\n%s", relNew, page)
	}
	audit, err := f.store.Audit(10)
	if err != nil || len(audit) < 2 || audit[0].Action != "release-assign" || audit[0].Detail != "none" || audit[1].Detail != relOld ||
		audit[0].User != "county.admin" || audit[0].Target != "station "+stationXFW {
		t.Fatalf("audit: %+v, %v", audit, err)
	}
}
