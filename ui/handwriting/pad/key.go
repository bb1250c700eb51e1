package pad

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// Type sizes, as fractions of the target size, so the large mode's larger
// keys carry larger type: at 80 units on the 7-inch panel a candidate is
// 44 units (8.4 mm), a key's Chinese label 28 (5.3 mm) and its English
// beneath 26 (5 mm): a third of a target, so at the large mode's 18 mm it
// is the 6 mm its captions need.
const (
	candidateText float32 = 0.55
	labelText     float32 = 0.35
	subText       float32 = 1.0 / 3
)

// Colours with contrast to spare: ink on paper 18.9:1, paper on slate
// 11.6:1, the best candidate's paper on green 8.2:1, and a disabled key's
// grey text on its grey face 4.8:1: a key that cannot be used yet (撤销,
// 重写 before anything is written) is still read as easily as the rest.
var (
	inkColour   = color.NRGBA{R: 0x11, G: 0x11, B: 0x11, A: 0xff}
	paperColour = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	slateColour = color.NRGBA{R: 0x2f, G: 0x3b, B: 0x45, A: 0xff}
	greenColour = color.NRGBA{R: 0x0f, G: 0x5c, B: 0x2a, A: 0xff}
	edgeColour  = color.NRGBA{R: 0x4a, G: 0x4f, B: 0x55, A: 0xff}
	offFace     = color.NRGBA{R: 0xe4, G: 0xe6, B: 0xe9, A: 0xff}
	offText     = color.NRGBA{R: 0x5f, G: 0x64, B: 0x69, A: 0xff}
	guideColour = color.NRGBA{R: 0xd9, G: 0xb8, B: 0xb8, A: 0xff}
)

// inset is the gap between a key's cell and its face; the gap is still
// the key's to tap.
const inset float32 = 3

// key is a candidate, or undo or clear: a label, an optional second line
// and what a tap does.
type key struct {
	widget.BaseWidget
	label, sub string
	size       float32 // of the label, a fraction of min
	min        float32
	best       bool // the likeliest candidate, drawn in green
	off        bool // nothing to do: greyed, taps ignored
	onTap      func()
}

func newKey(label, sub string, size float32, onTap func()) *key {
	k := &key{label: label, sub: sub, size: size, min: TargetSize, onTap: onTap}
	k.ExtendBaseWidget(k)
	return k
}

// Label says what the key shows, for those who find it by its label
// (the simulation's view of the screen).
func (k *key) Label() (string, string) { return k.label, k.sub }

// Tapped implements fyne.Tappable.
func (k *key) Tapped(*fyne.PointEvent) {
	if !k.off && k.onTap != nil {
		k.onTap()
	}
}

// MinSize implements fyne.CanvasObject.
func (k *key) MinSize() fyne.Size { return fyne.NewSquareSize(k.min) }

func (k *key) set(label string, best, off bool) {
	if k.label == label && k.best == best && k.off == off {
		return
	}
	k.label, k.best, k.off = label, best, off
	k.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (k *key) CreateRenderer() fyne.WidgetRenderer {
	r := &keyRenderer{k: k, face: canvas.NewRectangle(paperColour),
		label: canvas.NewText("", inkColour), sub: canvas.NewText("", inkColour)}
	r.face.CornerRadius = 8
	r.label.Alignment, r.sub.Alignment = fyne.TextAlignCenter, fyne.TextAlignCenter
	r.Refresh()
	return r
}

type keyRenderer struct {
	k          *key
	face       *canvas.Rectangle
	label, sub *canvas.Text
}

func (r *keyRenderer) Destroy()           {}
func (r *keyRenderer) MinSize() fyne.Size { return r.k.MinSize() }
func (r *keyRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.face, r.label, r.sub}
}

func (r *keyRenderer) Refresh() {
	k := r.k
	face, edge, text, width := paperColour, edgeColour, color.Color(inkColour), float32(2)
	switch {
	case k.off:
		face, edge, text, width = offFace, offFace, offText, 0
	case k.best:
		face, edge, text = greenColour, greenColour, paperColour
	case k.sub != "":
		face, edge, text = slateColour, slateColour, paperColour
	}
	r.face.FillColor, r.face.StrokeColor, r.face.StrokeWidth = face, edge, width
	r.label.Text, r.label.Color, r.label.TextSize = k.label, text, k.size*k.min
	r.sub.Text, r.sub.Color, r.sub.TextSize = k.sub, text, subText*k.min
	r.Layout(k.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

// Layout centres the label, and the second line under it.
func (r *keyRenderer) Layout(size fyne.Size) {
	r.face.Move(fyne.NewPos(inset, inset))
	r.face.Resize(size.SubtractWidthHeight(2*inset, 2*inset))
	lh := r.label.MinSize().Height
	var sh float32
	if r.k.sub != "" {
		sh = r.sub.MinSize().Height
	}
	top := (size.Height - lh - sh) / 2
	r.label.Move(fyne.NewPos(0, top))
	r.label.Resize(fyne.NewSize(size.Width, lh))
	r.sub.Move(fyne.NewPos(0, top+lh))
	r.sub.Resize(fyne.NewSize(size.Width, sh))
}
