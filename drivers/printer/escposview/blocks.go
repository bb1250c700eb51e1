package escposview

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"rsc.io/qr"
)

// A block is one thing printed across the paper: a line of text, a QR
// code, an image, a barcode or a cut. The text and the image of a receipt
// are both made from its blocks, so they show the same paper.
type block interface {
	dots() int            // the paper it takes, in dots
	text(cols int) string // its line in Receipt.Text
	draw(c *canvas, y int)
}

// A textLine is a printed line of the print buffer; a blank line has no
// glyphs.
type textLine struct {
	glyphs []glyph
	align  align
	cellH  int // the tallest character's height: the others stand on its baseline
	height int // cellH and the line spacing
}

func (l *textLine) dots() int { return l.height }

func (l *textLine) text(cols int) string {
	// The text shows the characters unmagnified, so that a centred
	// double-size title looks centred in the text too.
	w := 0
	for _, g := range l.glyphs {
		w += int(g.cols)
	}
	var sb strings.Builder
	sb.WriteString(strings.Repeat(" ", max(0, pad(l.align, w, cols))))
	for _, g := range l.glyphs {
		sb.WriteRune(g.r)
	}
	return strings.TrimRight(sb.String(), " ")
}

// magnified returns the line's runs of text of a size above 1×1; glyphs
// of another size between two runs part them.
func (l *textLine) magnified() []Run {
	var out []Run
	open := false // the last glyph extends out's last run
	for _, g := range l.glyphs {
		w, h := int(max(g.st.w, 1)), int(max(g.st.h, 1))
		switch {
		case w == 1 && h == 1:
			open = false
		case open && out[len(out)-1].W == w && out[len(out)-1].H == h:
			out[len(out)-1].Text += string(g.r)
		default:
			out = append(out, Run{Text: string(g.r), W: w, H: h})
			open = true
		}
	}
	for i := range out {
		out[i].Text = strings.TrimSpace(out[i].Text)
	}
	return out
}

// pad is where a thing w wide starts on a line of n when aligned by a.
// Something wider than the line starts at its left edge, as on paper.
func pad(a align, w, n int) int {
	switch a {
	case alignCentre:
		return max(0, (n-w)/2)
	case alignRight:
		return max(0, n-w)
	}
	return 0
}

type qrBlock struct {
	code   *qr.Code
	module int
	data   string
	align  align
}

func (q *qrBlock) dots() int { return q.code.Size * q.module }

func (q *qrBlock) text(int) string { return "[QR: " + printable(q.data) + "]" }

// printable is s, or s quoted if it holds what would break a line of text
// or is not UTF-8.
func printable(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strconv.Quote(s)
}

// A rasterBlock is a GS v 0 image. It keeps only the bytes that fall on
// the paper.
type rasterBlock struct {
	w, h   int // on paper, in dots
	sx, sy int // magnification
	stride int // bytes kept of each row
	bits   []byte
	align  align
}

func (r *rasterBlock) dots() int { return r.h }

func (r *rasterBlock) text(int) string { return fmt.Sprintf("[image %dx%d]", r.w, r.h) }

// keep copies the part of the x-byte by y-dot image that is not beyond a
// paper dots wide.
func (r *rasterBlock) keep(data []byte, x, y, dots int) {
	r.stride = min(x, (dots/r.sx+7)/8)
	r.bits = make([]byte, r.stride*y)
	for row := range y {
		copy(r.bits[row*r.stride:(row+1)*r.stride], data[row*x:])
	}
}

// A barcodeBlock is drawn as a grey box of about the barcode's size with
// its text below: it shows where the barcode is and what it holds, not
// bars to scan.
type barcodeBlock struct {
	name  string // the symbology
	hri   string // the human-readable text
	w, h  int    // the box, in dots
	align align
}

// hriGap is the space between a barcode and its text.
const hriGap = 4

func (b *barcodeBlock) dots() int { return b.h + hriGap + cellH }

func (b *barcodeBlock) text(int) string { return "[" + b.name + ": " + b.hri + "]" }

func newBarcode(m byte, data []byte, height, module int, a align, dots int) *barcodeBlock {
	b := &barcodeBlock{h: height, align: a}
	b.name = symbology(m)
	if m == 73 {
		b.hri = printable(code128Text(data))
	} else {
		b.hri = printable(string(data))
	}
	// About 11 modules a character and 35 for the start, check digit,
	// stop and quiet zones: right for CODE128, near enough for others.
	n := utf8.RuneCountInString(b.hri)
	b.w = min(dots, (11*n+35)*module)
	return b
}

func symbology(m byte) string {
	if m >= 65 {
		m -= 65
	}
	names := [...]string{
		"UPC-A", "UPC-E", "EAN13", "EAN8", "CODE39", "ITF", "CODABAR",
		"CODE93", "CODE128", "GS1-128", "GS1 DATABAR OMNI",
		"GS1 DATABAR TRUNCATED", "GS1 DATABAR LIMITED",
		"GS1 DATABAR EXPANDED", "CODE128 AUTO",
	}
	if int(m) < len(names) {
		return names[m]
	}
	return fmt.Sprintf("BARCODE %d", m)
}

// code128Text is the text a CODE128 barcode shows: the data without the
// {A {B {C code set and {S {1 … function codes, and with code set C's
// bytes as the pairs of digits they stand for.
func code128Text(d []byte) string {
	var sb strings.Builder
	set := byte('B')
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c == '{' && i+1 < len(d) {
			i++
			switch d[i] {
			case 'A', 'B', 'C':
				set = d[i]
			case '{':
				sb.WriteByte('{')
			}
			continue
		}
		if set == 'C' {
			fmt.Fprintf(&sb, "%02d", c)
		} else {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// A cutBlock is a cut, after feeding feed dots.
type cutBlock struct {
	feed int
}

func (c *cutBlock) dots() int { return c.feed + cellH }

func (c *cutBlock) text(int) string { return "--- ✂ ---" }
