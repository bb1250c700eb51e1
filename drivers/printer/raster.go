package printer

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
)

const (
	lineH = 24 // dots per raster text line, as the printer's 24-dot font

	// The bundled CJK font is drawn at 24 px, a full cell; Go Mono, for
	// ASCII and the Latin characters the CJK font lacks, at 20 px, where
	// its advance is exactly a 12-dot column.
	cjkSize  = 24
	monoSize = 20
	baseline = 20 // from the top of a line: room for descenders below

	// inkThreshold is the grey below which an anti-aliased glyph pixel is
	// printed. Lower than mid-grey, so that thin strokes of 24-px Chinese
	// characters, which often fall between two pixels, are not lost.
	inkThreshold = 160

	// maxBand is the most rows sent in one GS v 0. Epson allows 2303;
	// clones document less or nothing, so tall images go in bands.
	maxBand = 1024

	// maxImageRows bounds an image after scaling: a metre of paper. No
	// receipt needs more, and a mistake should not print a roll.
	maxImageRows = 8192
)

// A Rasterizer draws text as the printer would print it, for printers
// without a Chinese font and for previews. It holds the parsed bundled
// CJK font (drivers/fonts) and Go Mono, which has the ASCII and Latin
// characters the CJK font lacks. A Rasterizer is safe for concurrent use.
type Rasterizer struct {
	cjk, mono *opentype.Font
}

// NewRasterizer parses the bundled fonts.
func NewRasterizer() (*Rasterizer, error) {
	r, err := newRasterizer()
	if err != nil {
		return nil, fmt.Errorf("printer: %w", err)
	}
	return r, nil
}

// newRasterizer is NewRasterizer with errors for Encode to wrap.
func newRasterizer() (*Rasterizer, error) {
	cjk, err := opentype.Parse(fonts.CJK())
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", fonts.CJKName, err)
	}
	mono, err := opentype.Parse(gomono.TTF)
	if err != nil {
		return nil, fmt.Errorf("parsing Go Mono: %w", err)
	}
	return &Rasterizer{cjk: cjk, mono: mono}, nil
}

// RenderText is [Rasterizer.Text] with a Rasterizer made for the call;
// callers drawing more than once should keep a Rasterizer.
func RenderText(lines []string, st Style, dots int) (*image.Gray, error) {
	r, err := NewRasterizer()
	if err != nil {
		return nil, err
	}
	return r.Text(lines, st, dots)
}

// Text draws lines, already wrapped, in black and white on an image dots
// wide and 24 dots a line (48 when st.Tall). Characters sit in the
// printer's 12-dot columns, two for a non-ASCII character (see [Width]),
// so that what [Wrap] laid out lines up as it would in printer text;
// Wide doubles each column, Bold thickens strokes, and Align places each
// line on the paper. A line too wide is cut off at the paper's edge.
func (r *Rasterizer) Text(lines []string, st Style, dots int) (*image.Gray, error) {
	img, err := r.text(lines, st, dots)
	if err != nil {
		return nil, fmt.Errorf("printer: %w", err)
	}
	return img, nil
}

