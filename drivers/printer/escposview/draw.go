package escposview

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"unicode"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

const (
	white = 0xFF
	black = 0x00
	grey  = 0xC0

	// margin is the white above the first line and below the last, as
	// the paper goes on past the print.
	margin = 16

	// The bundled CJK font has no Latin letters, so ASCII is drawn in Go
	// Mono, at the size at which its characters are one 12-dot column
	// wide. Baselines leave room below for descenders.
	cjkSize       = 24
	cjkBaseline   = 21
	latinSize     = 20
	latinBaseline = 19

	// A thermal printer's dot is black or white. Strokes are kept from a
	// coverage below a half so that thin ones do not break up.
	threshold = 0x60
)

// PNG writes the paper as a PNG: Dots wide, black on white.
func (r *Receipt) PNG(w io.Writer) error {
	img, err := r.render()
	if err != nil {
		return err
	}
	// A preview is wanted now rather than small: compressing is most of
	// the time taken.
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(w, img); err != nil {
		return fmt.Errorf("escposview: writing PNG: %w", err)
	}
	return nil
}

// Image returns the paper as an image, Dots wide, black on white. Each
// call draws a new one, which the caller may change.
func (r *Receipt) Image() *image.Gray {
	// A font that does not parse leaves boxes for characters, which is
	// the most a preview can do; PNG reports the error.
	img, _ := r.render()
	return img
}

func (r *Receipt) render() (*image.Gray, error) {
	dots := r.dots
	if dots == 0 {
		dots = defaultDots // the zero Receipt: blank paper
	}
	height := 2 * margin
	for _, b := range r.blocks {
		height += b.dots()
	}
	c := newCanvas(dots, height)
	y := margin
	for _, b := range r.blocks {
		b.draw(c, y)
		y += b.dots()
	}
	return c.img, c.err
}

// A canvas is the paper being drawn, with the faces and the glyphs drawn
// so far: a receipt uses few characters many times.
type canvas struct {
	img   *image.Gray
	cjk   font.Face
	latin font.Face
	masks map[rune]*mask
	// loaded is set once the faces are loaded; err is why one did not.
	loaded bool
	err    error
}

// A mask is a character as the printer's dots, one cell high and one or
// two columns wide.
type mask struct {
	w, h int
	on   []bool
}

func newCanvas(dots, height int) *canvas {
	c := &canvas{
		img:   image.NewGray(image.Rect(0, 0, dots, height)),
		masks: make(map[rune]*mask),
	}
	for i := range c.img.Pix {
		c.img.Pix[i] = white
	}
	return c
}

// loadFonts readies the faces the first time a character is drawn: paper
// with no text needs none.
func (c *canvas) loadFonts() {
	if c.loaded {
		return
	}
	c.loaded = true
	var err error
	if c.cjk, err = newFace(fonts.CJK(), cjkSize); err != nil {
		c.err = fmt.Errorf("escposview: CJK font: %w", err)
	}
	if c.latin, err = newFace(gomono.TTF, latinSize); err != nil {
		c.err = fmt.Errorf("escposview: Latin font: %w", err)
	}
}

func newFace(ttf []byte, size float64) (font.Face, error) {
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, err
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72})
}

func (c *canvas) dots() int { return c.img.Rect.Dx() }

// fill paints a rectangle, clipped to the paper.
func (c *canvas) fill(x, y, w, h int, v uint8) {
	if w <= 0 || h <= 0 {
		return // image.Rect would turn it round
	}
	r := image.Rect(x, y, x+w, y+h).Intersect(c.img.Rect)
	for yy := r.Min.Y; yy < r.Max.Y; yy++ {
		i := c.img.PixOffset(r.Min.X, yy)
		row := c.img.Pix[i : i+r.Dx()]
		for j := range row {
			row[j] = v
		}
	}
}

// glyph draws g with its cell's top left corner at x, top. Magnified
// characters are the normal ones' dots made bigger, as the printer makes
// them, and bold ones are drawn twice, a dot apart.
func (c *canvas) glyph(g glyph, x, top int) {
	m := c.mask(g.r, int(g.cols))
	w, h := int(g.st.w), int(g.st.h)
	bw := w
	if g.st.bold {
		bw++
	}
	for my := range m.h {
		for mx := range m.w {
			if m.on[my*m.w+mx] {
				c.fill(x+mx*w, top+my*h, bw, h, black)
			}
		}
	}
	if ul := int(g.st.underline); ul > 0 {
		c.fill(x, top+m.h*h-ul, m.w*w, ul, black)
	}
}

