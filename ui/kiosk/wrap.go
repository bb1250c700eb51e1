package kiosk

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/internal/linebreak"
)

// wrap breaks s into lines no wider than width at type size, bold or
// not, where package linebreak allows, as the receipt printer does:
// Chinese may break between any two characters, except before closing
// punctuation and after opening; Latin words break at spaces and after a
// hyphen, and only a word wider than the whole line is cut.
//
// Lines are filled by adding up the widths of their pieces, which Fyne
// caches (a piece is often one character), and each full line is then
// measured once as a whole, since the sum may differ by a kerning.
func wrap(s string, size float32, bold bool, width float32) []string {
	// Measured as text draws it (measure), with the face looked up once.
	style, src, d := fyne.TextStyle{Bold: bold}, source(bold), fyne.CurrentApp().Driver()
	w := func(t string) float32 { m, _ := d.RenderedTextSize(t, size, style, src); return m.Width }
	var out []string
	var line []string
	used := float32(0) // by line, trailing space included
	flush := func() {
		for len(line) > 1 && w(strings.TrimRight(strings.Join(line, ""), " ")) > width {
			// The sum was optimistic: the last piece goes to the next line.
			last := line[len(line)-1]
			out = append(out, strings.TrimRight(strings.Join(line[:len(line)-1], ""), " "))
			line, used = []string{last}, w(last)
		}
		out = append(out, strings.TrimRight(strings.Join(line, ""), " "))
		line, used = nil, 0
	}
	for _, tok := range tokens(s) {
		tw := w(strings.TrimRight(tok, " "))
		if len(line) > 0 && used+tw > width {
			flush()
			tok = strings.TrimLeft(tok, " ")
		}
		for tw > width && len([]rune(tok)) > 1 {
			// A piece wider than a whole line is cut where it must be.
			head, rest := cut(tok, func(t string) bool { return w(t) <= width })
			if len(line) > 0 {
				flush()
			}
			out = append(out, head)
			tok, tw = rest, w(strings.TrimRight(rest, " "))
		}
		line = append(line, tok)
		used += w(tok)
	}
	if len(line) > 0 || len(out) == 0 {
		flush()
	}
	return out
}

// cut splits a piece too wide for its line after as many characters as
// fit (at least one).
func cut(s string, fits func(string) bool) (head, rest string) {
	r := []rune(s)
	n := 1
	for n < len(r) && fits(string(r[:n+1])) {
		n++
	}
	return string(r[:n]), string(r[n:])
}

// tokens splits s where a line may break, by the rule the receipt
// printer follows too: each piece keeps the spaces after it.
func tokens(s string) []string { return linebreak.Segments(s) }

// para is text wrapped to the width it is given; a newline starts a new
// paragraph. Its least height is that of the lines at wrapAt, the
// narrowest width any window gives it, so a layout never has to ask again
// once the width is known. With least set, the type shrinks from size
// towards least until the text fits the height it is given.
type para struct {
	widget.BaseWidget
	text   string
	size   float32
	least  float32
	c      color.Color
	bold   bool
	align  fyne.TextAlign
	wrapAt float32

	// wrapped caches lines by width and size: layouts ask for the least
	// size again and again.
	wrapped map[[2]float32][]string
	of      string // the text the cache is of
}

func newPara(s string, size float32, c color.Color, wrapAt float32) *para {
	p := &para{text: s, size: size, c: c, wrapAt: wrapAt}
	p.ExtendBaseWidget(p)
	return p
}

// lines wraps each paragraph at width; an empty string marks the space
// between paragraphs.
func (p *para) lines(width, size float32) []string {
	if p.of != p.text || p.wrapped == nil {
		p.wrapped, p.of = map[[2]float32][]string{}, p.text
	}
	key := [2]float32{width, size}
	if l, ok := p.wrapped[key]; ok {
		return l
	}
	var out []string
	for i, part := range strings.Split(p.text, "\n") {
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, wrap(part, size, p.bold, width)...)
	}
	p.wrapped[key] = out
	return out
}

// paraGap is the space between paragraphs, in lines.
const paraGap = 0.4

func (p *para) height(width, size float32) float32 {
	h := float32(0)
	lh := lineHeight(size)
	for _, l := range p.lines(width, size) {
		if l == "" {
			h += lh * paraGap
		} else {
			h += lh
		}
	}
	return h
}

// fit is the type size the text is drawn at in size.
func (p *para) fit(size fyne.Size) float32 {
	s := p.size
	for p.least > 0 && s > p.least && p.height(size.Width, s) > size.Height {
		s--
	}
	return s
}

// MinSize implements fyne.CanvasObject.
func (p *para) MinSize() fyne.Size {
	s := p.size
	if p.least > 0 {
		s = p.least
	}
	return fyne.NewSize(p.wrapAt, p.height(p.wrapAt, s))
}

func (p *para) lineHeight() float32 { return lineHeight(p.size) }

// CreateRenderer implements fyne.Widget.
func (p *para) CreateRenderer() fyne.WidgetRenderer {
	r := &paraRenderer{p: p}
	r.Refresh()
	return r
}

type paraRenderer struct {
	p     *para
	lines []*canvas.Text
	objs  []fyne.CanvasObject
}

func (r *paraRenderer) Destroy() {}

func (r *paraRenderer) MinSize() fyne.Size { return r.p.MinSize() }

func (r *paraRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *paraRenderer) Layout(size fyne.Size) {
	p := r.p
	ts := p.fit(size)
	ls := p.lines(size.Width, ts)
	for len(r.lines) < len(ls) {
		r.lines = append(r.lines, text("", ts, p.c, p.bold))
	}
	r.objs = r.objs[:0]
	h, y := lineHeight(ts), float32(0)
	for i, l := range ls {
		if l == "" {
			y += h * paraGap
			continue
		}
		t := r.lines[i]
		t.Text, t.Color, t.Alignment, t.TextSize = l, p.c, p.align, ts
		setBold(t, p.bold)
		t.Move(fyne.NewPos(0, y))
		t.Resize(fyne.NewSize(size.Width, h))
		r.objs = append(r.objs, t)
		y += h
	}
}

func (r *paraRenderer) Refresh() {
	r.Layout(r.p.Size())
	for _, o := range r.objs {
		o.Refresh()
	}
}
