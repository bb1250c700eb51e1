package console

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// OfflineAfter is how long without a report makes a station offline,
// and an alert: six missed reports at the default interval, long enough
// that a restart or a short network cut does not page anyone.
const OfflineAfter = 30 * time.Minute

// backlogAge is how old a station's oldest queued record must be for a
// growing queue to be an alert: records that wait an hour while more
// come are not leaving.
const backlogAge = time.Hour

// Link states of a station, from the age of its last report.
const (
	linkOnline  = "online"
	linkLate    = "late"
	linkOffline = "offline"
)

var linkLabels = map[string]string{linkOnline: "在线 Online", linkLate: "迟报 Late", linkOffline: "离线 Offline"}

// linkState is online within 1.5 of the station's intervals of its last
// report (a report may be a little late on a slow line), offline after
// OfflineAfter, and late between.
func linkState(r hub.HealthReport, now time.Time) string {
	age := now.Sub(r.ReceivedAt)
	switch {
	case age > OfflineAfter:
		return linkOffline
	case age <= time.Duration(r.Report.IntervalS)*time.Second*3/2:
		return linkOnline
	default:
		return linkLate
	}
}

var deviceLabels = map[string]string{
	wire.DeviceAbsent: "未配置 none", wire.DeviceReady: "正常 OK", wire.DeviceMissing: "未连接 unplugged",
	wire.DeviceLost: "无响应 not answering", wire.DeviceError: "故障 fault", wire.DeviceUnknown: "未知 unknown",
}

func deviceLabel(d wire.Device) string {
	if l, ok := deviceLabels[d.State]; ok {
		return l
	}
	return d.State
}

// printerLabel says first what staff must fix.
func printerLabel(p wire.Printer) string {
	switch {
	case p.Paper == wire.PaperOut:
		return "缺纸 paper out"
	case p.Cover == wire.CoverOpen:
		return "纸仓盖开 cover open"
	case p.Cutter == wire.CutterErr:
		return "切刀故障 cutter error"
	}
	return deviceLabel(p.Device)
}

type stationRow struct {
	ID, Community, Link, LinkLabel, Version, Clock string
	// Slot, Update and UpdateLast are the update part of the report;
	// Assigned is the release the hub offers it, Behind when that is
	// newer than what it runs.
	System, Arch, Slot, Update, UpdateLast, Assigned string
	UpdateBad, Behind                                bool
	Reader, Scanner, Printer, Panel                  string
	ReaderBad, ScannerBad, PrinterBad                bool
	Depth                                            int
	OldestAge                                        string
	Rejected                                         int
	LastReport, LastSync                             string
	DiskFreeMB                                       int64
}

type alert struct {
	Station, Kind, Text string
}

var updateLabels = map[string]string{
	wire.UpdateIdle: "无更新 idle", wire.UpdateDownloading: "下载中 downloading", wire.UpdateWaiting: "待安装 waiting",
	wire.UpdateInstalling: "安装中 installing", wire.UpdateRebooting: "待重启 rebooting", wire.UpdateTrial: "试运行 on trial",
	wire.UpdateFailed: "失败 failed",
}

// setUpdate fills in the row's update columns from the report's update
// part, the station's latest update question (its arch and system
// version; nil before it asked) and the assignments that apply to it.
func (row *stationRow) setUpdate(h wire.Health, as []hub.Assignment, ask *hub.Asked) {
	arch := ""
	if ask != nil {
		arch, row.System, row.Arch = ask.Arch, ask.Version, ask.Arch
	}
	eff := hub.Effective(as, h.StationID, h.Community, arch)
	var parts []string
	for _, a := range eff {
		if a.Arch != "" && arch == "" {
			parts = append(parts, a.Arch+" "+a.Version)
		} else {
			parts = append(parts, a.Version)
		}
	}
	row.Assigned = strings.Join(parts, ", ")
	row.Behind = hub.Behind(row.System, eff)
	u := h.Update
	if u == nil {
		return
	}
	row.Slot = u.Slot
	row.Update = cmp.Or(updateLabels[u.State], u.State)
	if hub.Updating(u) && u.Percent > 0 {
		row.Update += fmt.Sprintf(" %d%%", u.Percent)
	}
	if u.Pending != "" {
		row.Update += " → " + u.Pending
	}
	row.UpdateBad = u.State == wire.UpdateFailed
	row.UpdateLast = u.Last
	if u.LastAt != nil && u.Last != "" {
		row.UpdateLast += "（" + when(*u.LastAt) + "）"
	}
}

