package kiosk

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/keyboard"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// The look-up screens (查进度): the receipt's QR code, or its ticket number
// typed, and how the matter stands.
const (
	scrLookup   = "lookup"
	scrProgress = "progress"
)

// ticketDigits is how much of a ticket is typed: the four digits of
// R0042. The station numbers all its records in one sequence, so the
// digits name one record and an old resident need not find a letter.
const ticketDigits = 4

// lookupTimeout bounds the wait for the station's answer; it asks the hub
// for a few seconds and falls back to its own copy well within this.
const lookupTimeout = 10 * time.Second

// lookupScreen asks for the receipt: its QR code at the scanner, or its
// ticket number on a large keypad. A code scanned while it is up is
// answered here (followLookupScan).
func (a *App) lookupScreen() fyne.CanvasObject {
	prompt := a.tr("票号数字，如 0042", "Ticket digits, e.g. 0042")
	field, value := a.fieldBox(string(a.f.code), prompt)
	hint := newPara("", a.sz.body, ink, a.paneWidth())
	say := func() {
		n := len(a.f.code)
		hint.c = ink
		switch {
		case a.busy:
			hint.text, hint.c = a.tr("正在查询，请稍候……", "Looking it up, please wait…"), green
		case a.f.problem != "":
			hint.text, hint.c = a.f.problem, red
		case n == 0:
			hint.text = a.tr("回执上“票号”的4位数字", "The 4 digits of the receipt's ticket number")
		case n < ticketDigits:
			hint.text = a.tr(fmt.Sprintf("还差 %d 位", ticketDigits-n), fmt.Sprintf("%d more to go", ticketDigits-n))
		default:
			hint.text = a.tr("输好了，请点“确认”", "Done: tap OK")
		}
		hint.Refresh()
		setField(value, string(a.f.code), prompt)
	}
	say()
	pad := keyboard.NewNumericKeypad(0)
	pad.SetSizes(a.sz.keys())
	// On the compact screen a problem stands in the question's place:
	// once it is answered by a key, the screen is built again with it.
	cramped := a.cramped()
	retyped := func() {
		had := a.f.problem != ""
		a.f.problem = ""
		if cramped && had {
			a.show(scrLookup)
			return
		}
		say()
	}
	pad.OnKey = func(r rune) {
		a.touch()
		if a.busy {
			return
		}
		if len(a.f.code) >= ticketDigits {
			a.f.code = nil // a new number after one not found
		}
		a.f.code = append(a.f.code, r)
		retyped()
	}
	pad.OnBackspace = func() {
		a.touch()
		if n := len(a.f.code); n > 0 && !a.busy {
			a.f.code = a.f.code[:n-1]
		}
		retyped()
	}
	pad.OnDone = func() {
		a.touch()
		if a.busy || len(a.f.code) != ticketDigits {
			return
		}
		a.lookUp(station.ProgressQuery{Ticket: string(a.f.code)})
	}
	icon := &canvas.Image{Resource: glyph("scan", scanGlyph, ink), FillMode: canvas.ImageFillContain}
	icon.SetMinSize(fyne.NewSquareSize(a.sz.icon()))
	scan := newPara(a.tr("请把回执上的二维码对准扫码口，或在右边输入票号", "Hold the receipt's QR code to the scanner, or type its ticket number on the right"), a.sz.body, ink, a.paneWidth()-a.sz.icon()-gap)
	scan.bold = true
	back := a.newButton(a.tr("返回首页", "Start over"), plain, a.act(func() { a.cancel(notice{}) }))
	back.setDisabled(a.busy)
	if cramped {
		back.label = a.tr("返回首页", "Cancel")
		return a.keypadPage(a.lookupTitle(hint), field, hint, pad, back)
	}
	left := lines(container.NewBorder(nil, nil, icon, nil, container.New(middle{}, scan)), field, hint,
		a.buttonRow(back, a.againButton()))
	body := container.New(split{keypadShare}, container.New(middle{}, left), pad)
	return a.frame(a.tr("查进度", "Check progress"), body)
}

