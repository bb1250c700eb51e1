package kiosk

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/ui/keyboard"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// Entry limits: what the fields take, so a stray tap cannot run on.
const (
	phoneDigits = 11 // a mainland mobile number
	maxName     = 30 // runes; the station takes up to 60, the screen shows about this many
)

// paneWidth is the width of the pane beside a keypad (split{keypadShare}
// in a landscape window): what its text wraps at.
func (a *App) paneWidth() float32 {
	w := a.fullWidth()
	return w - max(w*keypadShare, 4*a.sz.touch) - gap
}

// keypadShare is how much of a keypad screen the keypad takes.
const keypadShare = 0.42

// phoneScreen takes an optional mobile number on the numeric keypad.
func (a *App) phoneScreen() fyne.CanvasObject {
	prompt := a.tr("请输入11位手机号", "11-digit mobile number")
	field, value := a.fieldBox(groupPhone(string(a.f.phone)), prompt)
	hint := newPara("", a.sz.body, ink, a.paneWidth())
	say := func(warn bool) {
		n := len(a.f.phone)
		hint.c = ink
		switch {
		case a.busy:
			hint.text, hint.c = a.tr("正在保存，请稍候……", "Saving, please wait…"), green
		case a.f.problem != "":
			hint.text, hint.c = a.f.problem, red
		case n == 0:
			hint.text = a.tr("不想留可以点“跳过”", "Tap Skip to leave none")
		case n < phoneDigits:
			hint.text = a.tr(fmt.Sprintf("还差 %d 位", phoneDigits-n), fmt.Sprintf("%d more to go", phoneDigits-n))
		default:
			hint.text = a.tr("输好了，请点“确认”", "Done: tap OK")
		}
		if warn && n > 0 && n < phoneDigits {
			hint.text, hint.c = a.tr("手机号是11位，请输完，或点“跳过”", "A mobile number has 11 digits: finish it, or tap Skip"), red
			a.say(voiceprompt.ErrPhoneShort)
		}
		hint.Refresh()
		setField(value, groupPhone(string(a.f.phone)), prompt)
	}
	say(false)

	pad := keyboard.NewNumericKeypad(0)
	pad.SetSizes(a.sz.keys())
	pad.OnKey = func(r rune) {
		a.touch()
		a.f.problem = ""
		if len(a.f.phone) < phoneDigits {
			a.f.phone = append(a.f.phone, r)
		}
		say(false)
	}
	pad.OnBackspace = func() {
		a.touch()
		a.f.problem = ""
		if n := len(a.f.phone); n > 0 {
			a.f.phone = a.f.phone[:n-1]
		}
		say(false)
	}
	pad.OnDone = func() {
		a.touch()
		if a.busy {
			return
		}
		if n := len(a.f.phone); n == 0 || n == phoneDigits {
			a.f.problem = ""
			a.submit()
			return
		}
		say(true)
	}
	skip := a.newButton(a.tr("跳过，不留手机号", "Skip: leave no number"), plain, a.act(func() {
		a.f.phone, a.f.problem = nil, ""
		a.submit()
	}))
	why := newPara(a.tr("办好后，工作人员可以打电话告诉您。", "Staff can call you when your matter is dealt with."), a.sz.body, muted, a.paneWidth())
	prev := scrPurpose
	if a.f.kind == kindMatter {
		// The one detail asked of a resident without a card, and what it
		// is for, before it is typed.
		why.text = a.tr("手机号只用于工作人员回电告诉您办理情况，加密保存，不作他用。",
			"Only for staff to call you back about this; kept encrypted.")
		prev = scrMatter
	}
	back := a.newButton(a.tr("返回", "Back"), plain, a.goTo(prev))
	skip.setDisabled(a.busy)
	back.setDisabled(a.busy)
	if a.cramped() {
		skip.label = a.tr("跳过", "Skip")
		return a.keypadPage(a.tr("留手机号吗？", "Mobile number?"), field, hint, pad, back, skip)
	}
	left := lines(why, field, hint, a.buttonRow(back, a.againButton()), skip)
	body := container.New(split{keypadShare}, container.New(middle{}, left), pad)
	return a.frame(a.tr("留个手机号吗？（可以不留）", "Mobile number? (optional)"), body)
}

// buttonRow is a keypad screen's row of buttons beside the keypad, with
// the 大字 / 标准字 switch at its end: the question above has no room
// for it beside it.
func (a *App) buttonRow(bs ...fyne.CanvasObject) fyne.CanvasObject {
	if b := a.largeButton(); b != nil {
		bs = append(bs, b)
	}
	return container.New(row{}, bs...)
}