// updates is what the stations' pages need besides the reports: the
// assignments and the stations' latest update questions.
type updates struct {
	assigned []hub.Assignment
	asked    map[string]hub.Asked
}

func (c *Console) updates() (updates, error) {
	as, err := c.Store.Assignments()
	if err != nil {
		return updates{}, err
	}
	asked, err := c.Store.Asked()
	if err != nil {
		return updates{}, err
	}
	u := updates{assigned: as, asked: make(map[string]hub.Asked, len(asked))}
	for _, a := range asked {
		u.asked[a.Station] = a
	}
	return u, nil
}

func (c *Console) row(r hub.HealthReport, now time.Time, up updates) stationRow {
	h := r.Report
	link := linkState(r, now)
	row := stationRow{
		ID: h.StationID, Community: h.Community, Link: link, LinkLabel: linkLabels[link], Version: h.Version,
		Reader: deviceLabel(h.Devices.Reader), Scanner: deviceLabel(h.Devices.Scanner),
		Printer: printerLabel(h.Devices.Printer), Panel: deviceLabel(h.Devices.Panel),
		ReaderBad:  bad(h.Devices.Reader),
		ScannerBad: bad(h.Devices.Scanner),
		PrinterBad: bad(h.Devices.Printer.Device) || h.Devices.Printer.Paper == wire.PaperOut,
		Depth:      h.Queue.Depth, Rejected: h.Queue.Rejected, OldestAge: age(time.Duration(h.Queue.OldestAgeS) * time.Second),
		LastReport: when(r.ReceivedAt), DiskFreeMB: h.DiskFreeMB,
	}
	if h.LastSync != nil {
		row.LastSync = when(*h.LastSync)
	}
	var ask *hub.Asked
	if a, ok := up.asked[h.StationID]; ok {
		ask = &a
	}
	row.setUpdate(h, up.assigned, ask)
	switch {
	case !h.Clock.Trusted:
		row.Clock = "未校准 not trusted"
	default:
		row.Clock = fmt.Sprintf("已校准 trusted (%s, %+.1f s)", h.Clock.Source, float64(h.Clock.OffsetMS)/1000)
	}
	return row
}

func bad(d wire.Device) bool {
	return d.State == wire.DeviceMissing || d.State == wire.DeviceLost || d.State == wire.DeviceError
}

func age(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Hour:
		return fmt.Sprintf("%d 分钟 min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f 小时 h", d.Hours())
	default:
		return fmt.Sprintf("%d 天 days", int(d.Hours()/24))
	}
}

// alerts are what needs someone: a station offline, out of paper, or
// with a backlog that grows while its oldest record waits over an hour.
func (c *Console) alerts(r hub.HealthReport, now time.Time) []alert {
	h := r.Report
	var out []alert
	if linkState(r, now) == linkOffline {
		out = append(out, alert{h.StationID, "offline", fmt.Sprintf("离线 %s（最后报告 %s）/ offline since the last report at %s",
			age(now.Sub(r.ReceivedAt)), when(r.ReceivedAt), when(r.ReceivedAt))})
	}
	if h.Devices.Printer.Paper == wire.PaperOut {
		out = append(out, alert{h.StationID, "paper", "打印机缺纸 / printer out of paper"})
	}
	if time.Duration(h.Queue.OldestAgeS)*time.Second > backlogAge {
		prev, err := c.Store.HealthHistory(h.StationID, 2)
		if err == nil && len(prev) == 2 && prev[1].Report.Queue.Depth < h.Queue.Depth {
			out = append(out, alert{h.StationID, "backlog", fmt.Sprintf("积压增长：%d 条待发，最早的已等 %s / backlog growing: %d queued, the oldest waiting %s",
				h.Queue.Depth, age(time.Duration(h.Queue.OldestAgeS)*time.Second), h.Queue.Depth, age(time.Duration(h.Queue.OldestAgeS)*time.Second))})
		}
	}
	return out
}

// seesStation: community staff see their own community's stations only.
func seesStation(u hub.User, h wire.Health) bool {
	return u.Role != hub.RoleStaff || h.Community == u.Community
}

type stationsData struct {
	Rows    []stationRow
	Alerts  []alert
	Offline string
	// Behind counts the stations not yet on their assigned release;
	// OnlyBehind lists just them (?behind=1).
	Behind     int
	OnlyBehind bool
}

