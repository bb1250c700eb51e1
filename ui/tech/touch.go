package tech

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/keyboard"
)

// touch is the least width and height of anything tapped: the keyboard's
// key size, 15 mm on the kiosk's 7-inch 800×480 panel.
const touch = keyboard.KeySize

// Dark enough on white to read in a bright hall.
var (
	ink   = color.NRGBA{R: 0x11, G: 0x11, B: 0x11, A: 0xff}
	grey  = color.NRGBA{R: 0x5f, G: 0x63, B: 0x68, A: 0xff}
	green = color.NRGBA{R: 0x1b, G: 0x7f, B: 0x3b, A: 0xff}
	amber = color.NRGBA{R: 0xb2, G: 0x5e, B: 0x00, A: 0xff}
	red   = color.NRGBA{R: 0xb0, G: 0x1c, B: 0x1c, A: 0xff}
)

// button is a widget.Button no smaller than a touch target.
type button struct {
	widget.Button
}

func newButton(label string, imp widget.Importance, tap func()) *button {
	b := &button{}
	b.Text, b.Importance, b.OnTapped = label, imp, tap
	b.ExtendBaseWidget(b)
	return b
}

func (b *button) MinSize() fyne.Size {
	return b.Button.MinSize().Max(fyne.NewSquareSize(touch))
}

func newText(s string, size float32, c color.Color, bold bool) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	t.TextStyle.Bold = bold
	return t
}

func newLabel(s string, wrap bool) *widget.Label {
	l := widget.NewLabel(s)
	if wrap {
		l.Wrapping = fyne.TextWrapWord
	}
	return l
}

// age says how long ago something was, roughly: technicians want "two
// hours", not a timestamp to subtract.
func age(lang string, d time.Duration) string {
	var n int
	var zh, en string
	switch {
	case d < time.Minute:
		return ui.Tr(lang, "刚刚", "just now")
	case d < time.Hour:
		n, zh, en = int(d/time.Minute), "%d 分钟前", "%d min ago"
	case d < 48*time.Hour:
		n, zh, en = int(d/time.Hour), "%d 小时前", "%d h ago"
	default:
		n, zh, en = int(d/(24*time.Hour)), "%d 天前", "%d days ago"
	}
	return fmt.Sprintf(ui.Tr(lang, zh, en), n)
}

// paged puts content in a scroll with page up and down keys beside it:
// the kiosk's desktop driver does not scroll on a finger's drag, and a
// scroll bar is too thin to hit.
func paged(content fyne.CanvasObject) (*container.Scroll, fyne.CanvasObject) {
	scroll := container.NewVScroll(content)
	page := func(dir float32) func() {
		return func() {
			step := max(scroll.Size().Height-touch, touch)
			scroll.ScrollToOffset(fyne.NewPos(0, max(0, scroll.Offset.Y+dir*step)))
		}
	}
	up := newButton("", widget.MediumImportance, page(-1))
	up.Icon = theme.MoveUpIcon()
	down := newButton("", widget.MediumImportance, page(1))
	down.Icon = theme.MoveDownIcon()
	return scroll, container.NewBorder(nil, nil, nil, container.NewGridWithRows(2, up, down), scroll)
}
