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
	var head fyne.CanvasObject
	if a.help {
		// Beside the question, not above it: the 800×480 panel has no
		// height to spare on these screens.
		chip := a.helpChip()
		t := newPara(title, sizeTitle, ink, fullWidth-chip.MinSize().Width-gap)
		t.bold = true
		head = container.NewBorder(nil, nil, nil, container.New(middle{}, chip), t)
	} else {
		t := newPara(title, sizeTitle, ink, fullWidth)
		t.bold = true
		head = t
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
	msg := newPara(a.tr("已呼叫工作人员，请稍候。", "Staff have been called. Please wait."), sizeBody, paper, fullWidth-2*inset)
	msg.bold = true
	return container.NewStack(canvas.NewRectangle(blue), container.New(margin{}, msg))
}

func (a *App) helpChip() fyne.CanvasObject {
	msg := text(a.tr("已呼叫工作人员", "Staff called"), sizeSmall, paper, true)
	return container.NewStack(canvas.NewRectangle(blue), container.New(margin{x: 10, y: 6}, msg))
}

// langToggle switches to the other language; it is labelled in that
// language, so those who need it can read it.
func (a *App) langToggle() *button {
	if a.lang == "en" {
		return newButton("中文", plain, a.act(func() { a.setLang("zh-CN") }))
	}
	return newButton("English", plain, a.act(func() { a.setLang("en") }))
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

// attractScreen waits for a resident: what they can do here, how to
// start, and a way in without a card.
func (a *App) attractScreen() fyne.CanvasObject {
	name := text(a.health.Station.Name, sizeTitle, ink, true)
	if name.Text == "" {
		name.Text = a.st.Config().Station.Name
	}
	hold := newHoldable(name, func() { a.pressed = a.now(); a.schedule() }, func() { a.pressed = time.Time{} })
	online, c := a.onlineWord()
	dot := container.NewGridWrap(fyne.NewSquareSize(14), canvas.NewCircle(c))
	status := container.NewHBox(container.NewCenter(dot), text(online, sizeSmall, c, false))
	wall := a.wallNow()
	a.live.clock = text(a.clockWord(wall), 44, ink, true)
	a.live.holdLabel = hold
	clock := lines(a.live.clock, text(a.dateWord(wall), sizeSmall, muted, false))
	head := container.NewBorder(nil, nil, nil, container.NewHBox(container.New(middle{}, clock), a.langSwitch()),
		container.New(middle{}, lines(hold, status)))

	what := newPara(a.tr("在这里您可以：登记 · 反映问题 · 办事", "Here you can register, report a problem or get things done"), sizeBody, ink, fullWidth)
	what.align = fyne.TextAlignCenter
	icon := &canvas.Image{Resource: glyph("card", cardGlyph, ink), FillMode: canvas.ImageFillContain}
	icon.SetMinSize(fyne.NewSquareSize(88))
	prompt := newPara(a.tr("请将身份证放在读卡器上，或扫描二维码", "Lay your ID card on the reader or scan a code"), sizeBig, ink, fullWidth-88-4*gap)
	prompt.bold = true
	if a.lang == "en" {
		prompt.size = 30 // English runs longer: two lines must fit the smallest screen
	}
	other := newPara(a.tr("Lay your ID card on the reader or scan a code", "请将身份证放在读卡器上，或扫描二维码"), sizeSmall, muted, fullWidth-88-4*gap)
	panel := container.NewStack(canvas.NewRectangle(pale), container.New(margin{},
		container.NewBorder(nil, nil, icon, nil, container.New(middle{}, lines(prompt, other)))))
	body := lines(what, panel)
	if a.help {
		body.Add(a.helpBanner())
	}
	if a.notice.msg != "" {
		c := blue
		if a.notice.bad {
			c = red
		}
		msg := newPara(a.notice.msg, sizeBody, paper, fullWidth-2*inset)
		msg.bold = true
		body.Add(container.NewStack(canvas.NewRectangle(c), container.New(margin{}, msg)))
	}

	manual := newButton(a.tr("没有身份证？手动输入", "No card? Type it in"), plain, a.act(a.startManual))
	foot := []fyne.CanvasObject{manual}
	if a.opt.Screens.StaffLogin != nil {
		staff := newButton(a.tr("工作人员", "Staff"), plain, a.act(func() { a.enter(staffLogin) }))
		foot = append(foot, staff)
	}
	return page(container.New(column{}, head, container.New(middle{}, body), container.New(row{}, foot...)))
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

// startManual begins the manual entry: nothing typed yet.
func (a *App) startManual() {
	a.f = flow{}
	a.notice = notice{}
	a.show(scrManualID)
}