// wrapField is a field box whose value wraps at its groups' spaces:
// an ID number beside the keypad in the large mode on a small panel is
// wider than the pane. The setter shows a value, or the prompt.
func (a *App) wrapField(value, prompt string) (fyne.CanvasObject, func(string)) {
	p := newPara("", a.sz.body, ink, a.paneWidth()-2*inset)
	set := func(v string) {
		p.text, p.c, p.bold = v, ink, true
		if v == "" {
			p.text, p.c, p.bold = prompt, muted, false
		}
		p.Refresh()
	}
	set(value)
	bg := canvas.NewRectangle(pale)
	bg.StrokeColor, bg.StrokeWidth, bg.CornerRadius = edge, 2, 8
	bg.SetMinSize(fyne.NewSize(a.sz.touch, a.sz.touch))
	return container.NewStack(bg, container.New(margin{}, container.New(middle{}, p))), set
}

// keypadPage is a keypad screen in the large mode on a small panel, where
// a question across the top would leave the keypad's keys under 18 mm:
// the keypad takes the whole height on the right, and the question, the
// field, its hint and the buttons stand beside it, in fewer words. The
// voice says the rest (再听一遍 has no room).
//
// A title of "" leaves the question out: a problem in the hint, of
// several lines, takes its place, as a banner does the start screen's.
func (a *App) keypadPage(title string, field fyne.CanvasObject, hint *para, pad fyne.CanvasObject, buttons ...*button) fyne.CanvasObject {
	var left []fyne.CanvasObject
	if title != "" {
		q := newPara(title, a.sz.title, ink, a.paneWidth())
		q.bold = true
		left = append(left, q)
	}
	row := []fyne.CanvasObject{}
	for _, b := range buttons {
		b.pad = 8
		row = append(row, b)
	}
	if b := a.largeButton(); b != nil {
		b.pad = 8
		row = append(row, b)
	}
	left = append(left, field, hint, container.New(hrow{}, row...))
	return page(container.New(split{keypadShare}, container.New(middle{}, lines(left...)), pad))
}

// manualIDScreen takes the ID number of a resident without a card. The
// check character is checked as it is typed, and OK does nothing until
// the number is right.
func (a *App) manualIDScreen() fyne.CanvasObject {
	prompt := a.tr("18位身份证号", "18-character ID number")
	field, value := a.fieldBox(groupID(string(a.f.id)), prompt)
	set := func(v string) { setField(value, v, prompt) }
	cramped := a.cramped()
	hint := newPara("", a.sz.body, ink, a.paneWidth()-a.sz.icon()-gap)
	if cramped {
		hint.wrapAt = a.paneWidth()
		field, set = a.wrapField(groupID(string(a.f.id)), prompt)
	}
	mark := &canvas.Image{FillMode: canvas.ImageFillContain}
	mark.SetMinSize(fyne.NewSquareSize(a.sz.icon()))
	say := func() {
		h, ok := idHint(a.lang, string(a.f.id))
		if cramped {
			h = idHintShort(a.lang, string(a.f.id), h)
		}
		hint.text, hint.c, mark.Resource = h, ink, nil
		switch {
		case a.f.problem != "":
			hint.text, hint.c = a.f.problem, red
			mark.Resource = glyph("cross", crossGlyph, red)
		case ok:
			hint.c = green
			mark.Resource = glyph("tick", tickGlyph, green)
		case len(a.f.id) == citizenid.Length:
			hint.c = red
			mark.Resource = glyph("cross", crossGlyph, red)
		}
		hint.Refresh()
		mark.Refresh()
		set(groupID(string(a.f.id)))
	}
	say()

	pad := keyboard.NewNumericKeypad('X')
	pad.SetSizes(a.sz.keys())
	pad.OnKey = func(r rune) {
		a.touch()
		a.f.problem = ""
		// X stands only last: anywhere else it is a slip of the finger.
		if n := len(a.f.id); n < citizenid.Length && (r != 'X' || n == citizenid.Length-1) {
			a.f.id = append(a.f.id, r)
		}
		say()
	}
	pad.OnBackspace = func() {
		a.touch()
		a.f.problem = ""
		if n := len(a.f.id); n > 0 {
			a.f.id = a.f.id[:n-1]
		}
		say()
	}
	pad.OnDone = func() {
		a.touch()
		if _, ok := idHint(a.lang, string(a.f.id)); ok {
			a.f.problem = ""
			a.show(scrManualName)
			return
		}
		a.say(idPrompt(string(a.f.id)))
	}
	a.warmHand()
	back := a.newButton(a.tr("返回首页", "Start over"), plain, a.act(func() { a.cancel(notice{}) }))
	if a.cramped() {
		back.label = a.tr("返回首页", "Cancel")
		return a.keypadPage(a.tr("身份证号", "ID number"), field, hint, pad, back)
	}
	why := newPara(a.tr("输好后点“确认”，再输入姓名。", "Then tap OK and type your name."), a.sz.body, muted, a.paneWidth())
	left := lines(why, field, container.NewBorder(nil, nil, mark, nil, hint), a.buttonRow(back, a.againButton()))
	body := container.New(split{keypadShare}, container.New(middle{}, left), pad)
	return a.frame(a.tr("请输入身份证号", "Type your ID number"), body)
}

