package kiosk

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// confirmScreen shows what was read (or typed) for the resident to check,
// as little as a passer-by may see: the name and the ID number masked, the
// year of birth, the address down to the compound (privacy.go).
func (a *App) confirmScreen() fyne.CanvasObject {
	if a.f.sess.NeedsCard {
		return a.appointmentCardScreen()
	}
	p := a.f.sess.Person
	if p == nil {
		p = &station.PersonView{}
	}
	labelW := a.labelWidth(a.tr("身份证号", "Card number"), a.tr("英文姓名", "Name (EN)"))
	valueW := a.fullWidth() - labelW - gap
	var rows []fyne.CanvasObject
	cramped := a.cramped()
	big := a.sz.big
	if cramped {
		// Four rows of large type must fit the 7-inch panel's height.
		big = a.sz.body
	}
	if !cramped {
		// Where the details came from; no room for it in large type on
		// the 7-inch panel.
		rows = append(rows, text(sourceWord(a.lang, a.f.sess.Source), a.sz.caption, muted, false))
	}
	add := func(label, value string, size float32, bold bool) {
		v := newPara(value, size, ink, valueW)
		v.bold = bold
		rows = append(rows, container.New(pair{labelW, big}, text(label, a.sz.body, muted, false), v))
	}
	add(a.tr("姓名", "Name"), shownName(p.Name), big, true)
	if rare(p.Name) {
		add("", a.tr("名字中的生僻字本机可能显示不全，但已正确读取", "A rare character in the name may not show here; it was read correctly"), a.sz.caption, false)
	}
	if p.NameEN != "" && p.NameEN != p.Name {
		add(a.tr("英文姓名", "Name (EN)"), shownName(p.NameEN), a.sz.body, false)
	}
	idLabel := a.tr("身份证号", "ID number")
	if p.CardType != "" && p.CardType != "resident" {
		idLabel = a.tr("证件号码", "Card number")
	}
	add(idLabel, p.IDNumber, big, false)
	if !cramped {
		add(a.tr("性别", "Sex"), genderWord(a.lang, p.Gender)+"      "+birthYearWord(a.lang, p.Birth), a.sz.body, false)
	}
	if p.Address != "" {
		add(a.tr("住址", "Address"), shownAddress(p.Address), a.sz.body, false)
	}
	rows = append(rows, a.problemLine(a.fullWidth()))

	notMe := a.newButton(a.tr("不是我", "Not me"), neutral, a.act(func() { a.cancel(notice{}) }))
	ok := a.newButton(a.tr("确认", "Confirm"), primary, a.goTo(scrPurpose))
	title := a.tr("请核对您的信息", "Please check your details")
	if cramped {
		title = a.tr("请核对您的信息", "Your details")
	}
	return a.frame(title,
		container.New(middle{}, lines(rows...)), notMe, ok)
}

// appointmentCardScreen greets the resident of an appointment code, which
// names them only masked, and asks for their ID card to confirm them; one
// without the card types the number instead.
func (a *App) appointmentCardScreen() fyne.CanvasObject {
	name := ""
	if p := a.f.sess.Person; p != nil {
		name = shownName(p.Name)
	}
	rows := []fyne.CanvasObject{
		text(a.tr("预约码有效", "Your appointment code is valid"), a.sz.caption, muted, false),
		text(name, a.sz.big, ink, true),
		newPara(a.tr("请将本人身份证放在读卡器上，核对是否本人预约。没带身份证，可以输入身份证号。",
			"Lay your ID card on the reader to confirm the appointment is yours. Without your card, type your ID number."), a.sz.body, ink, a.fullWidth()),
	}
	notMe := a.newButton(a.tr("不是我", "Not me"), neutral, a.act(func() { a.cancel(notice{}) }))
	typeID := a.newButton(a.tr("输入身份证号", "Type ID number"), plain, a.act(func() {
		a.f.id, a.f.name = nil, nil
		a.show(scrManualID)
	}))
	return a.frame(a.tr("请放置身份证", "Please lay your ID card"),
		container.New(middle{}, lines(rows...)), notMe, typeID)
}

// rare reports whether s has a character beyond the Basic Multilingual
// Plane, such as CJK Extension B: the bundled font has none of them, and
// unless the system has a font that does, it is drawn as a replacement
// mark. The resident should not take that for a misread card.
func rare(s string) bool {
	for _, r := range s {
		if r > 0xffff {
			return true
		}
	}
	return false
}

