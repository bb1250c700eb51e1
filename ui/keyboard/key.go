// Package keyboard is the kiosk's on-screen keyboards, Fyne widgets for a
// touchscreen: NumericKeypad for numbers (ID numbers, phone numbers, ages)
// and PinyinKeyboard for Chinese names and addresses, with Latin letters a
// tap away. Fyne offers no on-screen keyboard or Chinese input method on
// Linux, so the kiosk brings its own.
//
// The keyboards know nothing about the text being typed: they hand each
// key or committed character to callbacks, and the screen that owns the
// field decides what it means (whether an ID number is valid, say).
//
// Every key fills a cell at least KeySize units square and is tappable to
// the cell's edge; the visible key face is inset a little to show the gap.
// Key labels are Chinese first, with English beneath where it helps, and
// are drawn in the theme's font, which on the kiosk is the bundled CJK font
// of ui.Theme.
package keyboard

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// KeySize is the least width and height of a key's cell, in Fyne units. On
// the kiosk's 7-inch 800×480 panel (133 pixels to the inch) and at Fyne's
// scale 1, 80 units are 15.2 mm, just above the 15 mm a touch target needs
// for unsteady hands, and ten keys fill the 800-pixel width exactly.
const KeySize float32 = 80

// Sizes are a keyboard's key cell and type sizes, in Fyne units. The
// kiosk sets them from its theme's millimetres for the panel and mode
// (SetSizes on each keyboard); DefaultSizes are the 7-inch panel's.
type Sizes struct {
	Key    float32 // the least width and height of a key's cell
	Digit  float32 // digits and candidates
	Letter float32 // letters, and the letters being composed
	Label  float32 // the Chinese labels of function keys
	Sub    float32 // a key's second line; 0 leaves it out
}

// DefaultSizes are the sizes for the 7-inch 800×480 panel at scale 1:
// digits and letters large enough to read at arm's length, Chinese labels
// of function keys smaller so two characters fit a key.
func DefaultSizes() Sizes {
	return Sizes{Key: KeySize, Digit: 40, Letter: 34, Label: 22, Sub: 15}
}

// role is which of the Sizes a key's label is drawn at.
type role int

const (
	roleDigit role = iota
	roleLetter
	roleLabel
)

func (s *Sizes) text(r role) float32 {
	switch r {
	case roleDigit:
		return s.Digit
	case roleLetter:
		return s.Letter
	}
	return s.Label
}

// faceInset is the gap between a cell's edge and its key face; the gap is
// part of the key's touch target.
const faceInset float32 = 3

// look is how a key is coloured.
type look struct {
	face, stroke, text color.Color
	strokeWidth        float32
}

// Colours chosen for contrast: dark text on white is 18.9:1, white on the
// slate and green keys 11.6:1 and 8.2:1, well above WCAG AAA's 7:1.
var (
	ink       = color.NRGBA{R: 0x11, G: 0x11, B: 0x11, A: 0xff}
	paper     = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	slate     = color.NRGBA{R: 0x2f, G: 0x3b, B: 0x45, A: 0xff}
	green     = color.NRGBA{R: 0x0f, G: 0x5c, B: 0x2a, A: 0xff}
	blue      = color.NRGBA{R: 0x0b, G: 0x57, B: 0xd0, A: 0xff}
	edge      = color.NRGBA{R: 0x4a, G: 0x4f, B: 0x55, A: 0xff}
	greyFace  = color.NRGBA{R: 0xe4, G: 0xe6, B: 0xe9, A: 0xff}
	greyText  = color.NRGBA{R: 0x5f, G: 0x65, B: 0x6d, A: 0xff} // 4.8:1 on greyFace, 6:1 on paper
	greyEdge  = color.NRGBA{R: 0xc4, G: 0xc8, B: 0xcd, A: 0xff}
	backplate = color.NRGBA{R: 0xc9, G: 0xce, B: 0xd6, A: 0xff}
)

func lookOf(k kind, disabled bool) look {
	if disabled {
		return look{face: greyFace, stroke: greyEdge, text: greyText, strokeWidth: 1}
	}
	switch k {
	case function:
		return look{face: slate, stroke: slate, text: paper}
	case confirm:
		return look{face: green, stroke: green, text: paper}
	case chosen:
		return look{face: paper, stroke: blue, text: ink, strokeWidth: 5}
	default:
		return look{face: paper, stroke: edge, text: ink, strokeWidth: 2}
	}
}

