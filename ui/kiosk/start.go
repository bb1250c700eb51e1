package kiosk

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/gridkiosk/gridkiosk/ui"
)

// The start screen's choices, and the screens they lead to.
const (
	// scrCard asks for the ID card, with a way in without one.
	scrCard = "card"
	// scrScan asks for a code at the scanner: an appointment, or a
	// receipt, which opens its progress (查进度, lookup.go).
	scrScan = "scan"
)

// Flow kinds: what the resident chose, which sets the steps they walk.
const (
	kindCard   = "card"   // a card laid, or an appointment code
	kindManual = "manual" // the ID number typed, no card at hand
	kindMatter = "matter" // a matter reported with no ID at all
	kindLookup = "lookup" // 查进度: the receipt scanned or its ticket typed
)

// Glyphs of the start screen's tiles.
const (
	scanGlyph   = `<path d="M3 8V3h5M16 3h5v5M21 16v5h-5M8 21H3v-5" stroke-linecap="round"/><path d="M7 7h4v4H7zM13 13h4v4h-4zM13 7h4M7 13v4h4" stroke-linejoin="round"/>`
	reportGlyph = `<path d="M3.5 4.5h17v11h-9l-4.5 4v-4h-3.5z" stroke-linejoin="round"/><path d="M12 7.5v4M12 13.4v.3" stroke-linecap="round"/>`
	lookGlyph   = `<circle cx="10.5" cy="10.5" r="6.5"/><path d="M15.3 15.3l5.2 5.2M10.5 7v3.7l2.4 1.6" stroke-linecap="round"/>`
	helpGlyph   = `<path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 2h-15z" stroke-linejoin="round"/><path d="M10 20.5h4" stroke-linecap="round"/>`
)

// staffWhere says where residents find staff in person: the station's
// own words (station.staff_desk), or the service desk.
func (a *App) staffWhere() string {
	if w := a.st.Config().Station.StaffDesk; w != "" {
		return a.tr("工作人员在：", "Staff are at ") + ui.Pick(a.lang, w)
	}
	return a.tr("工作人员在服务台。", "Staff are at the service desk.")
}

// attractScreen waits for a resident: the station, the time, and what
// they can do here, one large tile each. Laying a card works from here
// too. The staff log-in is small, in a corner: it is not for residents.
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

	// 再听一遍 beside the question, not in a row of its own: on 800×480
	// the tiles take all the height there is.
	again := a.againButton()
	ask := newPara(a.tr("请选择您要办的事，或直接把身份证放在读卡器上", "Choose what you came for, or lay your ID card on the reader"), sizeBody, ink, fullWidth-again.MinSize().Width-gap)
	ask.align, ask.bold = fyne.TextAlignCenter, true
	choices := []fyne.CanvasObject{
		a.startTile("刷身份证登记", "Register with ID card", "card", cardGlyph, primary, func() { a.begin(kindCard, scrCard) }),
		a.startTile("扫码", "Scan a code", "scan", scanGlyph, plain, func() { a.begin(kindCard, scrScan) }),
		a.startTile("反映问题", "Report a problem", "report", reportGlyph, plain, func() { a.begin(kindMatter, scrMatter) }),
		a.startTile("查进度", "Check progress", "look", lookGlyph, plain, func() { a.begin(kindLookup, scrLookup) }),
		a.startTile("求助", "Call staff", "help", helpGlyph, plain, a.callHelp),
	}
	// The tiles take what height is left: the larger the target, the
	// easier for an unsteady hand.
	extra := lines()
	if a.help {
		extra.Add(a.helpBanner())
	}
	if a.notice.msg != "" {
		c := blue
		if a.notice.bad {
			c = red
		}
		msg := newPara(a.notice.msg, sizeBody, paper, fullWidth-2*inset)
		msg.bold = true
		extra.Add(container.NewStack(canvas.NewRectangle(c), container.New(margin{}, msg)))
	}
	body := container.NewBorder(container.NewBorder(nil, nil, nil, again, container.New(middle{}, ask)), extra, nil, nil, container.New(tiles{maxCols: 5}, choices...))
	var foot fyne.CanvasObject = container.NewWithoutLayout()
	if a.opt.Screens.StaffLogin != nil {
		staff := newButton(a.tr("工作人员登录", "Staff log-in"), plain, a.act(func() { a.enter(staffLogin) }))
		staff.size = sizeSmall
		foot = container.NewBorder(nil, nil, nil, staff)
	}
	return page(container.New(column{}, head, body, foot))
}

// startTile is one of the start screen's choices: an icon over its name.
func (a *App) startTile(zh, en, name, g string, l look, onTap func()) *button {
	b := newButton(a.tr(zh, en), l, a.act(onTap))
	b.icon = func(c color.Color) fyne.Resource { return glyph(name, g, c) }
	b.wrapAt, b.size = 130, sizeButton
	if a.lang == "en" {
		b.size = 22
	}
	return b
}

// begin starts what the resident chose on the start screen, with nothing
// of anyone before.
func (a *App) begin(kind, screen string) {
	a.f = flow{kind: kind}
	a.notice = notice{}
	a.show(screen)
}

// callHelp is the 求助 tile: the station calls staff as the panel's help
// button does, and the banner says so and where staff are.
func (a *App) callHelp() {
	a.st.CallHelp()
	a.Sync()
}

// cardScreen asks for the ID card: laying it is the one thing to do.
// Without one, the resident types the number, after the notice.
func (a *App) cardScreen() fyne.CanvasObject {
	icon := &canvas.Image{Resource: glyph("card", cardGlyph, ink), FillMode: canvas.ImageFillContain}
	icon.SetMinSize(fyne.NewSquareSize(120))
	say := newPara(a.tr("请将身份证放在读卡器上，放好后不要拿开", "Lay your ID card on the reader and leave it there"), sizeBig, ink, fullWidth-120-2*gap)
	say.bold = true
	body := container.New(middle{}, container.NewBorder(nil, nil, icon, nil, container.New(middle{}, say)))
	back := newButton(a.tr("返回首页", "Start over"), plain, a.act(func() { a.cancel(notice{}) }))
	typeIn := newButton(a.tr("没带身份证？输入号码", "No card? Type the number"), plain, a.act(func() {
		a.f = flow{kind: kindManual}
		a.show(scrConsent)
	}))
	return a.frame(a.tr("请放身份证", "Your ID card, please"), body, back, typeIn)
}

// scanScreen asks for a code at the scanner: an appointment code or a
// receipt's. What was scanned shows on the start screen (followScan).
func (a *App) scanScreen() fyne.CanvasObject {
	title := a.tr("请扫码", "Scan your code")
	say := a.tr("请把预约码或回执上的二维码对准扫码口", "Hold your appointment code or your receipt's QR code to the scanner")
	icon := &canvas.Image{Resource: glyph("scan", scanGlyph, ink), FillMode: canvas.ImageFillContain}
	icon.SetMinSize(fyne.NewSquareSize(120))
	p := newPara(say, sizeBig, ink, fullWidth-120-2*gap)
	p.bold = true
	body := container.New(middle{}, container.NewBorder(nil, nil, icon, nil, container.New(middle{}, p)))
	back := newButton(a.tr("返回首页", "Start over"), plain, a.act(func() { a.cancel(notice{}) }))
	return a.frame(title, body, back)
}
