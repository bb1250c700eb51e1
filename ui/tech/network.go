package tech

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// rateWindow is the span the send rate is measured over.
const rateWindow = time.Minute

// sample is the forwarder's count of records sent, at a time.
type sample struct {
	at   time.Time
	sent uint64
}

// form is a two-column page of names and values.
type form struct {
	grid   *fyne.Container
	values map[string]*widget.Label
}

func newForm() *form {
	return &form{grid: container.New(layout.NewFormLayout()), values: map[string]*widget.Label{}}
}

// row adds a named value, shown under key.
func (f *form) row(key, name string) {
	n := touch.NewLabel(name, false)
	n.TextStyle.Bold = true
	v := touch.NewLabel("", true)
	f.grid.Add(n)
	f.grid.Add(v)
	f.values[key] = v
}

func (f *form) set(key, value string) { f.values[key].SetText(value) }

// networkPage is the link to the county hub and the queue of records.
type networkPage struct {
	s       *Screen
	dot     *canvas.Circle
	online  *canvas.Text
	f       *form
	samples []sample
	content fyne.CanvasObject
}

func newNetworkPage(s *Screen) *networkPage {
	p := &networkPage{s: s, dot: dot(), online: touch.NewText("", 26, touch.Grey, true), f: newForm()}
	for _, r := range [][3]string{
		{"queued", "待发送", "Waiting"},
		{"kept", "已送达 / 被退回", "Delivered / returned"},
		{"last", "上次联通", "Last success"},
		{"tls", "连接加密", "Link security"},
		{"error", "最近错误", "Last error"},
		{"rate", "发送速率", "Send rate"},
		{"refdata", "参考数据", "Reference data"},
		{"clock", "时钟", "Clock"},
	} {
		p.f.row(r[0], s.tr(r[1], r[2]))
	}
	lamp := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(28), p.dot))
	_, page := paged(p.f.grid)
	p.content = container.NewBorder(container.NewHBox(lamp, p.online), nil, nil, nil, page)
	return p
}

func (p *networkPage) show(h station.Health) {
	s, now := p.s, p.s.now()
	u, o := h.Upstream, h.Outbox
	var word string
	var c color.Color
	switch {
	case !u.Configured:
		word, c = s.tr("未配置上级平台（upstream.url），记录留在本机", "No hub configured (upstream.url): records stay here"), touch.Amber
	case u.Alert != "":
		word, c = s.tr("上传已暂停：", "Sending stopped: ")+u.Alert, touch.Red
	case u.Online:
		word, c = s.tr("在线：记录正在送往县平台", "Online: records go to the county hub"), touch.Green
	default:
		word, c = s.tr("离线：记录安全保存在本机，联网后自动发送", "Offline: records are kept here and sent later"), touch.Amber
	}
	p.dot.FillColor, p.online.Text, p.online.Color = c, word, c
	p.dot.Refresh()
	p.online.Refresh()

	queued := fmt.Sprintf(s.tr("%d 条", "%d"), o.Queued)
	if o.OldestQueued != nil {
		queued += s.tr("，最早一条 ", ", the oldest ") + age(s.lang, now.Sub(*o.OldestQueued))
	}
	p.f.set("queued", queued+fmt.Sprintf(s.tr("（最后序号 %d）", " (last number %d)"), o.LastSeq))
	p.f.set("kept", fmt.Sprintf("%d / %d", o.Delivered, o.Rejected))
	p.f.set("last", s.tr("从未", "never"))
	if u.LastSuccess != nil {
		p.f.set("last", u.LastSuccess.In(now.Location()).Format("01-02 15:04:05")+"，"+age(s.lang, now.Sub(*u.LastSuccess)))
	}
	p.f.set("tls", p.security(u.TLS))
	p.f.set("error", orDash(u.LastError))
	p.f.set("rate", p.rate(now, u.Sent))
	p.f.set("refdata", p.refData(now, h.RefData))
	p.f.set("clock", p.clock(h.Clock))
}

// rate measures the records the hub acknowledged per minute from the
// forwarder's running count, over the last minute.
func (p *networkPage) rate(now time.Time, sent uint64) string {
	p.samples = append(p.samples, sample{now, sent})
	for len(p.samples) > 2 && now.Sub(p.samples[1].at) >= rateWindow {
		p.samples = p.samples[1:]
	}
	first := p.samples[0]
	span := now.Sub(first.at)
	total := fmt.Sprintf(p.s.tr("；启动以来共 %d 条", "; %d since start"), sent)
	if span < 5*time.Second || sent < first.sent {
		return p.s.tr("正在测量…", "measuring…") + total
	}
	perMin := float64(sent-first.sent) / span.Minutes()
	return fmt.Sprintf(p.s.tr("%.1f 条/分钟", "%.1f a minute"), perMin) + total
}

func (p *networkPage) refData(now time.Time, r station.RefDataState) string {
	s := p.s
	if r.ETag == "" && r.FetchedAt == nil {
		return s.tr("尚未取得：工作人员密码和二维码暂不能用", "none yet: staff PINs and signed codes do not work yet") + errSuffix(r.LastError)
	}
	v := "ETag " + short(r.ETag)
	if r.FetchedAt != nil {
		v += s.tr("，取于 ", ", fetched ") + age(s.lang, now.Sub(*r.FetchedAt))
	}
	return v + errSuffix(r.LastError)
}

// security says how the link to the hub is protected, naming the CA file
// and pins a technician would check when the hub is refused.
func (p *networkPage) security(mode string) string {
	s, u := p.s, p.s.st.Config().Upstream
	ca := ""
	if u.CAFile != "" {
		ca = s.tr("，县级 CA ", ", county CA ") + u.CAFile
		if u.CAMode == "replace" {
			ca += s.tr("（只信任它）", " (trusted alone)")
		}
	}
	switch mode {
	case "tls":
		return s.tr("TLS，系统根证书", "TLS, the system's CAs")
	case "tls+ca_file":
		return "TLS" + ca
	case "pinned":
		return fmt.Sprintf(s.tr("TLS，已固定 %d 个密钥", "TLS, %d key pins"), len(u.PinSHA256)) + ca
	case "insecure_http":
		return s.tr("未加密 HTTP（upstream.insecure_http = true）", "unencrypted HTTP (upstream.insecure_http = true)")
	case "loopback_http":
		return s.tr("HTTP，仅限本机", "HTTP to this machine only")
	}
	return "—"
}

func (p *networkPage) clock(c station.ClockState) string {
	s := p.s
	v := s.tr("未校准：记录顺序以序号为准", "not confirmed: records are ordered by number")
	if c.Trusted {
		v = s.tr("已校准", "confirmed") + "（" + c.Source + "）"
	}
	if c.HubSeen {
		v += fmt.Sprintf(s.tr("；与县平台相差 %+.1f 秒", "; hub minus local %+.1f s"), float64(c.OffsetMS)/1000)
	}
	return v
}

func errSuffix(e string) string {
	if e == "" {
		return ""
	}
	return "\n" + e
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// short is the start of an ETag, enough to compare two stations by.
func short(etag string) string {
	if len(etag) > 16 {
		return etag[:16] + "…"
	}
	return etag
}