// kind is what a key does, which sets its colours.
type kind int

const (
	plain    kind = iota // a letter, digit or candidate
	function             // delete, space, paging, switching
	confirm              // OK
	chosen               // the candidate space and OK would commit
)

// key is one key: a label, an optional second line in smaller type (often
// the English), an optional icon, and what a tap does.
type key struct {
	widget.BaseWidget
	label, sub string
	icon       string // name of an icon from icons.go, or ""
	role       role
	sz         *Sizes // the keyboard's
	kind       kind
	disabled   bool
	onTap      func()
}

func newKey(sz *Sizes, label, sub string, r role, k kind, onTap func()) *key {
	b := &key{label: label, sub: sub, sz: sz, role: r, kind: k, onTap: onTap}
	b.ExtendBaseWidget(b)
	return b
}

// Tapped implements fyne.Tappable.
func (k *key) Tapped(*fyne.PointEvent) {
	if !k.disabled && k.onTap != nil {
		k.onTap()
	}
}

// MinSize implements fyne.CanvasObject: a key is never smaller than its
// cell.
func (k *key) MinSize() fyne.Size { return fyne.NewSquareSize(k.sz.Key) }

// set changes what the key shows, refreshing it only when something
// changed, since the candidate bar is redrawn on every letter typed.
func (k *key) set(label string, kd kind, disabled bool) {
	if k.label == label && k.kind == kd && k.disabled == disabled {
		return
	}
	k.label, k.kind, k.disabled = label, kd, disabled
	k.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (k *key) CreateRenderer() fyne.WidgetRenderer {
	r := &keyRenderer{
		k:     k,
		face:  canvas.NewRectangle(paper),
		label: canvas.NewText("", ink),
		sub:   canvas.NewText("", ink),
		icon:  &canvas.Image{FillMode: canvas.ImageFillContain},
	}
	r.face.CornerRadius = 8
	r.label.Alignment = fyne.TextAlignCenter
	r.sub.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type keyRenderer struct {
	k     *key
	face  *canvas.Rectangle
	label *canvas.Text
	sub   *canvas.Text
	icon  *canvas.Image
}

func (r *keyRenderer) Destroy() {}

func (r *keyRenderer) MinSize() fyne.Size { return r.k.MinSize() }

func (r *keyRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.face, r.icon, r.label, r.sub}
}

func (r *keyRenderer) Refresh() {
	k := r.k
	l := lookOf(k.kind, k.disabled)
	r.face.FillColor, r.face.StrokeColor, r.face.StrokeWidth = l.face, l.stroke, l.strokeWidth
	r.label.Text, r.label.Color, r.label.TextSize = k.label, l.text, k.sz.text(k.role)
	r.sub.Text, r.sub.Color, r.sub.TextSize = k.sub, l.text, k.sz.Sub
	r.icon.Resource = nil
	if k.icon != "" {
		r.icon.Resource = icon(k.icon, l.text)
	}
	r.Layout(k.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

// Layout stacks the icon, label and second line, each only if present,
// centred on the face.
func (r *keyRenderer) Layout(size fyne.Size) {
	r.face.Move(fyne.NewPos(faceInset, faceInset))
	r.face.Resize(size.SubtractWidthHeight(2*faceInset, 2*faceInset))

	const gap float32 = 2
	iconSize := r.k.sz.Key * 3 / 8
	var h float32
	parts := []struct {
		o      fyne.CanvasObject
		height float32
		shown  bool
	}{
		{r.icon, iconSize, r.k.icon != ""},
		{r.label, r.label.MinSize().Height, r.k.label != ""},
		{r.sub, r.sub.MinSize().Height, r.k.sub != "" && r.k.sz.Sub > 0},
	}
	for _, p := range parts {
		if p.shown {
			h += p.height + gap
		}
	}
	y := (size.Height - h + gap) / 2
	for _, p := range parts {
		if !p.shown {
			p.o.Hide()
			continue
		}
		p.o.Show()
		w := size.Width - 2*faceInset
		if p.o == r.icon {
			w = iconSize
		}
		p.o.Resize(fyne.NewSize(w, p.height))
		p.o.Move(fyne.NewPos((size.Width-w)/2, y))
		y += p.height + gap
	}
}
