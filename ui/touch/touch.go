// Package touch is what the staff's and the technician's screens are built
// of: buttons no smaller than a fingertip, text and labels, and the few
// colours that read on white in a bright hall. The residents' screens
// (ui/kiosk) draw their own, larger still.
package touch

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui/keyboard"
)

// Size is the least width and height of anything tapped: the keyboard's
// key size, 15 mm on the kiosk's 7-inch 800×480 panel.
const Size = keyboard.KeySize

// Colour is an opaque colour, 0xRRGGBB: a constant, so no screen can
// change another's.
type Colour uint32

// Dark enough on white to read in a bright hall (contrast 5:1 and more).
const (
	Ink   Colour = 0x111111
	Grey  Colour = 0x5f6368
	Green Colour = 0x1b7f3b
	Amber Colour = 0xb25e00
	Red   Colour = 0xb01c1c
)

// RGBA implements color.Color.
func (c Colour) RGBA() (r, g, b, a uint32) {
	return color.NRGBA{R: uint8(c >> 16), G: uint8(c >> 8), B: uint8(c), A: 0xff}.RGBA()
}

// Button is a widget.Button no smaller than a touch target.
type Button struct {
	widget.Button
}

// NewButton returns a button that calls tap when tapped.
func NewButton(label string, imp widget.Importance, tap func()) *Button {
	b := &Button{}
	b.Text, b.Importance, b.OnTapped = label, imp, tap
	b.ExtendBaseWidget(b)
	return b
}

// MinSize is the button's own, and at least Size square.
func (b *Button) MinSize() fyne.Size {
	return b.Button.MinSize().Max(fyne.NewSquareSize(Size))
}

// NewText returns a single line of text.
func NewText(s string, size float32, c color.Color, bold bool) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	t.TextStyle.Bold = bold
	return t
}

// NewLabel returns a label, wrapped at word boundaries when wrap is true.
func NewLabel(s string, wrap bool) *widget.Label {
	l := widget.NewLabel(s)
	if wrap {
		l.Wrapping = fyne.TextWrapWord
	}
	return l
}
