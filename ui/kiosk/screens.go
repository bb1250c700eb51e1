package kiosk

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// fullWidth is the width a screen's content has: the window's less its
// margins, and at least that of the narrowest window the kiosk is made
// for (800 wide, landscape or portrait) before the window has its size.
// It is what text laid across the whole screen wraps at.
func (a *App) fullWidth() float32 {
	w := float32(800)
	if c := a.win.Canvas(); c != nil {
		w = max(w, c.Size().Width)
	}
	return w - 2*inset
}

// page puts a screen's content on white, inside the margin.
func page(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(canvas.NewRectangle(paper), container.New(margin{}, o))
}

// frame is a resident screen: its question at the top, the body, and a
// row of buttons at the bottom.
func (a *App) frame(title string, body fyne.CanvasObject, footer ...fyne.CanvasObject) fyne.CanvasObject {
	// 再听一遍 and 大字 at the end of the footer's row while they fit there,
	// else beside the question.
	var aside []fyne.CanvasObject
	var extra []fyne.CanvasObject
	if !a.live.again {
		extra = append(extra, a.againButton())
	}
	if !a.live.large {
		if b := a.largeButton(); b != nil {
			extra = append(extra, b)
		}
	}
	var tail []fyne.CanvasObject
	for _, e := range extra {
		if len(footer) > 0 && footWidth(footer, append(tail, e)) <= a.fullWidth() {
			tail = append(tail, e)
		} else {
			aside = append(aside, e)
		}
	}
	// Beside the question, not above it: the 800×480 panel has no height
	// to spare. The step says where the resident is and how much is left;
	// the chip that staff were called.
	var side []fyne.CanvasObject
	// The step gives way to the chip that staff were called.
	if step := a.stepWord(a.screen); step != "" && !a.cramped() && !a.help {
		side = append(side, container.New(middle{}, text(step, a.sz.body, muted, true)))
	}
	if a.help {
		side = append(side, container.New(middle{}, a.helpChip()))
	}
	side = append(side, aside...)
	var head fyne.CanvasObject
	if len(side) == 0 {
		t := newPara(title, a.sz.title, ink, a.fullWidth())
		t.bold = true
		head = t
	} else {
		right := container.New(hrow{}, side...)
		t := newPara(title, a.sz.title, ink, a.fullWidth()-right.MinSize().Width-gap)
		t.bold = true
		head = container.New(ends{}, t, right)
	}
	var foot fyne.CanvasObject = container.NewWithoutLayout()
	if len(footer) > 0 {
		foot = container.New(row{}, footer...)
		if len(tail) > 0 {
			foot = container.New(ends{}, foot, container.New(hrow{}, tail...))
		}
	}
	return page(container.New(column{}, head, body, foot))
}

// footWidth is the least width of a footer: its buttons in a row of
// equals, and the tail's at their own widths after them.
func footWidth(footer, tail []fyne.CanvasObject) float32 {
	w := (row{}).MinSize(footer).Width
	if len(tail) > 0 {
		w += gap + (hrow{}).MinSize(tail).Width
	}
	return w
}

// helpBanner tells a resident who pressed the help button that it worked:
// the lamp and the bell are elsewhere, and nothing else on the screen
// would change. helpChip says it in short, beside a screen's question.
func (a *App) helpBanner(width float32) fyne.CanvasObject {
	where := a.staffWhere()
	if a.cramped() {
		where = a.staffDesk()
	}
	return a.banner(a.tr("已呼叫工作人员，请稍候。", "Staff have been called. Please wait. ")+where, blue, width)
}

// banner is a message on a coloured band width wide. On the compact
// screen, where it stands in the question's place, its first sentence is
// the screen's title, in title type, and the rest body text under it.
func (a *App) banner(msg string, c color.Color, width float32) fyne.CanvasObject {
	body := newPara(msg, a.sz.body, paper, width-2*inset)
	body.bold = true
	var o fyne.CanvasObject = body
	if a.cramped() {
		head, rest := firstSentence(msg)
		h := newPara(head, a.sz.title, paper, width-2*inset)
		h.bold = true
		body.text, body.bold = rest, false
		o = lines(h, body)
		if rest == "" {
			o = h
		}
	}
	return container.NewStack(canvas.NewRectangle(c), container.New(margin{x: inset, y: gap / 2}, o))
}

// firstSentence splits s after its first full stop (。or ". ").
func firstSentence(s string) (head, rest string) {
	for _, stop := range []string{"。", "：", ". ", ": "} {
		if i := strings.Index(s, stop); i > 0 {
			j := i + len(stop)
			return strings.TrimSpace(s[:j]), strings.TrimSpace(s[j:])
		}
	}
	return s, ""
}

func (a *App) helpChip() fyne.CanvasObject {
	msg := text(a.tr("已呼叫工作人员", "Staff called"), a.sz.caption, paper, true)
	return container.NewStack(canvas.NewRectangle(blue), container.New(margin{x: 10, y: 6}, msg))
}

// problemLine is the station's word on the step, in red, or nothing.
func (a *App) problemLine(wrapAt float32) fyne.CanvasObject {
	p := newPara(a.f.problem, a.sz.body, red, wrapAt)
	p.bold = true
	if a.f.problem == "" {
		p.Hide()
	}
	return p
}

// clockWord is the time on the attract screen.
func (a *App) clockWord(now time.Time) string {
	return now.Format("15:04")
}

// dateWord is the date on the attract screen.
func (a *App) dateWord(now time.Time) string {
	wd := [...]string{"日", "一", "二", "三", "四", "五", "六"}[now.Weekday()]
	return a.tr(fmt.Sprintf("%d月%d日 星期%s", now.Month(), now.Day(), wd), now.Format("Mon 2 Jan"))
}

// onlineWord says whether records reach the county hub now; either way
// a resident's record is safe, which is what they need to know.
func (a *App) onlineWord() (string, color.Color) {
	if u := a.health.Upstream; u.Configured && u.Online && u.Alert == "" {
		return a.tr("在线", "Online"), green
	}
	return a.tr("离线 · 信息安全保存在本机", "Offline · your details are kept safely here"), amber
}

// langSwitch is the attract screen's way to the other language, named in
// it: "English" once, on the start screen, not in every action row.
func (a *App) langSwitch() fyne.CanvasObject {
	if a.lang == "en" {
		return a.newButton("中文", plain, a.act(func() { a.setLang("zh-CN") }))
	}
	return a.newButton("English", plain, a.act(func() { a.setLang("en") }))
}

// onlineShort is onlineWord in a word, where there is no room for more.
func (a *App) onlineShort() string {
	if u := a.health.Upstream; u.Configured && u.Online && u.Alert == "" {
		return a.tr("在线", "Online")
	}
	return a.tr("离线", "Offline")
}
