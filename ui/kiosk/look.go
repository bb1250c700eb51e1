package kiosk

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"

	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/keyboard"
)

// sizes are a resident screen's type and targets in Fyne units: the
// theme's millimetres (ui.ModeMM) for the panel the kiosk fills and the
// mode (大字 or 标准字) it is in. Every size a resident screen draws at
// comes from here, so that a screen is as large in millimetres on the
// 21.5-inch terminal as on the 7-inch panel, and the large mode makes all
// of it larger at once. show takes them afresh for every screen.
type sizes struct {
	caption float32 // the other language, captions: the least any text is
	body    float32 // sentences and button labels
	big     float32 // a name, a number being typed
	title   float32 // a screen's question
	touch   float32 // the least width and height of anything tapped
	large   bool    // the large mode's sizes
}

// The kiosk's own sizes derived from the theme's.
func (s sizes) ticket() float32 { return 2 * s.title }   // the ticket number
func (s sizes) clock() float32  { return 1.3 * s.title } // the start screen's time
func (s sizes) count() float32  { return 2 * s.title }   // the idle countdown
func (s sizes) icon() float32   { return s.touch / 2 }   // a tile's icon

// sizesOf reads a theme's sizes: the kiosk theme's for its panel and
// mode, or, for any other theme (a test's), the kiosk theme's on the
// 7-inch panel in the normal mode.
func sizesOf(th fyne.Theme) sizes {
	kt, ok := th.(*ui.Theme)
	if !ok {
		kt = ui.NewTheme()
	}
	u := kt.Sizes()
	return sizes{caption: u.Caption, body: u.Body, big: u.Subheading, title: u.Title, touch: u.Target, large: kt.Large()}
}

// theme is the app's theme, nil without an app.
func (a *App) theme() fyne.Theme {
	if fa := fyne.CurrentApp(); fa != nil {
		return fa.Settings().Theme()
	}
	return nil
}

// cramped reports whether the screen is being built in its compact form:
// the large mode on a panel less than 120 mm high (the 7-inch one is
// 91 mm), or any screen whose full form is larger than the window (show
// tries it first). There is room for one clear action and few words, so
// the screens leave out what the voice and a larger panel can carry,
// never making the type smaller.
func (a *App) cramped() bool {
	if a.compact {
		return true
	}
	if !a.sz.large {
		return false
	}
	kt, ok := a.theme().(*ui.Theme)
	if !ok {
		return false
	}
	p, scale := kt.Panel()
	return p.MM(a.win.Canvas().Size().Height, scale) < 120
}

// fits reports whether o's least size is within the window's, or the
// window has no size yet.
func (a *App) fits(o fyne.CanvasObject) bool {
	win := a.win.Canvas().Size()
	if win.Width <= 0 || win.Height <= 0 {
		return true
	}
	m := o.MinSize()
	return m.Width <= win.Width+0.5 && m.Height <= win.Height+0.5
}

// keys are the keyboards' sizes for s: a key is a target, its digits
// and candidates title type, its letters large, its labels body text. In
// the large mode a key has no second line (the English under 删除): two
// lines at these sizes are taller than the key.
func (s sizes) keys() keyboard.Sizes {
	k := keyboard.Sizes{Key: s.touch, Digit: s.title, Letter: s.big, Label: s.body, Sub: s.caption}
	if s.large {
		k.Sub = 0
	}
	return k
}

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
	greyText = color.NRGBA{R: 0x5f, G: 0x65, B: 0x6d, A: 0xff} // 4.8:1 on greyFace: still read
)

// text returns a canvas text in the kiosk's type.
func text(s string, size float32, c color.Color, bold bool) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	setBold(t, bold)
	return t
}

// setBold draws t in the theme's bold face or its regular one. Bold text
// names the bold face as its source: Fyne otherwise puts its own Latin
// bold face behind the theme's as a fallback, 1.5 MB once parsed, which
// no resident screen draws with since the bold face has every character
// they show in bold, Latin included. Regular text keeps Fyne's chain: the
// regular face has no Latin letters and borrows Fyne's.
func setBold(t *canvas.Text, bold bool) {
	t.TextStyle.Bold, t.FontSource = bold, source(bold)
}

// source is the face text names as its own: the bold one for bold text,
// none (Fyne's chain) for regular.
func source(bold bool) fyne.Resource {
	if !bold {
		return nil
	}
	return theme.Current().Font(fyne.TextStyle{Bold: true})
}

// measure is the size of s in the kiosk's type, as text draws it.
func measure(s string, size float32, bold bool) fyne.Size {
	m, _ := fyne.CurrentApp().Driver().RenderedTextSize(s, size, fyne.TextStyle{Bold: bold}, source(bold))
	return m
}

// centred returns t centred in its space.
func centred(t *canvas.Text) *canvas.Text {
	t.Alignment = fyne.TextAlignCenter
	return t
}