func (c *Console) stations(w http.ResponseWriter, r *http.Request, s *session) {
	all, err := c.Store.LatestHealth()
	if err != nil {
		c.storeFailed(w, s, err)
		return
	}
	up, err := c.updates()
	if err != nil {
		c.storeFailed(w, s, err)
		return
	}
	now := c.Now()
	d := stationsData{Offline: age(OfflineAfter), OnlyBehind: r.URL.Query().Get("behind") == "1"}
	for _, rep := range all {
		if !seesStation(s.user, rep.Report) {
			continue
		}
		row := c.row(rep, now, up)
		if row.Behind {
			d.Behind++
		}
		if d.OnlyBehind && !row.Behind {
			continue
		}
		d.Rows = append(d.Rows, row)
		d.Alerts = append(d.Alerts, c.alerts(rep, now)...)
	}
	// Offline first, then late, then by ID: what needs someone on top.
	order := map[string]int{linkOffline: 0, linkLate: 1, linkOnline: 2}
	slices.SortStableFunc(d.Rows, func(a, b stationRow) int { return order[a.Link] - order[b.Link] })
	c.render(w, http.StatusOK, "stations", page{Title: "站点 Stations", User: &s.user, CSRF: s.CSRF, Nav: "stations", Data: d})
}

type stationData struct {
	Row     stationRow
	Alerts  []alert
	History []stationRow
	// For the county admin: the releases' versions, newest first, and
	// the station's own assignment, if any.
	CanAssign bool
	Versions  []string
	Own       string
}

func (c *Console) station(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	hist, err := c.Store.HealthHistory(id, 0)
	if err != nil {
		c.storeFailed(w, s, err)
		return
	}
	// Another community's station is answered as if it did not exist.
	if len(hist) == 0 || !seesStation(s.user, hist[0].Report) {
		c.fail(w, s, http.StatusNotFound, "没有这个站点 / No such station")
		return
	}
	up, err := c.updates()
	if err != nil {
		c.storeFailed(w, s, err)
		return
	}
	now := c.Now()
	d := stationData{Row: c.row(hist[0], now, up), Alerts: c.alerts(hist[0], now)}
	for _, h := range hist {
		d.History = append(d.History, c.row(h, now, up))
	}
	if d.CanAssign = s.user.Role == hub.RoleAdmin; d.CanAssign {
		if d.Versions, d.Own, err = c.releaseChoice(id, up.assigned); err != nil {
			c.storeFailed(w, s, err)
			return
		}
	}
	flash := map[string]string{"release": "已指派，服务站下次询问时得到 / Assigned; the station gets it when it next asks"}[r.URL.Query().Get("done")]
	c.render(w, http.StatusOK, "station", page{Title: "站点 Station " + id, User: &s.user, CSRF: s.CSRF, Nav: "stations", Flash: flash, Data: d})
}

// releaseChoice returns the versions the hub has releases of, newest
// first, and the version assigned to station itself ("" for none).
func (c *Console) releaseChoice(station string, as []hub.Assignment) ([]string, string, error) {
	rels, err := c.Store.Releases()
	if err != nil {
		return nil, "", err
	}
	var versions []string
	for _, r := range rels {
		if !slices.Contains(versions, r.Version) {
			versions = append(versions, r.Version)
		}
	}
	own := ""
	for _, a := range as {
		if a.Station == station {
			own = a.Version
		}
	}
	return versions, own, nil
}

// assignRelease sets or clears (version "") the release a station should
// run: the county admin's alone, audited like the command line's
// gridhub release assign. A county's assignment stays on the command
// line.
func (c *Console) assignRelease(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	hist, err := c.Store.HealthHistory(id, 1)
	if err != nil {
		c.storeFailed(w, s, err)
		return
	}
	if len(hist) == 0 {
		c.fail(w, s, http.StatusNotFound, "没有这个站点 / No such station")
		return
	}
	version := r.PostFormValue("version")
	now := c.Now()
	err = c.Store.Assign(hub.Assignment{Target: hub.Target{Station: id}, Version: version, By: s.user.Name, At: now})
	if errors.Is(err, hub.ErrNoRelease) || version != "" && wire.CheckVersion(version) != nil {
		c.fail(w, s, http.StatusBadRequest, "中心没有这个版本 / The hub has no such release")
		return
	}
	if err != nil {
		c.storeFailed(w, s, err)
		return
	}
	detail := cmp.Or(version, "none")
	if err := c.Store.AddAudit(hub.AuditEntry{At: now, User: s.user.Name, Action: "release-assign", Target: "station " + id, Detail: detail}); err != nil {
		c.storeFailed(w, s, err)
		return
	}
	http.Redirect(w, r, "/console/stations/"+url.PathEscape(id)+"?done=release", http.StatusSeeOther)
}