// labelWidth is the width of the widest of labels in body type.
func (a *App) labelWidth(labels ...string) float32 {
	w := float32(0)
	for _, l := range labels {
		w = max(w, measure(l, a.sz.body, false).Width)
	}
	return float32(math.Ceil(float64(w)))
}

// pair lays a label at a fixed width beside its value, a value of big
// type a line high.
type pair struct{ labelW, big float32 }

func (p pair) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l, v := objs[0], objs[1]
	// The label sits on the value's first line.
	vh := v.MinSize().Height
	first := min(vh, lineHeight(p.big))
	if t, ok := v.(*para); ok {
		first = t.lineHeight()
	}
	lh := l.MinSize().Height
	l.Move(fyne.NewPos(0, max(0, first-lh)))
	l.Resize(fyne.NewSize(p.labelW, lh))
	v.Move(fyne.NewPos(p.labelW+gap, 0))
	v.Resize(fyne.NewSize(size.Width-p.labelW-gap, size.Height))
}

func (p pair) MinSize(objs []fyne.CanvasObject) fyne.Size {
	l, v := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(p.labelW+gap+v.Width, max(l.Height, v.Height))
}

// matterTile is a matter's tile, its icon over its name, four across
// the narrowest window; in the large mode on a small panel the name
// alone, in a narrower margin, so that four characters fit a line.
func (a *App) matterTile(label, code string) *button {
	b := a.newButton(label, plain, nil)
	b.icon, b.wrapAt = categoryIcon(code), 182
	if a.cramped() {
		b.icon, b.pad, b.wrapAt = nil, 8, (a.fullWidth()-3*gap)/4
	}
	return b
}

// purposeScreen asks what the resident came for, each matter a large
// tile with its icon. An appointment's purpose comes chosen.
func (a *App) purposeScreen() fyne.CanvasObject {
	cats := a.st.Categories()
	var tls []fyne.CanvasObject
	for _, c := range cats {
		label := c.Name
		if a.lang == "en" && c.NameEN != "" {
			label = c.NameEN
		}
		b := a.matterTile(label, c.Code)
		if c.Code == a.f.purpose {
			b.look = chosen
		}
		// One tap on a matter moves on: nothing else to confirm.
		b.onTap = a.act(func() {
			a.f.purpose = c.Code
			a.f.problem = ""
			a.show(scrPhone)
		})
		tls = append(tls, b)
	}
	body, more := a.matterTiles(tls)
	if len(tls) == 0 {
		// A station that never reached its hub has no categories.
		msg := newPara(a.tr("暂时无法选择事项，请找工作人员帮忙", "Matters cannot be chosen just now: please ask staff"), a.sz.body, red, a.fullWidth())
		body = container.New(middle{}, msg)
	}
	if a.f.problem != "" {
		body = container.NewBorder(nil, a.problemLine(a.fullWidth()), nil, nil, body)
	}
	back := a.newButton(a.tr("返回", "Back"), plain, a.goTo(scrConfirm))
	if more != nil {
		return a.frame(a.tr("您今天来办什么事？", "Choose a matter"), body, back, more)
	}
	return a.frame(a.tr("您今天来办什么事？", "What did you come for today?"), body, back)
}

// fieldBox is where typed text shows: large, on a pale panel with an
// edge, with a grey prompt while it is empty.
func (a *App) fieldBox(value, prompt string) (fyne.CanvasObject, *canvas.Text) {
	return a.fieldBoxIn(margin{}, value, prompt)
}

// fieldBoxIn is fieldBox with its text inside m.
func (a *App) fieldBoxIn(m margin, value, prompt string) (fyne.CanvasObject, *canvas.Text) {
	t := text(value, a.sz.big, ink, true)
	if value == "" {
		t.Text, t.Color = prompt, muted
		setBold(t, false)
	}
	bg := canvas.NewRectangle(pale)
	bg.StrokeColor, bg.StrokeWidth, bg.CornerRadius = edge, 2, 8
	bg.SetMinSize(fyne.NewSize(a.sz.touch, a.sz.touch))
	return container.NewStack(bg, container.New(m, container.New(middle{}, t))), t
}

// setField shows value in a field box's text, or its prompt.
func setField(t *canvas.Text, value, prompt string) {
	t.Text, t.Color = value, ink
	setBold(t, true)
	if value == "" {
		t.Text, t.Color = prompt, muted
		setBold(t, false)
	}
	t.Refresh()
}
