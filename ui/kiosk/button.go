package kiosk

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// look is how a button is coloured, which says what it does.
type look int

const (
	primary look = iota // green: go on, agree
	neutral             // slate: stop, decline, not me
	plain               // white with an edge: another way, go back
	chosen              // white with a thick blue edge: the choice made
)

// padX is the margin either side of a button's content; above and
// below it is half as much.
const padX float32 = 16

// button is a touch target at least the screen's touch size square: a face, a label
// of up to a few lines, an optional second line in small type (the other
// language, a hint) and an optional icon above. Fyne's own button has
// neither the size nor the second line.
type button struct {
	widget.BaseWidget
	label, sub string
	// icon draws the icon in a colour, or is nil.
	icon     func(color.Color) fyne.Resource
	look     look
	size     float32
	sz       sizes // the screen's
	disabled bool
	onTap    func()
	// wrapAt lets the label wrap: the least width its lines are laid to.
	// Zero keeps it on one line.
	wrapAt float32
	// width is the least width, when the label alone would make the
	// button too small a target.
	width float32
	// pad is the margin either side of the label; 0 is padX.
	pad float32
}

// padding is the margin either side of the label.
func (b *button) padding() float32 {
	if b.pad > 0 {
		return b.pad
	}
	return padX
}

// newButton returns a button in the screen's sizes, its label body text.
func (a *App) newButton(label string, l look, onTap func()) *button {
	b := &button{label: label, look: l, size: a.sz.body, sz: a.sz, onTap: onTap}
	b.ExtendBaseWidget(b)
	return b
}

// Tapped implements fyne.Tappable.
func (b *button) Tapped(*fyne.PointEvent) {
	if !b.disabled && b.onTap != nil {
		b.onTap()
	}
}

// setDisabled greys the button out, or brings it back.
func (b *button) setDisabled(d bool) {
	if b.disabled != d {
		b.disabled = d
		b.Refresh()
	}
}

// colours returns the face, its edge and its edge's width, and the ink.
func (b *button) colours() (face, stroke color.Color, width float32, fg color.Color) {
	if b.disabled {
		return greyFace, greyFace, 0, greyText
	}
	switch b.look {
	case primary:
		return green, green, 0, paper
	case neutral:
		return slate, slate, 0, paper
	case chosen:
		return paper, blue, 6, ink
	}
	return paper, edge, 2, ink
}

// lines wraps the label for a face width.
func (b *button) lines(width float32) []string {
	if b.wrapAt <= 0 {
		return []string{b.label}
	}
	return wrap(b.label, b.size, false, width-2*b.padding())
}

// MinSize implements fyne.CanvasObject.
func (b *button) MinSize() fyne.Size {
	w := max(b.sz.touch, b.wrapAt, b.width)
	if b.wrapAt <= 0 {
		w = max(w, measure(b.label, b.size, false).Width+2*b.padding())
	}
	if b.sub != "" {
		w = max(w, measure(b.sub, b.sz.caption, false).Width+2*b.padding())
	}
	return fyne.NewSize(w, max(b.sz.touch, b.contentHeight(w)+b.padding()))
}

func (b *button) contentHeight(width float32) float32 {
	h := float32(len(b.lines(width))) * lineHeight(b.size)
	if b.sub != "" {
		h += lineHeight(b.sz.caption)
	}
	if b.icon != nil {
		h += b.sz.icon() + 4
	}
	return h
}

// lineHeight is the height of a line of text at size.
func lineHeight(size float32) float32 {
	return measure("国Ag", size, false).Height
}

// CreateRenderer implements fyne.Widget.
func (b *button) CreateRenderer() fyne.WidgetRenderer {
	r := &buttonRenderer{b: b, face: canvas.NewRectangle(paper), sub: text("", b.sz.caption, ink, false),
		icon: &canvas.Image{FillMode: canvas.ImageFillContain}}
	r.face.CornerRadius = 10
	r.sub.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type buttonRenderer struct {
	b     *button
	face  *canvas.Rectangle
	icon  *canvas.Image
	lines []*canvas.Text
	sub   *canvas.Text
	objs  []fyne.CanvasObject
}

func (r *buttonRenderer) Destroy() {}

func (r *buttonRenderer) MinSize() fyne.Size { return r.b.MinSize() }

func (r *buttonRenderer) Objects() []fyne.CanvasObject { return r.objs }

// Layout centres icon, label lines and second line on the face.
func (r *buttonRenderer) Layout(size fyne.Size) {
	b := r.b
	face, stroke, width, fg := b.colours()
	r.face.FillColor, r.face.StrokeColor, r.face.StrokeWidth = face, stroke, width
	r.face.Resize(size)
	r.objs = append(r.objs[:0], r.face)

	ls := b.lines(size.Width)
	for len(r.lines) < len(ls) {
		r.lines = append(r.lines, centred(text("", b.size, fg, false)))
	}
	y := (size.Height - b.contentHeight(size.Width)) / 2
	if b.icon != nil {
		r.icon.Resource = b.icon(fg)
		r.icon.Resize(fyne.NewSquareSize(b.sz.icon()))
		r.icon.Move(fyne.NewPos((size.Width-b.sz.icon())/2, y))
		r.objs = append(r.objs, r.icon)
		y += b.sz.icon() + 4
	}
	for i, l := range ls {
		t := r.lines[i]
		t.Text, t.Color, t.TextSize = l, fg, b.size
		h := lineHeight(b.size)
		t.Move(fyne.NewPos(b.padding(), y))
		t.Resize(fyne.NewSize(size.Width-2*b.padding(), h))
		r.objs = append(r.objs, t)
		y += h
	}
	if b.sub != "" {
		r.sub.Text, r.sub.Color = b.sub, fg
		r.sub.Move(fyne.NewPos(b.padding(), y))
		r.sub.Resize(fyne.NewSize(size.Width-2*b.padding(), lineHeight(b.sz.caption)))
		r.objs = append(r.objs, r.sub)
	}
}

func (r *buttonRenderer) Refresh() {
	r.Layout(r.b.Size())
	for _, o := range r.objs {
		o.Refresh()
	}
}