// lookupTitle is the compact look-up screen's question, or "" where the
// answer in hint takes its place. Beside the keypad there is room for
// the question, the field, three lines and the buttons; a longer answer
// (four lines of English) is what matters now, and the voice has said it.
func (a *App) lookupTitle(hint *para) string {
	if a.f.problem != "" && !a.busy && len(hint.lines(a.paneWidth(), hint.size)) > 3 {
		return ""
	}
	return a.tr("票号", "Ticket number")
}

// lookUp asks the station how a record stands, off Fyne's goroutine: it
// may wait for the hub.
func (a *App) lookUp(q station.ProgressQuery) {
	a.busy, a.f.problem = true, ""
	lang, parent := a.lang, a.ctx
	a.show(scrLookup)
	a.background(func() func() {
		ctx, cancel := context.WithTimeout(parent, lookupTimeout)
		defer cancel()
		p, err := a.st.Progress(ctx, q)
		return func() {
			if a.f.kind != kindLookup || !a.busy {
				return // the resident left meanwhile
			}
			a.busy = false
			a.looked(lang, &p, err)
		}
	})
}

// looked shows the answer of a look-up, or says on the look-up screen why
// there is none.
func (a *App) looked(lang string, p *station.Progress, err error) {
	if err == nil {
		a.f.progress, a.f.code = p, nil
		// Said afresh, even over the progress of a receipt scanned
		// before: it is news.
		a.voice.screen = ""
		a.show(scrProgress)
		return
	}
	a.f.problem = ui.Tr(lang, "没有找到这张回执的记录。请核对票号，或找工作人员。", "No record of that receipt here. Check the ticket number, or ask staff.")
	if !errors.Is(err, station.ErrNotFound) {
		a.log().Warn("kiosk: progress look-up", "err", err)
		a.f.problem = ui.Tr(lang, "暂时查不到，请稍后再试，或找工作人员。", "It cannot be looked up just now: try again later, or ask staff.")
	}
	a.show(scrLookup)
	a.say(voiceprompt.ErrLookupNotFound)
}

// followLookupScan answers a code scanned while the start, scan or
// look-up screen is up: a receipt the station or hub knows opens its
// progress; any other code, on the look-up screen, says why not there.
// It reports whether it took the scan.
func (a *App) followLookupScan(r *station.ScanResult) bool {
	if a.busy || a.screen != scrLookup && a.screen != scrProgress && a.screen != scrScan && a.screen != scrAttract {
		return false
	}
	if r.Kind == "receipt" && r.Progress != nil {
		a.f = flow{kind: kindLookup}
		a.notice = notice{}
		a.touched = a.now()
		a.looked(a.lang, r.Progress, nil)
		return true
	}
	if a.screen != scrLookup {
		return false
	}
	a.f.code = nil
	a.f.problem = ui.Pick(a.lang, r.Message)
	a.show(scrLookup)
	if id := scanPrompt(r); id != "" {
		a.say(id)
	} else {
		a.say(voiceprompt.ErrLookupNotFound)
	}
	return true
}

// progressScreen says how the matter stands: the state in a large word,
// the ticket, matter and dates, the next step and whom to call; whether
// this is the hub's word or the station's own copy, and of when. Nothing
// of the person.
func (a *App) progressScreen() fyne.CanvasObject {
	o := a.progressPage(false)
	if a.cramped() && !a.fits(o) {
		// The compact screen's labelled rows are still too tall (in
		// English the next step runs to two lines beside its label):
		// the rows across the screen, the step in fewer words.
		a.live = live{}
		o = a.progressPage(true)
	}
	return o
}