// manualNameScreen takes the resident's name on the pinyin keyboard, then
// asks the station to start the registration.
func (a *App) manualNameScreen() fyne.CanvasObject {
	prompt := a.tr("请用拼音输入姓名", "Type your name (pinyin)")
	cramped := a.cramped()
	promptSize, problem, in := a.sz.big, a.f.problem, margin{}
	if cramped {
		// The field is a third of a row no taller than a target: the
		// prompt in a word, in the name's own size, the problem in
		// brief (the voice says it), little margin above and below.
		prompt, promptSize, problem = a.tr("请输入姓名", "Name"), a.sz.title, a.nameProblemShort()
		in = margin{x: inset, y: 4}
	}
	field, value := a.fieldBoxIn(in, string(a.f.name), prompt)
	// The name as it is typed is the screen's largest type: the screen
	// has no question of its own above the keyboard.
	setName := func(v string) {
		setField(value, v, prompt)
		value.TextSize = promptSize
		if v != "" {
			value.TextSize = a.sz.title
		}
	}
	setName(string(a.f.name))
	if problem != "" {
		value.Text, value.Color, value.TextSize = problem, red, a.sz.big
		if cramped {
			value.TextSize = a.sz.title
		}
	}
	kb := keyboard.NewPinyinKeyboard(a.pinyin)
	if cramped {
		// Ten keys across the 7-inch panel are narrower than the large
		// mode's targets: eight, the letters half at a time.
		kb = keyboard.NewPagedPinyinKeyboard(a.pinyin)
	}
	kb.SetSizes(a.sz.keys())
	add := func(s string) {
		a.f.problem = ""
		if len(a.f.name)+len([]rune(s)) <= maxName {
			a.f.name = append(a.f.name, []rune(s)...)
		}
		setName(string(a.f.name))
	}
	kb.OnCommit = func(s string) {
		a.touch()
		add(s)
	}
	del := func() {
		a.touch()
		if n := len(a.f.name); n > 0 {
			a.f.name = a.f.name[:n-1]
		}
		setName(string(a.f.name))
	}
	kb.OnBackspace = del
	kb.OnDone = a.act(a.startManualSession)
	a.live.composing = kb.Composition
	// Back to the number starts it afresh: once confirmed, the number
	// typed is not shown in full again.
	back := a.newButton(a.tr("返回", "Back"), plain, a.act(func() {
		a.f.id, a.f.name, a.f.problem = nil, nil, ""
		a.show(scrManualID)
	}))
	if cramped {
		return a.namePage(back, field, kb, add, del)
	}
	right := []fyne.CanvasObject{a.nameChoice()}
	if b := a.largeButton(); b != nil {
		right = append(right, b)
	}
	top := container.NewBorder(nil, nil, back, container.New(hrow{}, right...), field)
	return container.NewStack(canvas.NewRectangle(paper),
		container.New(stack{0.6}, container.New(margin{x: inset, y: 6}, container.New(middle{}, top)), a.nameInput(kb, add, del)))
}

// namePage is the manual-name screen in the large mode on a small panel,
// whose 91 mm hold five rows of 18 mm targets and no more: the name
// between 返回 and the switches in one row at the top, the paged keyboard
// or the handwriting pad in all the height left. 再听一遍 has no room; the
// voice has said the rest. Under the pad, whose four rows of keys need
// all that height, 大字 joins 删除 and 确认 beside it: on the English
// screen its two lines would make the top row too tall.
func (a *App) namePage(back *button, field fyne.CanvasObject, kb *keyboard.PinyinKeyboard, add func(string), del func()) fyne.CanvasObject {
	var right []fyne.CanvasObject
	if b := a.nameSwitch(); b != nil {
		right = append(right, b)
	}
	writing := a.f.hand && a.hand() == handReady
	if b := a.largeButton(); b != nil && !writing {
		right = append(right, b)
	}
	top := container.NewBorder(nil, nil, back, container.New(hrow{}, right...), field)
	return container.NewStack(canvas.NewRectangle(paper),
		container.New(atop{}, container.New(margin{x: inset, y: 0}, top), a.nameInput(kb, add, del)))
}

// nameProblemShort is the name screen's problem in words that fit its
// field on a small panel in the large mode: a name wanted turns the
// prompt red.
func (a *App) nameProblemShort() string {
	switch a.f.problem {
	case "":
		return ""
	case a.noHandProblem():
		return a.tr("手写暂不可用", "No handwriting")
	}
	return a.tr("请输入姓名", "Name")
}

// startManualSession hands name and number to the station, which checks
// them again and starts the registration; Sync then shows the confirm
// screen.
func (a *App) startManualSession() {
	name := strings.TrimSpace(string(a.f.name))
	if err := a.st.StartManual(name, string(a.f.id)); err != nil {
		p := manualProblem(a.lang, string(a.f.id), err)
		a.f.problem = p.msg
		a.show(p.screen)
		a.sayProblem(p)
		return
	}
	a.Sync()
}
