package tech

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// configPage summarises the configuration a technician checks on site.
type configPage struct {
	s       *Screen
	f       *form
	content fyne.CanvasObject
}

func newConfigPage(s *Screen) *configPage {
	p := &configPage{s: s, f: newForm()}
	for _, r := range [][3]string{
		{"station", "站点", "Station"},
		{"grid", "网格", "Grid"},
		{"idcard", "身份证阅读器", "ID card reader"},
		{"scanner", "扫码器", "QR scanner"},
		{"printer", "打印机", "Printer"},
		{"hub", "县平台地址", "Hub URL"},
		{"data", "数据目录", "Data"},
		{"version", "版本", "Version"},
		{"system", "系统", "System"},
		{"update", "系统更新", "Update"},
		{"lastupdate", "上次更新", "Last update"},
	} {
		p.f.row(r[0], s.tr(r[1], r[2]))
	}
	_, p.content = paged(p.f.grid)
	return p
}

func (p *configPage) show(h station.Health) {
	s, c := p.s, p.s.st.Config()
	none := s.tr("未配置", "not configured")
	p.f.set("station", c.Station.ID+"  "+c.Station.Name)
	g := c.Station.Grid
	p.f.set("grid", join(" › ", g.County, g.Township, g.Community, g.Compound, g.Micro))
	d := c.Devices
	p.f.set("idcard", orElse(serial(d.IDCard.Port, d.IDCard.Baud), none))
	sc := serial(d.Scanner.Port, d.Scanner.Baud)
	if sc != "" && d.Scanner.Trigger != "" {
		sc += s.tr("，触发 ", ", trigger ") + d.Scanner.Trigger
	}
	p.f.set("scanner", orElse(sc, none))
	p.f.set("printer", orElse(printerWhere(d.Printer), none))
	hub := s.tr("未配置：记录只存本机", "not configured: records stay here")
	if c.Upstream.URL != "" {
		hub = redact(c.Upstream.URL) + s.tr("\n令牌文件 ", "\ntoken file ") + c.Upstream.TokenFile
	}
	p.f.set("hub", hub)
	p.f.set("data", fmt.Sprintf(s.tr("%s，已送达记录保留 %d 天", "%s, delivered records kept %d days"), c.Storage.Dir, c.Storage.RetentionDays))
	up := (time.Duration(h.UptimeSec) * time.Second).String()
	p.f.set("version", orElse(h.Version, "dev")+s.tr("，已运行 ", ", up ")+up)
	p.showUpdate(h.Update)
}

// showUpdate shows the system update: the slot and system version, what
// is under way, and how the last attempt ended.
func (p *configPage) showUpdate(u *station.UpdateView) {
	s := p.s
	if u == nil || !u.Enabled {
		off := s.tr("系统更新已关闭（update.enabled）", "system updates off (update.enabled)")
		p.f.set("system", off)
		p.f.set("update", "-")
		p.f.set("lastupdate", "-")
		return
	}
	unknown := s.tr("未知", "unknown")
	p.f.set("system", fmt.Sprintf(s.tr("分区 %s，版本 %s", "slot %s, version %s"), orElse(u.Slot, "-"), orElse(u.Version, unknown)))
	state := s.word(u.State)
	if u.Pending != "" {
		state += " " + u.Pending
	}
	var about []string
	if u.Source != "" {
		about = append(about, s.tr("来自", "from ")+s.word(u.Source))
	}
	if u.Percent > 0 {
		about = append(about, fmt.Sprintf("%d%%", u.Percent))
	}
	if u.Busy {
		about = append(about, s.tr("终端使用中，稍后继续", "kiosk in use, goes on later"))
	}
	if len(about) > 0 {
		state += s.tr("（", " (") + strings.Join(about, s.tr("，", ", ")) + s.tr("）", ")")
	}
	if u.Window != "" {
		state += s.tr("\n重启时段 ", "\nreboots in ") + u.Window
	}
	p.f.set("update", state)
	last := "-"
	if u.Reason != "" {
		last = s.word(u.Reason)
		if u.LastAt != nil {
			last += "  " + u.LastAt.In(s.now().Location()).Format("01-02 15:04")
		}
		if u.Last != "" {
			last += "\n" + u.Last
		}
	}
	p.f.set("lastupdate", last)
}

func serial(port string, baud int) string {
	if port == "" {
		return ""
	}
	return fmt.Sprintf("%s @ %d", port, baud)
}

func printerWhere(p config.Printer) string {
	var w string
	switch {
	case p.Port != "":
		w = serial(p.Port, p.Baud)
	case p.USB != "":
		w = p.USB
	case p.TCP != "":
		w = "tcp://" + p.TCP
	default:
		return ""
	}
	return w + "  " + p.Paper
}

// redact drops from a URL what may carry a credential: user and password,
// the query and the fragment. The station's token is in its own file, but
// a URL typed by hand may hold one too.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	return u.String()
}

func join(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

func orElse(s, other string) string {
	if s == "" {
		return other
	}
	return s
}
