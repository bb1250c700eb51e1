package kiosk

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/gridkiosk/gridkiosk/ui/keyboard"
)

// touch is the least width and height of anything a resident taps: the
// keyboards' key size, 15 mm on the 7-inch 800×480 panel, for unsteady
// hands.
const touch = keyboard.KeySize

// Type sizes. The theme's body text (22) is for staff screens; residents,
// many of them elderly, read from arm's length.
const (
	sizeTicket float32 = 100 // the ticket number
	sizeTitle  float32 = 32  // a screen's question
	sizeBig    float32 = 34  // a name, a number being typed
	sizeButton float32 = 28  // a button's label
	sizeBody   float32 = 24  // sentences
	sizeSmall  float32 = 18  // the other language, captions
)

// gap is the space between parts of a screen; inset the margin round it.
const (
	gap   float32 = 10
	inset float32 = 14
)

// Colours, each pair at a contrast of at least 7:1 (WCAG AAA; see
// TestContrast): ink on paper and on pale, paper on the filled faces.
var (
	ink   = color.NRGBA{R: 0x11, G: 0x11, B: 0x11, A: 0xff}
	paper = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	pale  = color.NRGBA{R: 0xee, G: 0xf1, B: 0xf4, A: 0xff} // panels
	muted = color.NRGBA{R: 0x4a, G: 0x50, B: 0x57, A: 0xff} // secondary text
	slate = color.NRGBA{R: 0x2f, G: 0x3b, B: 0x45, A: 0xff} // neutral buttons
	green = color.NRGBA{R: 0x0f, G: 0x5c, B: 0x2a, A: 0xff} // go on, online
	blue  = color.NRGBA{R: 0x0b, G: 0x4f, B: 0xb8, A: 0xff} // chosen
	red   = color.NRGBA{R: 0xa0, G: 0x18, B: 0x18, A: 0xff} // a problem
	amber = color.NRGBA{R: 0x7a, G: 0x3e, B: 0x00, A: 0xff} // offline
	edge  = color.NRGBA{R: 0x4a, G: 0x4f, B: 0x55, A: 0xff}
	shade = color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xc0} // under the idle question
	// Disabled buttons are meant to recede; they carry no information.
	greyFace = color.NRGBA{R: 0xe4, G: 0xe6, B: 0xe9, A: 0xff}
	greyText = color.NRGBA{R: 0x7a, G: 0x7f, B: 0x86, A: 0xff}
)

// text returns a canvas text in the kiosk's type.
func text(s string, size float32, c color.Color, bold bool) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	t.TextStyle.Bold = bold
	return t
}

// centred returns t centred in its space.
func centred(t *canvas.Text) *canvas.Text {
	t.Alignment = fyne.TextAlignCenter
	return t
}
