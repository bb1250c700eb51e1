package kiosk

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
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

// staffDesk is where staff are, in the fewest words: the station's own
// (station.staff_desk), or the service desk.
func (a *App) staffDesk() string {
	if w := a.st.Config().Station.StaffDesk; w != "" {
		return a.tr("请到", "Go to ") + ui.Pick(a.lang, w)
	}
	return a.tr("请到服务台", "Go to the service desk")
}

// attractScreen waits for a resident: the station, the time, and what
// they can do here, one large tile each. Laying a card works from here
// too. The staff log-in is small, in a corner: it is not for residents.
func (a *App) attractScreen() fyne.CanvasObject {
	cramped := a.cramped()
	head := a.startHead(cramped)
	var foot fyne.CanvasObject = container.NewWithoutLayout()
	// In the large mode on a small panel the staff log-in gives its room
	// to the residents' choices: staff hold the station's name, or scan
	// their staff code, as they can on any screen.
	if a.opt.Screens.StaffLogin != nil && !cramped {
		staff := a.newButton(a.tr("工作人员登录", "Staff log-in"), plain, a.act(func() { a.enter(staffLogin) }))
		staff.size = a.sz.caption
		foot = container.New(ends{}, container.NewWithoutLayout(), staff)
	}
	// What the head leaves the body, in the column: inside the margin,
	// a gap either side.
	room := a.win.Canvas().Size().Height - 2*inset - head.MinSize().Height - foot.MinSize().Height - 2*gap
	return page(container.New(column{}, head, a.startBody(cramped, room), foot))
}

// startHead is the start screen's head: the station's name, which staff
// hold for their screens, whether records reach the hub, and in the
// corner the time, the other language and 大字.
func (a *App) startHead(cramped bool) fyne.CanvasObject {
	nameSize := a.sz.title
	if cramped {
		// The question is the screen's title here, the largest type, or
		// the banner in its place.
		nameSize = a.sz.body
	}
	wall := a.wallNow()
	a.live.clock = text(a.clockWord(wall), a.sz.clock(), ink, true)
	clock := lines(a.live.clock, text(a.dateWord(wall), a.sz.caption, muted, false))
	corner := []fyne.CanvasObject{container.New(middle{}, clock), a.langSwitch()}
	if cramped {
		// The time is on every phone and wall; the choices are not.
		a.live.clock = nil
		corner = corner[1:]
	}
	if b := a.largeButton(); b != nil {
		corner = append(corner, b)
	}
	right := container.New(hrow{}, corner...)
	// The name and the line under it wrap in what the corner leaves.
	left := a.fullWidth() - right.MinSize().Width - gap
	station := a.health.Station.Name
	if station == "" {
		station = a.st.Config().Station.Name
	}
	name := newPara(station, nameSize, ink, left)
	name.bold = true
	hold := newHoldable(name, func() { a.pressed = a.now(); a.schedule() }, func() { a.pressed = time.Time{} })
	a.live.holdLabel = hold
	online, c := a.onlineWord()
	if cramped {
		online = a.onlineShort()
	}
	dot := container.NewGridWrap(fyne.NewSquareSize(a.sz.caption/2), canvas.NewCircle(c))
	status := container.New(hrow{}, container.NewCenter(dot), newPara(online, a.sz.caption, c, left-a.sz.caption/2-gap))
	return container.New(ends{}, container.New(middle{}, lines(hold, status)), right)
}

// startBody is the start screen's question, or the banners in its
// place, over the tiles, in room units of height.
func (a *App) startBody(cramped bool, room float32) fyne.CanvasObject {
	// 再听一遍 beside the question, not in a row of its own: on 800×480
	// the tiles take all the height there is.
	again := a.againButton()
	askWord, askSize := a.tr("请选择您要办的事，或直接把身份证放在读卡器上", "Choose what you came for, or lay your ID card on the reader"), a.sz.body
	if cramped {
		askWord, askSize = a.tr("请选择您要办的事", "Choose one"), a.sz.title
	}
	var chip fyne.CanvasObject
	if a.help && a.helpFolded && cramped {
		// The banner gave its room to the tiles (moreTile); that staff
		// are coming is still the screen's news.
		chip = container.New(middle{}, a.helpChip())
	}
	askW := a.fullWidth() - again.MinSize().Width - gap
	if chip != nil {
		askW -= chip.MinSize().Width + gap
	}
	ask := newPara(askWord, askSize, ink, askW)
	ask.align, ask.bold = fyne.TextAlignCenter, true
	// A banner (help called, a notice) takes the question's place: it is
	// what matters now, and the voice has said the question. Beside
	// 再听一遍, or across the screen where there is no room for both.
	bannerW := a.fullWidth() - again.MinSize().Width - gap
	if cramped {
		bannerW = a.fullWidth()
	}
	banners := a.startBanners(bannerW)
	var top fyne.CanvasObject = container.New(ends{}, container.New(middle{}, ask), again)
	if chip != nil {
		top = container.New(ends{}, container.New(middle{}, ask), container.New(hrow{}, chip, again))
	}
	// The tiles take what height is left: the larger the target, the
	// easier for an unsteady hand.
	choices := a.startTiles()
	grid := container.New(tiles{maxCols: 5}, choices...)
	switch {
	case len(banners.Objects) > 0 && cramped:
		top = banners
		rows, h := (tiles{maxCols: 5}).rowsAt(choices, a.fullWidth())
		if rows > 1 && room > 0 && h > room-top.MinSize().Height {
			// The English names need the tiles three across, in two
			// rows; under the banner there is room for one: the first
			// two, and the rest on the start screen without it.
			grid = container.New(tiles{maxCols: 3}, choices[0], choices[1], a.moreTile())
		}
	case len(banners.Objects) > 0:
		top = container.New(ends{}, banners, again)
	}
	return container.NewBorder(top, nil, nil, nil, grid)
}

