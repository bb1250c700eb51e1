package console_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

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
