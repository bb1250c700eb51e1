package staff

import (
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/keyboard"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// services are the usual kinds of volunteer service at a station, recorded
// by their Chinese names, with the English shown.
func services() [][2]string {
	return [][2]string{
		{"政策宣传", "Policy outreach"},
		{"环境整治", "Clean-up"},
		{"帮老助残", "Elderly care"},
		{"矛盾调解", "Mediation"},
		{"平安巡逻", "Safety patrol"},
		{"值班接待", "Front desk"},
		{"疫情防控", "Epidemic control"},
	}
}

// Longest texts typed: record.Volunteer takes 30 characters of name and
// 100 of service; a service the screen can show is shorter.
const (
	maxName    = 30
	maxService = 30
)

// serviceWord is a recorded service in the screen's language.
func (s *Screen) serviceWord(zh string) string {
	for _, sv := range services() {
		if sv[0] == zh {
			return s.tr(sv[0], sv[1])
		}
	}
	return zh
}

// checkInForm checks a volunteer in, over the whole screen: the name on
// the pinyin keyboard, then party member or not and the service.
type checkInForm struct {
	v *volunteerTab

	name, typed []rune // the name; a service typed in
	target      *[]rune
	service     string // chosen or typed
	party       bool

	kb       *keyboard.PinyinKeyboard
	field    *canvas.Text
	next     *touch.Button
	typing   fyne.CanvasObject
	who      *canvas.Text
	partyBtn *touch.Button
	volBtn   *touch.Button
	presets  []*touch.Button
	other    *touch.Button
	ok       *touch.Button
	msg      *widget.Label
	details  fyne.CanvasObject
}

func newCheckInForm(v *volunteerTab) *checkInForm {
	f := &checkInForm{v: v}
	s := v.s
	f.kb = keyboard.NewPinyinKeyboard(s.opt.Pinyin)
	f.kb.OnCommit = func(t string) { s.st.TouchStaff(); f.commit(t) }
	f.kb.OnBackspace = func() { s.st.TouchStaff(); f.backspace() }
	f.kb.OnDone = func() { s.st.TouchStaff(); f.done() }
	f.field = touch.NewText("", 28, touch.Ink, true)
	cancel := touch.NewButton(s.tr("取消", "Cancel"), widget.MediumImportance, s.act(f.close))
	f.next = touch.NewButton(s.tr("下一步", "Next"), widget.HighImportance, s.act(f.done))
	f.typing = container.NewBorder(container.NewBorder(nil, nil, cancel, f.next, f.field), nil, nil, nil, f.kb)

	f.who = touch.NewText("", 32, touch.Ink, true)
	back := touch.NewButton(s.tr("改姓名", "Change name"), widget.MediumImportance, s.act(func() { f.edit(&f.name) }))
	cancel2 := touch.NewButton(s.tr("取消", "Cancel"), widget.MediumImportance, s.act(f.close))
	f.partyBtn = touch.NewButton(s.tr("党员", "Party member"), widget.MediumImportance, s.act(func() { f.setParty(true) }))
	f.volBtn = touch.NewButton(s.tr("群众志愿者", "Other volunteer"), widget.MediumImportance, s.act(func() { f.setParty(false) }))
	grid := container.NewGridWithColumns(4)
	for _, sv := range services() {
		b := touch.NewButton(s.tr(sv[0], sv[1]), widget.MediumImportance, s.act(func() { f.choose(sv[0]) }))
		f.presets = append(f.presets, b)
		grid.Add(b)
	}
	f.other = touch.NewButton(s.tr("其他…", "Other…"), widget.MediumImportance, s.act(func() { f.edit(&f.typed) }))
	grid.Add(f.other)
	f.ok = touch.NewButton(s.tr("签到", "Check in"), widget.HighImportance, s.act(f.checkIn))
	f.msg = touch.NewLabel("", true)
	top := container.NewBorder(nil, nil, back, cancel2, container.NewCenter(f.who))
	party := container.NewGridWithColumns(2, f.partyBtn, f.volBtn)
	ok := container.New(atLeast{w: 3 * touch.Size}, f.ok)
	f.details = container.NewBorder(container.NewVBox(top, party), container.NewBorder(nil, nil, nil, ok, f.msg), nil, nil, grid)
	return f
}

// open starts a new check-in.
func (f *checkInForm) open() {
	f.name, f.typed, f.service, f.party = nil, nil, "", false
	f.msg.SetText("")
	f.edit(&f.name)
}

func (f *checkInForm) close() {
	f.kb.Reset()
	f.v.s.overlay(nil)
}

// edit types into the name or the service.
func (f *checkInForm) edit(target *[]rune) {
	f.target = target
	f.kb.Reset()
	f.update()
	f.v.s.overlay(f.typing)
}

func (f *checkInForm) commit(t string) {
	limit := maxName
	if f.target == &f.typed {
		limit = maxService
	}
	for _, r := range t {
		if len(*f.target) < limit {
			*f.target = append(*f.target, r)
		}
	}
	f.update()
}

func (f *checkInForm) backspace() {
	if n := len(*f.target); n > 0 {
		*f.target = (*f.target)[:n-1]
	}
	f.update()
}

// done leaves the keyboard for the details, once there is something typed.
func (f *checkInForm) done() {
	text := strings.TrimSpace(string(*f.target))
	if text == "" {
		return
	}
	if f.target == &f.typed {
		f.service = text
	}
	f.update()
	f.v.s.overlay(f.details)
}

func (f *checkInForm) setParty(on bool) {
	f.party = on
	f.update()
}

func (f *checkInForm) choose(service string) {
	f.service = service
	f.update()
}

func (f *checkInForm) update() {
	s := f.v.s
	label := s.tr("志愿者姓名：", "Volunteer's name: ")
	if f.target == &f.typed {
		label = s.tr("服务内容：", "Service: ")
	}
	f.field.Text = label + string(*f.target) + "▏"
	f.field.Refresh()
	f.who.Text = s.tr("志愿者：", "Volunteer: ") + strings.TrimSpace(string(f.name))
	f.who.Refresh()
	mark := func(b *touch.Button, on bool) {
		b.Importance = widget.MediumImportance
		if on {
			b.Importance = widget.HighImportance
		}
		b.Refresh()
	}
	mark(f.partyBtn, f.party)
	mark(f.volBtn, !f.party)
	preset := false
	for i, sv := range services() {
		mark(f.presets[i], f.service == sv[0])
		preset = preset || f.service == sv[0]
	}
	other := s.tr("其他…", "Other…")
	if t := strings.TrimSpace(string(f.typed)); t != "" {
		other = s.tr("其他：", "Other: ") + t
	}
	f.other.SetText(other)
	mark(f.other, f.service != "" && !preset)
	if f.service == "" {
		f.ok.Disable()
	} else {
		f.ok.Enable()
	}
}

func (f *checkInForm) checkIn() {
	s := f.v.s
	c := station.CheckIn{Name: strings.TrimSpace(string(f.name)), PartyMember: f.party, Service: f.service}
	f.ok.Disable()
	s.background(func() func() {
		c, err := s.st.CheckIn(c)
		return func() { f.checkedIn(c, err) }
	})
}

func (f *checkInForm) checkedIn(c station.CheckIn, err error) {
	s := f.v.s
	if err != nil {
		var fe *record.FieldError
		switch {
		case errors.Is(err, station.ErrCheckedIn):
			f.msg.SetText(s.tr("这位志愿者已经签到了。", "This volunteer is already checked in."))
		case errors.As(err, &fe):
			f.msg.SetText(s.tr("请检查：", "Please check: ") + fe.Error())
		default:
			f.msg.SetText(s.tr("没有签到：", "Not checked in: ") + ui.Pick(s.lang, err.Error()))
		}
		f.ok.Enable()
		return
	}
	f.close()
	// Shown at once, chosen, before the station is read again.
	f.v.sel = c.Name
	f.v.show(append(slices.Clone(f.v.items), c))
	f.v.result.SetText(s.tr("已签到：", "Checked in: ") + c.Name)
	s.reload()
}
