package ui

import (
	"context"
	"fmt"
	"image/color"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance"
)

// HealthSource is what the status screen reads.
type HealthSource interface {
	Health() appliance.Health
}

var (
	green = color.NRGBA{R: 0x1b, G: 0x7f, B: 0x3b, A: 0xff}
	amber = color.NRGBA{R: 0xb2, G: 0x5e, B: 0x00, A: 0xff}
	red   = color.NRGBA{R: 0xb0, G: 0x1c, B: 0x1c, A: 0xff}
)

// StatusScreen is the full-screen status display: the station's name,
// whether it is online, how many records wait to be sent and when the hub
// last answered. Chinese first, English beneath.
type StatusScreen struct {
	lang string
	now  func() time.Time

	title    *canvas.Text
	clock    *canvas.Text
	dot      *canvas.Circle
	online   *canvas.Text
	onlineEN *canvas.Text
	queue    *widget.Label
	lastSync *widget.Label
	clockSt  *widget.Label
	devices  *widget.Label
	problems *widget.Label
	root     fyne.CanvasObject
}

// NewStatusScreen builds the screen; lang is "zh-CN" or "en".
func NewStatusScreen(lang string, now func() time.Time) *StatusScreen {
	if now == nil {
		now = time.Now
	}
	s := &StatusScreen{lang: lang, now: now}
	s.title = canvas.NewText("", color.Black)
	s.title.TextSize = 44
	s.title.TextStyle.Bold = true
	s.title.Alignment = fyne.TextAlignCenter
	s.clock = canvas.NewText("", color.Black)
	s.clock.TextSize = 64
	s.clock.Alignment = fyne.TextAlignCenter
	s.dot = canvas.NewCircle(amber)
	s.online = canvas.NewText("", amber)
	s.online.TextSize = 40
	s.online.TextStyle.Bold = true
	s.onlineEN = canvas.NewText("", amber)
	s.onlineEN.TextSize = 22
	s.queue = widget.NewLabel("")
	s.lastSync = widget.NewLabel("")
	s.clockSt = widget.NewLabel("")
	s.devices = widget.NewLabel("")
	s.problems = widget.NewLabel("")
	s.problems.Wrapping = fyne.TextWrapWord
	for _, l := range []*widget.Label{s.queue, s.lastSync, s.clockSt, s.devices} {
		l.Alignment = fyne.TextAlignCenter
	}

	dot := container.NewGridWrap(fyne.NewSize(36, 36), s.dot)
	status := container.NewHBox(layout.NewSpacer(), container.NewCenter(dot), s.online, layout.NewSpacer())
	s.root = container.NewVBox(
		layout.NewSpacer(),
		s.title,
		s.clock,
		status,
		container.NewCenter(s.onlineEN),
		widget.NewSeparator(),
		s.queue, s.lastSync, s.clockSt, s.devices,
		s.problems,
		layout.NewSpacer(),
	)
	return s
}

// Content is the screen's root object.
func (s *StatusScreen) Content() fyne.CanvasObject { return s.root }

// Show puts h on screen. Call it on Fyne's goroutine (through fyne.Do).
func (s *StatusScreen) Show(h appliance.Health) {
	s.title.Text = h.Station.Name
	s.clock.Text = s.now().Format("15:04:05")
	switch {
	case !h.Upstream.Configured:
		s.setOnline(amber, "未连接上级平台", "No county hub configured: records are kept here")
	case h.Upstream.Alert != "":
		s.setOnline(red, "上传已暂停，请联系技术人员", "Sending stopped: the hub refused this station's token")
	case h.Upstream.Online:
		s.setOnline(green, "在线", "Online: records go to the county hub")
	default:
		s.setOnline(amber, "离线 — 记录已安全保存在本机", "Offline: records are kept safely here and sent later")
	}
	s.queue.SetText(fmt.Sprintf("待上传 %d 条   ·   Waiting to send: %d", h.Outbox.Queued, h.Outbox.Queued))
	if h.Upstream.LastSuccess != nil {
		t := h.Upstream.LastSuccess.Local().Format("2006-01-02 15:04:05")
		s.lastSync.SetText("上次同步 " + t + "   ·   Last sync " + t)
	} else {
		s.lastSync.SetText("尚未与上级平台同步   ·   Not yet synced with the hub")
	}
	if h.Clock.Trusted {
		s.clockSt.SetText("时钟已校准   ·   Clock confirmed")
	} else {
		s.clockSt.SetText("时钟未校准，记录顺序以序号为准   ·   Clock not confirmed: records are ordered by number")
	}
	s.devices.SetText(devicesLine(h.Peripherals))
	s.problems.SetText(strings.Join(h.Problems, "\n"))
	for _, o := range []fyne.CanvasObject{s.title, s.clock, s.dot, s.online, s.onlineEN} {
		o.Refresh()
	}
}

func (s *StatusScreen) setOnline(c color.Color, zh, en string) {
	s.dot.FillColor = c
	s.online.Color, s.onlineEN.Color = c, c
	s.online.Text, s.onlineEN.Text = zh, en
	if s.lang == "en" {
		s.online.Text, s.onlineEN.Text = en, zh
	}
}

func devicesLine(ps map[string]appliance.Peripheral) string {
	names := map[string]string{"idcard": "身份证阅读器", "scanner": "扫码器", "printer": "打印机"}
	states := map[string]string{"absent": "未配置", "present": "已连接", "missing": "未找到", "configured": "已配置", "ready": "就绪", "lost": "断开"}
	var keys []string
	for k := range ps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		n, st := names[k], states[ps[k].State]
		if n == "" {
			n = k
		}
		if st == "" {
			st = ps[k].State
		}
		parts = append(parts, n+" "+st)
	}
	return strings.Join(parts, "   ")
}

// Run polls src every interval and shows what it reads, until ctx ends.
func (s *StatusScreen) Run(ctx context.Context, src HealthSource, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		h := src.Health()
		fyne.Do(func() { s.Show(h) })
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