// progressPage is the progress screen; terse, on the compact screen,
// it has no labels and says the next step in fewer words.
func (a *App) progressPage(terse bool) fyne.CanvasObject {
	p := a.f.progress
	if p == nil {
		p = &station.Progress{State: station.ProgressReceived}
	}
	zh, en, c := stateWords(p.State)
	word := zh
	if a.lang == "en" {
		word = zh + " " + en
	}
	badge := text(word, a.sz.title, paper, true)
	state := container.NewHBox(container.NewStack(canvas.NewRectangle(c), container.New(margin{x: 18, y: 8}, badge)))

	labelW := a.labelWidth(a.tr("登记日期", "Made on"), a.tr("联系人", "Contact"))
	valueW := a.fullWidth() - labelW - gap
	cramped := a.cramped()
	rows := []fyne.CanvasObject{state}
	title := a.tr("办理进度", "Progress")
	if cramped {
		// The state is the question's answer and the screen's title; the
		// rest in fewer rows: what happens next and whom to call.
		rows, title = nil, word
		if a.lang == "en" {
			title = en
		}
	}
	add := func(label, value string, bold bool) {
		if value == "" || cramped && label != a.tr("下一步", "Next") && label != a.tr("联系人", "Contact") {
			return
		}
		if terse {
			// The step and the name and phone say what they are.
			v := newPara(value, a.sz.body, ink, a.fullWidth())
			v.bold = bold
			rows = append(rows, v)
			return
		}
		v := newPara(value, a.sz.body, ink, valueW)
		v.bold = bold
		rows = append(rows, container.New(pair{labelW, a.sz.big}, text(label, a.sz.body, muted, false), v))
	}
	loc := a.wallNow().Location()
	add(a.tr("票号", "Ticket"), p.Ticket, true)
	matter := p.Matter
	if a.lang == "en" && p.MatterEN != "" {
		matter = p.MatterEN
	}
	add(a.tr("事项", "Matter"), matter, false)
	if !p.Created.IsZero() {
		add(a.tr("登记日期", "Made on"), a.dayWord(p.Created.In(loc)), false)
	}
	next := a.nextStep(p)
	if terse {
		next = a.nextShort(p)
	}
	add(a.tr("下一步", "Next"), next, false)
	add(a.tr("联系人", "Contact"), a.contactWord(p.Contact), true)
	src, srcColour := a.sourceWord(p, loc)
	source := newPara(src, a.sz.body, srcColour, a.fullWidth())
	rows = append(rows, source)

	if cramped {
		// The source line (the hub's word, or the station's copy and its
		// date) is said in fewer words here.
		source.text = a.sourceShort(p, loc)
	}
	home := a.newButton(a.tr("返回首页", "Start over"), plain, a.act(func() { a.cancel(notice{}) }))
	again := a.newButton(a.tr("查另一张", "Another receipt"), plain, a.act(func() {
		a.f = flow{kind: kindLookup}
		a.show(scrLookup)
	}))
	return a.frame(title, container.New(middle{}, lines(rows...)), home, again)
}

// stateWords are a state's words, Chinese and English, and its colour:
// each at 7:1 or more under white type (TestContrast).
func stateWords(state string) (zh, en string, c color.Color) {
	switch state {
	case station.ProgressInProgress:
		return "办理中", "In progress", blue
	case station.ProgressDone:
		return "已办结", "Done", green
	case station.ProgressReturned:
		return "已退回", "Returned", red
	}
	return "已受理", "Received", slate
}

// nextStep is what the resident does, or waits for, next.
func (a *App) nextStep(p *station.Progress) string {
	if p.Held {
		return a.tr("请找工作人员，他们会为您核对。", "Please ask staff: they will look into it for you.")
	}
	switch p.State {
	case station.ProgressInProgress:
		return a.tr("工作人员正在办理，无需再次提交。", "Staff are handling it; no need to submit it again.")
	case station.ProgressDone:
		return a.tr("已经办完。如需领取材料，请带回执和身份证到服务站。", "Done. To collect anything, bring the receipt and your ID card.")
	case station.ProgressReturned:
		return a.tr("未能办理。请联系下面的网格员了解原因。", "It could not be handled. Call the grid worker below to learn why.")
	}
	return a.tr("工作人员会尽快核对，请留意电话通知。", "Staff will look at it soon: watch for a call.")
}