// text is Text with errors for Encode to wrap.
func (r *Rasterizer) text(lines []string, st Style, dots int) (*image.Gray, error) {
	if dots < 1 || dots > maxDots {
		return nil, fmt.Errorf("text image %d dots wide: want 1 to %d", dots, maxDots)
	}
	xs, ys := 1, 1
	if st.Wide {
		xs = 2
	}
	if st.Tall {
		ys = 2
	}
	if len(lines)*lineH*ys > maxImageRows {
		return nil, fmt.Errorf("%d lines of text: more than %d dots of paper", len(lines), maxImageRows)
	}
	// Draw at normal size on paper 1/xs as wide, then magnify as the
	// printer magnifies its font.
	canvas := whiteGray(dots/xs, len(lines)*lineH)
	cjk, err := opentype.NewFace(r.cjk, &opentype.FaceOptions{Size: cjkSize, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("making the CJK face: %w", err)
	}
	mono, err := opentype.NewFace(r.mono, &opentype.FaceOptions{Size: monoSize, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("making the Go Mono face: %w", err)
	}
	for i, l := range lines {
		x := 0
		switch free := canvas.Rect.Dx() - Width(l)*cellW; st.Align {
		case Center:
			x = free / 2
		case Right:
			x = free
		}
		for _, c := range l {
			drawRune(canvas, pickFace(c, cjk, mono), c, x, i*lineH, st.Bold)
			x += runeWidth(c) * cellW
		}
	}
	for i, p := range canvas.Pix {
		if p < inkThreshold {
			canvas.Pix[i] = 0
		} else {
			canvas.Pix[i] = 0xFF
		}
	}
	return magnify(canvas, dots, xs, ys), nil
}

// pickFace chooses Go Mono for ASCII, so that Latin text is monospaced
// like the printer's, and otherwise the CJK font if it has the character.
func pickFace(c rune, cjk, mono font.Face) font.Face {
	if c < 0x80 {
		return mono
	}
	if _, ok := cjk.GlyphAdvance(c); ok {
		return cjk
	}
	if _, ok := mono.GlyphAdvance(c); ok {
		return mono
	}
	return cjk // its missing-glyph box
}

// drawRune draws c centred in its cell, whose top-left corner is (x, y).
func drawRune(dst *image.Gray, face font.Face, c rune, x, y int, bold bool) {
	if c == ' ' {
		return
	}
	adv, _ := face.GlyphAdvance(c)
	dot := fixed.P(x, y+baseline)
	dot.X += (fixed.I(runeWidth(c)*cellW) - adv) / 2
	dr, mask, mp, _, ok := face.Glyph(dot, c)
	if !ok {
		return
	}
	draw.DrawMask(dst, dr, image.Black, image.Point{}, mask, mp, draw.Over)
	if bold {
		draw.DrawMask(dst, dr.Add(image.Pt(1, 0)), image.Black, image.Point{}, mask, mp, draw.Over)
	}
}

// magnify scales src up xs times across and ys times down, on an image
// w wide.
func magnify(src *image.Gray, w, xs, ys int) *image.Gray {
	if xs == 1 && ys == 1 && src.Rect.Dx() == w {
		return src
	}
	dst := whiteGray(w, src.Rect.Dy()*ys)
	for y := range dst.Rect.Dy() {
		srow := src.Pix[(y/ys)*src.Stride:]
		drow := dst.Pix[y*dst.Stride:]
		for x := range min(w, src.Rect.Dx()*xs) {
			drow[x] = srow[x/xs]
		}
	}
	return dst
}

func whiteGray(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 0xFF
	}
	return g
}

// image prints img centred, scaled to fit the paper and dithered.
func (e *encoder) image(img image.Image) error {
	if img == nil {
		return errors.New("nil image")
	}
	g, err := printable(img, e.p.Dots)
	if err != nil {
		return err
	}
	e.setAlign(Center)
	e.out = AppendRaster(e.out, g)
	return nil
}

// printable returns img on white paper, scaled down to dots wide if it
// is wider, and dithered to black and white.
func printable(img image.Image, dots int) (*image.Gray, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("empty image %v", b)
	}
	w, h := b.Dx(), b.Dy()
	if w > dots {
		h = max(1, int((int64(h)*int64(dots)+int64(w)/2)/int64(w)))
		w = dots
	}
	if h > maxImageRows {
		return nil, fmt.Errorf("%d×%d image is longer than %d dots (a metre of paper) at %d dots wide", b.Dx(), b.Dy(), maxImageRows, w)
	}
	g := whiteGray(w, h)
	if w == b.Dx() {
		draw.Draw(g, g.Rect, img, b.Min, draw.Over)
	} else {
		xdraw.ApproxBiLinear.Scale(g, g.Rect, img, b, xdraw.Over, nil)
	}
	dither(g)
	return g, nil
}

// dither reduces g to black and white by Floyd–Steinberg error
// diffusion, which keeps photographs' greys as dot density. Pure black
// and white, like a logo's, are left as they are.
func dither(g *image.Gray) {
	w := g.Rect.Dx()
	// Errors for this row and the next, with a spare cell at each end so
	// that the edges need no special case.
	cur, next := make([]int, w+2), make([]int, w+2)
	for y := range g.Rect.Dy() {
		row := g.Pix[y*g.Stride:]
		for x := range w {
			v := int(row[x]) + cur[x+1]/16
			out := 0
			if v >= 128 {
				out = 0xFF
			}
			row[x] = byte(out)
			e := v - out
			cur[x+2] += 7 * e
			next[x] += 3 * e
			next[x+1] += 5 * e
			next[x+2] += e
		}
		cur, next = next, cur
		clear(next)
	}
}

// AppendRaster appends img as GS v 0 raster bit images: a pixel darker
// than mid-grey on white paper (transparent is paper) is printed. Rows
// are padded to a multiple of 8 dots, and an image taller than 1024 rows
// is sent as several commands. img should be no wider than the paper;
// an empty image appends nothing.
func AppendRaster(dst []byte, img image.Image) []byte {
	b := img.Bounds()
	if b.Empty() {
		return dst
	}
	wb := (b.Dx() + 7) / 8
	for y0 := b.Min.Y; y0 < b.Max.Y; y0 += maxBand {
		rows := min(maxBand, b.Max.Y-y0)
		dst = append(dst, gs, 'v', '0', 0, byte(wb), byte(wb>>8), byte(rows), byte(rows>>8))
		for y := y0; y < y0+rows; y++ {
			n := len(dst)
			dst = append(dst, make([]byte, wb)...)
			packRow(dst[n:], img, y)
		}
	}
	return dst
}

// packRow sets the bits of row, MSB first, for the dark pixels of img's
// row y.
func packRow(row []byte, img image.Image, y int) {
	b := img.Bounds()
	if g, ok := img.(*image.Gray); ok {
		pix := g.Pix[g.PixOffset(b.Min.X, y):]
		for i := range b.Dx() {
			if pix[i] < 0x80 {
				row[i/8] |= 0x80 >> (i % 8)
			}
		}
		return
	}
	for i := range b.Dx() {
		if dark(img.At(b.Min.X+i, y)) {
			row[i/8] |= 0x80 >> (i % 8)
		}
	}
}

func dark(c color.Color) bool {
	r, g, b, a := c.RGBA()
	// Colours are alpha-premultiplied: adding the transparency back as
	// white puts the pixel on paper.
	lum := (19595*r+38470*g+7471*b+1<<15)>>16 + 0xFFFF - a
	return lum < 0x8000
}
