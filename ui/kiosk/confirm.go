package kiosk

import (
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
	labelW := float32(130)
	if a.lang == "en" {
		labelW = 150
	}
	valueW := fullWidth - labelW - gap
	rows := []fyne.CanvasObject{text(sourceWord(a.lang, a.f.sess.Source), sizeSmall, muted, false)}
	add := func(label, value string, size float32, bold bool) {
		v := newPara(value, size, ink, valueW)
		v.bold = bold
		rows = append(rows, container.New(pair{labelW}, text(label, sizeBody, muted, false), v))
	}
	add(a.tr("姓名", "Name"), shownName(p.Name), sizeBig, true)
	if rare(p.Name) {
		add("", a.tr("名字中的生僻字本机可能显示不全，但已正确读取", "A rare character in the name may not show here; it was read correctly"), sizeSmall, false)
	}
	if p.NameEN != "" && p.NameEN != p.Name {
		add(a.tr("英文姓名", "Name (EN)"), shownName(p.NameEN), sizeBody, false)
	}
	idLabel := a.tr("身份证号", "ID number")
	if p.CardType != "" && p.CardType != "resident" {
		idLabel = a.tr("证件号码", "Card number")
	}
	add(idLabel, p.IDNumber, sizeBig, false)
	add(a.tr("性别", "Sex"), genderWord(a.lang, p.Gender)+"      "+birthYearWord(a.lang, p.Birth), sizeBody, false)
	if p.Address != "" {
		add(a.tr("住址", "Address"), shownAddress(p.Address), sizeBody, false)
	}
	rows = append(rows, a.problemLine(fullWidth))

	notMe := newButton(a.tr("不是我", "Not me"), neutral, a.act(func() { a.cancel(notice{}) }))
	ok := newButton(a.tr("确认", "Confirm"), primary, a.goTo(scrPurpose))
	return a.frame(a.tr("请核对您的信息", "Please check your details"),
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
		text(a.tr("预约码有效", "Your appointment code is valid"), sizeSmall, muted, false),
		text(name, sizeBig, ink, true),
		newPara(a.tr("请将本人身份证放在读卡器上，核对是否本人预约。没带身份证，可以输入身份证号。",
			"Lay your ID card on the reader to confirm the appointment is yours. Without your card, type your ID number."), sizeBody, ink, fullWidth),
	}
	notMe := newButton(a.tr("不是我", "Not me"), neutral, a.act(func() { a.cancel(notice{}) }))
	typeID := newButton(a.tr("输入身份证号", "Type ID number"), plain, a.act(func() {
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

// pair lays a label at a fixed width beside its value.
type pair struct{ labelW float32 }

func (p pair) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l, v := objs[0], objs[1]
	// The label sits on the value's first line.
	vh := v.MinSize().Height
	first := min(vh, lineHeight(sizeBig))
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

// tileSize is the type size of the category names: English names are
// longer, and must still fit four across an 800-wide screen.
func (a *App) tileSize() float32 {
	if a.lang == "en" {
		return 20
	}
	return 24
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
		b := newButton(label, plain, nil)
		b.icon, b.wrapAt, b.size = categoryIcon(c.Code), 182, a.tileSize()
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
	var body fyne.CanvasObject = container.New(tiles{maxCols: 4}, tls...)
	if len(tls) == 0 {
		// A station that never reached its hub has no categories.
		msg := newPara(a.tr("暂时无法选择事项，请找工作人员帮忙", "Matters cannot be chosen just now: please ask staff"), sizeBody, red, fullWidth)
		body = container.New(middle{}, msg)
	}
	if a.f.problem != "" {
		body = container.NewBorder(nil, a.problemLine(fullWidth), nil, nil, body)
	}
	back := newButton(a.tr("返回", "Back"), plain, a.goTo(scrConfirm))
	return a.frame(a.tr("您今天来办什么事？", "What did you come for today?"), body, back)
}

// fieldBox is where typed text shows: large, on a pale panel with an
// edge, with a grey prompt while it is empty.
func fieldBox(value, prompt string) (fyne.CanvasObject, *canvas.Text) {
	t := text(value, sizeBig, ink, true)
	if value == "" {
		t.Text, t.Color, t.TextStyle.Bold = prompt, muted, false
	}
	bg := canvas.NewRectangle(pale)
	bg.StrokeColor, bg.StrokeWidth, bg.CornerRadius = edge, 2, 8
	bg.SetMinSize(fyne.NewSize(touch, touch))
	return container.NewStack(bg, container.New(margin{}, container.New(middle{}, t))), t
}

// setField shows value in a field box's text, or its prompt.
func setField(t *canvas.Text, value, prompt string) {
	t.Text, t.Color, t.TextStyle.Bold = value, ink, true
	if value == "" {
		t.Text, t.Color, t.TextStyle.Bold = prompt, muted, false
	}
	t.Refresh()
}