// nextShort is nextStep in fewer words, for the compact screen: a line
// of large English across it, the title saying the state. Chinese says
// it in full in as little room.
func (a *App) nextShort(p *station.Progress) string {
	if a.lang != "en" {
		return a.nextStep(p)
	}
	if p.Held {
		return "Ask staff: they will look into it."
	}
	switch p.State {
	case station.ProgressInProgress:
		return "Staff are on it: no need to resubmit."
	case station.ProgressDone:
		return "To collect, bring receipt and ID card."
	case station.ProgressReturned:
		return "Ask the grid worker below why."
	}
	return "Staff will check it soon: expect a call."
}

// contactWord names whom to call: the grid leader and their phone.
func (a *App) contactWord(c station.Contact) string {
	if c.Name == "" {
		return a.tr("服务站工作人员", "The station's staff")
	}
	role := a.tr("网格员", "Grid worker")
	if c.Role == "community_grid_leader" {
		role = a.tr("社区网格长", "Community grid leader")
	}
	s := role + " " + c.Name
	if c.Phone != "" {
		s += "  " + groupPhone(c.Phone)
	}
	return s
}

// sourceWord says whose word the state is, and of when: the hub's, or the
// station's own copy when the hub did not answer.
func (a *App) sourceWord(p *station.Progress, loc *time.Location) (string, color.Color) {
	at := p.AsOf.In(loc)
	when := a.dayWord(at) + " " + at.Format("15:04")
	if p.Remote {
		return a.tr("上级平台信息，更新于 ", "From the county hub, updated ") + when, muted
	}
	return a.tr("本机记录，截至 ", "Station's own record, as of ") + when + a.tr("（暂时连不上上级平台）", " (hub not reachable)"), amber
}

// sourceShort is sourceWord in few words, for the compact screen.
func (a *App) sourceShort(p *station.Progress, loc *time.Location) string {
	when := a.dayWord(p.AsOf.In(loc))
	if p.Remote {
		return a.tr("上级平台，", "Hub, ") + when
	}
	return a.tr("本机记录，截至", "Station's copy, ") + when
}

// dayWord is a date as residents say it: 12月7日.
func (a *App) dayWord(t time.Time) string {
	return a.tr(fmt.Sprintf("%d月%d日", t.Month(), t.Day()), t.Format("2 Jan 2006"))
}

// progressPrompts is what the progress screen says: the state, and that
// the answer is the station's own copy when it is.
func (a *App) progressPrompts() []string {
	p := a.f.progress
	if p == nil {
		return voiceprompt.Progress(station.ProgressReceived, true)
	}
	return voiceprompt.Progress(p.State, p.Remote)
}

// sampleProgress is the progress Show puts up: a matter of the demo
// station's, in progress at the hub, or offline the station's own copy.
func (a *App) sampleProgress(remote bool) *station.Progress {
	now := a.wallNow()
	p := &station.Progress{RecordID: "01a24f01-d78d-7293-8615-96e5872157d8", Ticket: "M0042", Kind: "matter",
		Matter: "公共设施报修", MatterEN: "Shared facility repair", State: station.ProgressInProgress,
		Created: now.Add(-26 * time.Hour), AsOf: now.Add(-3 * time.Hour), Remote: true,
		Contact: station.Contact{Name: "李建国", Phone: "13912340007", Role: "micro_grid_leader"}}
	if !remote {
		p.State, p.Remote, p.AsOf = station.ProgressReceived, false, now.Add(-25*time.Hour)
	}
	return p
}
