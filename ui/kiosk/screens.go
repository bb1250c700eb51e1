package kiosk

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// fullWidth is the width a screen's content has in the narrowest window
// the kiosk is made for (800 wide, landscape or portrait): what text laid
// across the whole screen wraps at.
const fullWidth float32 = 800 - 2*inset

// page puts a screen's content on white, inside the margin.
func page(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(canvas.NewRectangle(paper), container.New(margin{}, o))
}

// frame is a resident screen: its question at the top, the body, and a
// row of buttons at the bottom.
func (a *App) frame(title string, body fyne.CanvasObject, footer ...fyne.CanvasObject) fyne.CanvasObject {
	footer, again := a.placeAgain(footer)
	// Beside the question, not above it: the 800×480 panel has no height
	// to spare. The step says where the resident is and how much is left;
	// the chip that staff were called.
	var side []fyne.CanvasObject
	if step := a.stepWord(a.screen); step != "" {
		side = append(side, container.New(middle{}, text(step, sizeBody, muted, true)))
	}
	if a.help {
		side = append(side, container.New(middle{}, a.helpChip()))
	}
	if again != nil {
		side = append(side, again)
	}
	var head fyne.CanvasObject
	if len(side) == 0 {
		t := newPara(title, sizeTitle, ink, fullWidth)
		t.bold = true
		head = t
	} else {
		right := container.NewHBox(side...)
		t := newPara(title, sizeTitle, ink, fullWidth-right.MinSize().Width-gap)
		t.bold = true
		head = container.NewBorder(nil, nil, nil, right, t)
	}
	var foot fyne.CanvasObject = container.NewWithoutLayout()
	if len(footer) > 0 {
		foot = container.New(row{}, footer...)
	}
	return page(container.New(column{}, head, body, foot))
}

// helpBanner tells a resident who pressed the help button that it worked:
// the lamp and the bell are elsewhere, and nothing else on the screen
// would change. helpChip says it in short, beside a screen's question.
func (a *App) helpBanner() fyne.CanvasObject {
	msg := newPara(a.tr("已呼叫工作人员，请稍候。", "Staff have been called. Please wait. ")+a.staffWhere(), sizeBody, paper, fullWidth-2*inset)
	msg.bold = true
	return container.NewStack(canvas.NewRectangle(blue), container.New(margin{}, msg))
}

func (a *App) helpChip() fyne.CanvasObject {
	msg := text(a.tr("已呼叫工作人员", "Staff called"), sizeSmall, paper, true)
	return container.NewStack(canvas.NewRectangle(blue), container.New(margin{x: 10, y: 6}, msg))
}

// problemLine is the station's word on the step, in red, or nothing.
func (a *App) problemLine(wrapAt float32) fyne.CanvasObject {
	p := newPara(a.f.problem, sizeBody, red, wrapAt)
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

// langSwitch is the attract screen's choice of language, both shown.
func (a *App) langSwitch() fyne.CanvasObject {
	zh := newButton("中文", plain, a.act(func() { a.setLang("zh-CN") }))
	en := newButton("English", plain, a.act(func() { a.setLang("en") }))
	if a.lang == "en" {
		en.look = chosen
	} else {
		zh.look = chosen
	}
	zh.size, en.size = sizeBody, sizeBody
	return container.New(row{}, zh, en)
}
