package staff

import (
	"errors"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/keyboard"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// Longest entries the fields take: staff IDs have a few digits, PINs four
// to eight.
const (
	maxIDDigits  = 6
	maxPINDigits = 8
)

// Login is the staff log-in screen: staff ID and PIN on the numeric
// keypad. A staff member with their staff code scans it instead; the
// station logs them in without this screen.
type Login struct {
	st   Station
	lang string
	done func()
	back func()

	id, pin []rune
	onPIN   bool // the keypad types into the PIN

	idField  *touch.Button
	pinField *touch.Button
	msg      *canvas.Text
	msg2     *widget.Label
	keypad   *keyboard.NumericKeypad
	root     fyne.CanvasObject
}

// NewLogin builds the log-in screen. done is called once the station has
// logged the staff member in (show the staff screen then); back leaves
// without logging in. Both run on Fyne's goroutine.
func NewLogin(st Station, lang string, done, back func()) *Login {
	l := &Login{st: st, lang: lang, done: done, back: back}
	tr := func(zh, en string) string { return ui.Tr(lang, zh, en) }
	l.idField = touch.NewButton("", widget.HighImportance, func() { l.focus(false) })
	l.idField.Alignment = widget.ButtonAlignLeading
	l.pinField = touch.NewButton("", widget.MediumImportance, func() { l.focus(true) })
	l.pinField.Alignment = widget.ButtonAlignLeading
	l.msg = touch.NewText("", 22, touch.Red, true)
	l.msg2 = touch.NewLabel("", true)
	l.keypad = keyboard.NewNumericKeypad(0)
	l.keypad.OnKey = l.key
	l.keypad.OnBackspace = l.backspace
	l.keypad.OnDone = l.enter
	title := touch.NewText(tr("工作人员登录", "Staff log-in"), 32, touch.Ink, true)
	hint := touch.NewLabel(tr("输入工号和密码；带工作证的可直接扫码登录。", "Type your staff ID and PIN, or scan your staff code."), true)
	leave := touch.NewButton(tr("返回", "Back"), widget.MediumImportance, func() { l.Reset(); call(l.back) })
	// Back sits beside the title: below the message, on the 7-inch
	// panel in English, it covered the message's last line.
	head := container.NewBorder(nil, nil, nil, leave, container.NewCenter(title))
	left := container.NewVBox(head, hint, l.idField, l.pinField, l.msg, l.msg2, layout.NewSpacer())
	l.root = ui.StaffColours(container.New(columns{1, 1}, left, l.keypad))
	l.update()
	return l
}

// Content is the screen's root object.
func (l *Login) Content() fyne.CanvasObject { return l.root }

// Reset clears what was typed and any message: call it before showing the
// screen again.
func (l *Login) Reset() {
	l.id, l.pin, l.onPIN = nil, nil, false
	l.say("", "")
	l.update()
}

func (l *Login) focus(pin bool) {
	l.onPIN = pin
	l.update()
}

func (l *Login) key(r rune) {
	switch {
	case !l.onPIN && len(l.id) < maxIDDigits:
		l.id = append(l.id, r)
	case l.onPIN && len(l.pin) < maxPINDigits:
		l.pin = append(l.pin, r)
	}
	l.say("", "")
	l.update()
}

func (l *Login) backspace() {
	f := &l.id
	if l.onPIN {
		f = &l.pin
	}
	if len(*f) > 0 {
		*f = (*f)[:len(*f)-1]
	}
	l.update()
}

// enter moves from the ID to the PIN, and from the PIN to logging in.
func (l *Login) enter() {
	tr := func(zh, en string) string { return ui.Tr(l.lang, zh, en) }
	switch {
	case len(l.id) == 0:
		l.onPIN = false
		l.say(tr("请先输入工号", "Type your staff ID first"), "")
	case !l.onPIN || len(l.pin) == 0:
		l.onPIN = true
		if len(l.pin) == 0 && l.msg.Text == "" {
			l.say("", tr("请输入密码，然后按确认。", "Now type your PIN and tap OK."))
		}
	default:
		l.login()
	}
	l.update()
}

func (l *Login) login() {
	tr := func(zh, en string) string { return ui.Tr(l.lang, zh, en) }
	err := l.st.StaffLoginPIN(staffID(l.st.StaffIDs(), string(l.id)), string(l.pin))
	l.pin = nil
	switch {
	case err == nil:
		l.id, l.onPIN = nil, false
		l.say("", "")
		call(l.done)
	case errors.Is(err, station.ErrPINLocked):
		l.say(tr("密码错误次数太多，已锁定几分钟", "Too many wrong PINs: locked for a few minutes"),
			tr("请稍后再试，或扫工作证二维码登录。", "Try again later, or scan your staff code."))
	case errors.Is(err, station.ErrPIN):
		l.say(tr("工号或密码不对", "Staff ID or PIN is wrong"),
			tr("请重新输入密码；多次输错会锁定几分钟。", "Type the PIN again; after several wrong tries the keypad locks for a few minutes."))
	default:
		l.say(tr("现在无法登录", "Cannot log in now"), err.Error())
	}
}

func (l *Login) say(headline, detail string) {
	l.msg.Text = headline
	l.msg.Refresh()
	l.msg2.SetText(detail)
}

func (l *Login) update() {
	tr := func(zh, en string) string { return ui.Tr(l.lang, zh, en) }
	l.idField.SetText(tr("工号  ", "Staff ID  ") + string(l.id) + cursor(!l.onPIN))
	l.pinField.SetText(tr("密码  ", "PIN  ") + strings.Repeat("●", len(l.pin)) + cursor(l.onPIN))
	l.idField.Importance, l.pinField.Importance = widget.MediumImportance, widget.MediumImportance
	if l.onPIN {
		l.pinField.Importance = widget.HighImportance
	} else {
		l.idField.Importance = widget.HighImportance
	}
	l.idField.Refresh()
	l.pinField.Refresh()
}

func cursor(on bool) string {
	if on {
		return "▏"
	}
	return ""
}

// staffID finds the staff member whose ID has the digits typed, so that
// "7" and "0007" both find s-0007; the keypad has no letters. Digits that
// match nobody are tried as s-NNNN, so a wrong ID counts as a wrong try.
func staffID(ids []string, typed string) string {
	want := strings.TrimLeft(typed, "0")
	for _, id := range ids {
		digits := strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, id)
		if want != "" && strings.TrimLeft(digits, "0") == want {
			return id
		}
	}
	for len(typed) < 4 {
		typed = "0" + typed
	}
	return "s-" + typed
}

func call(f func()) {
	if f != nil {
		f()
	}
}