// mask returns r's dots, drawing them the first time.
func (c *canvas) mask(r rune, cols int) *mask {
	if m, ok := c.masks[r]; ok {
		return m
	}
	m := &mask{w: cols * cellW, h: cellH}
	m.on = make([]bool, m.w*m.h)
	c.masks[r] = m
	if unicode.IsSpace(r) {
		return m
	}
	c.loadFonts()
	face, baseline := c.faceFor(r)
	if face == nil {
		m.box()
		return m
	}
	adv, _ := face.GlyphAdvance(r)
	a := image.NewAlpha(image.Rect(0, 0, m.w, m.h))
	d := font.Drawer{
		Dst:  a,
		Src:  image.Opaque,
		Face: face,
		Dot:  fixed.Point26_6{X: (fixed.I(m.w) - adv) / 2, Y: fixed.I(baseline)},
	}
	d.DrawString(string(r))
	for i, v := range a.Pix {
		m.on[i] = v >= threshold
	}
	return m
}

// faceFor picks the face to draw r with: Go Mono for ASCII, the CJK font
// for the rest, and Go Mono for what the CJK font lacks (· — € …).
func (c *canvas) faceFor(r rune) (font.Face, int) {
	if r >= utf8.RuneSelf && has(c.cjk, r) {
		return c.cjk, cjkBaseline
	}
	if has(c.latin, r) {
		return c.latin, latinBaseline
	}
	return nil, 0
}

func has(f font.Face, r rune) bool {
	if f == nil {
		return false
	}
	_, ok := f.GlyphAdvance(r)
	return ok
}

// box is the character drawn for one no font has: an empty rectangle.
func (m *mask) box() {
	for y := 3; y < m.h-3; y++ {
		for x := 2; x < m.w-2; x++ {
			m.on[y*m.w+x] = y == 3 || y == m.h-4 || x == 2 || x == m.w-3
		}
	}
}

func (l *textLine) draw(c *canvas, y int) {
	w := 0
	for _, g := range l.glyphs {
		w += int(g.cols) * int(g.st.w) * cellW
	}
	x := pad(l.align, w, c.dots())
	for _, g := range l.glyphs {
		c.glyph(g, x, y+l.cellH-int(g.st.h)*cellH)
		x += int(g.cols) * int(g.st.w) * cellW
	}
}

func (q *qrBlock) draw(c *canvas, y int) {
	x0 := pad(q.align, q.code.Size*q.module, c.dots())
	for my := range q.code.Size {
		for mx := range q.code.Size {
			if q.code.Black(mx, my) {
				c.fill(x0+mx*q.module, y+my*q.module, q.module, q.module, black)
			}
		}
	}
}

func (r *rasterBlock) draw(c *canvas, y int) {
	x0 := pad(r.align, r.w, c.dots())
	rows := len(r.bits) / max(r.stride, 1)
	for row := range rows {
		line := r.bits[row*r.stride : (row+1)*r.stride]
		for bx, b := range line {
			for bit := range 8 {
				if b&(0x80>>bit) != 0 {
					c.fill(x0+(bx*8+bit)*r.sx, y+row*r.sy, r.sx, r.sy, black)
				}
			}
		}
	}
}

func (b *barcodeBlock) draw(c *canvas, y int) {
	x0 := pad(b.align, b.w, c.dots())
	c.fill(x0, y, b.w, b.h, black)
	c.fill(x0+2, y+2, b.w-4, b.h-4, grey)
	w := 0
	for _, r := range b.hri {
		w += runeCols(r) * cellW
	}
	x := x0 + (b.w-w)/2
	for _, r := range b.hri {
		g := glyph{r: r, cols: uint8(runeCols(r)), st: style{w: 1, h: 1}}
		c.glyph(g, x, y+b.h+hriGap)
		x += int(g.cols) * cellW
	}
}

func (k *cutBlock) draw(c *canvas, y int) {
	y += k.feed + cellH/2 - 1
	for x := 0; x < c.dots(); x += 12 {
		c.fill(x, y, 8, 2, black)
	}
}