// startTiles are the start screen's choices, the resident's real ones,
// in the order they are most often wanted.
func (a *App) startTiles() []fyne.CanvasObject {
	return []fyne.CanvasObject{
		a.startTile("刷身份证登记", "Register with ID card", "ID card", "card", cardGlyph, primary, func() { a.begin(kindCard, scrCard) }),
		a.startTile("扫码", "Scan a code", "Scan code", "scan", scanGlyph, plain, func() { a.begin(kindCard, scrScan) }),
		a.startTile("反映问题", "Report a problem", "Report", "report", reportGlyph, plain, func() { a.begin(kindMatter, scrMatter) }),
		a.startTile("查进度", "Check progress", "Progress", "look", lookGlyph, plain, func() { a.begin(kindLookup, scrLookup) }),
		a.startTile("求助", "Call staff", "Call staff", "help", helpGlyph, plain, a.callHelp),
	}
}

// startBanners are the banners the start screen shows in its question's
// place: that staff were called, unless the resident folded it away,
// and a notice (a code refused, the notice declined).
func (a *App) startBanners(width float32) *fyne.Container {
	cramped := a.cramped()
	banners := lines()
	if a.help && !(a.helpFolded && cramped) {
		banners.Add(a.helpBanner(width))
	}
	if a.notice.msg != "" {
		c := blue
		if a.notice.bad {
			c = red
		}
		msg := a.notice.msg
		if cramped && a.notice.say == voiceprompt.Declined {
			// The voice says the whole of it; the screen where to go.
			msg = a.tr("已取消，未保存任何信息。", "Cancelled. Nothing stored. ") + a.staffDesk()
		}
		banners.Add(a.banner(msg, c, width))
	}
	return banners
}

// moreTile gives a banner's room to the start tiles it left no room for:
// the banner has been said, and the start screen without it holds every
// tile. A notice goes; that staff were called stays, in short, beside
// the question.
func (a *App) moreTile() *button {
	b := a.newButton(a.tr("更多选择", "More"), plain, a.act(func() {
		a.notice = notice{}
		a.helpFolded = a.help
		a.show(scrAttract)
	}))
	b.pad = 8
	return b
}

// startTile is one of the start screen's choices: an icon over its name.
// On the compact screen the name alone: in Chinese three characters to a
// line of a fifth of the screen, in English a word or two on one line
// (enShort; the tiles then go three across).
func (a *App) startTile(zh, en, enShort, name, g string, l look, onTap func()) *button {
	b := a.newButton(a.tr(zh, en), l, a.act(onTap))
	b.icon = func(c color.Color) fyne.Resource { return glyph(name, g, c) }
	b.wrapAt = 130
	switch {
	case a.cramped() && a.lang == "en":
		b.label, b.wrapAt, b.pad, b.icon = enShort, 0, 8, nil
	case a.cramped():
		b.wrapAt, b.pad, b.icon = (a.fullWidth()-4*gap)/5, 8, nil
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
	say := newPara(a.tr("请将身份证放在读卡器上，放好后不要拿开", "Lay your ID card on the reader and leave it there"), a.sz.big, ink, a.fullWidth()-120-2*gap)
	say.bold = true
	body := container.New(middle{}, container.NewBorder(nil, nil, icon, nil, container.New(middle{}, say)))
	back := a.newButton(a.tr("返回首页", "Start over"), plain, a.act(func() { a.cancel(notice{}) }))
	typeWord := a.tr("没带身份证？输入号码", "No card? Type the number")
	if a.cramped() {
		typeWord = a.tr("没带身份证", "No card")
	}
	typeIn := a.newButton(typeWord, plain, a.act(func() {
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
	p := newPara(say, a.sz.big, ink, a.fullWidth()-120-2*gap)
	p.bold = true
	body := container.New(middle{}, container.NewBorder(nil, nil, icon, nil, container.New(middle{}, p)))
	back := a.newButton(a.tr("返回首页", "Start over"), plain, a.act(func() { a.cancel(notice{}) }))
	return a.frame(title, body, back)
}
