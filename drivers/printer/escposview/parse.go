package escposview

import (
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"rsc.io/qr"
)

const (
	esc = 0x1B
	gs  = 0x1D
	fs  = 0x1C
	dle = 0x10
)

// style is how a character is printed; each character keeps its own, as
// the printer's modes may change within a line.
type style struct {
	bold      bool
	underline uint8 // dots thick: 0, 1 or 2
	w, h      uint8 // magnification, 1 to 8
}

type align uint8

const (
	alignLeft align = iota
	alignCentre
	alignRight
)

type glyph struct {
	r    rune
	cols uint8 // 1 for ASCII, 2 for anything else, before magnification
	st   style
}

// The state a QR code is built from: GS ( k sets it piece by piece and
// prints it whole.
type qrState struct {
	module int // dots per module
	level  qr.Level
	data   string
	code   *qr.Code // data encoded at level, kept while neither changes
}

type parser struct {
	src  []byte
	i    int // next byte to read
	at   int // start of the command being read
	dots int
	cols int
	dec  *encoding.Decoder
	r    *Receipt

	st      style
	align   align
	spacing int // dots from one normal line to the next
	qr      qrState
	barH    int // barcode height, dots
	barW    int // barcode module width, dots

	line      []glyph // the print buffer: text not yet printed
	lineAlign align   // the alignment when the line was begun
	lineCols  int     // columns the line takes on paper
	lineAt    int     // offset of the line's first byte

	length  int // dots of paper used
	full    bool
	dropped int // notes beyond maxUnknown
}

// reset is ESC @: the power-on state. The printer clears its print buffer
// too, so a line not yet fed is lost.
func (p *parser) reset() {
	p.st = style{w: 1, h: 1}
	p.align = alignLeft
	p.spacing = defaultSpacing
	p.qr = qrState{module: 3, level: qr.L}
	p.barH, p.barW = 162, 3
	p.line = p.line[:0]
	p.lineCols = 0
}

func (p *parser) run() {
	for p.i < len(p.src) && !p.full {
		p.at = p.i
		switch c := p.src[p.i]; {
		case c == esc:
			p.esc()
		case c == gs:
			p.gs()
		case c == fs:
			p.fs()
		case c == dle:
			p.dle()
		case c == '\n':
			p.i++
			p.printLine()
		case c == '\r':
			p.i++ // the printers are set to take LF alone as the line end
		case c == '\t':
			p.i++
			p.tab()
		case isText(c):
			j := p.i
			for j < len(p.src) && isText(p.src[j]) {
				j++
			}
			p.text(p.src[p.i:j])
			p.i = j
		default:
			p.note(p.i, "0x%02X", c)
			p.i++
		}
	}
	if len(p.line) > 0 && !p.full {
		p.note(p.lineAt, "text never printed (no line feed after it)")
	}
	if p.dropped > 0 {
		p.r.Unknown = append(p.r.Unknown, fmt.Sprintf("%d more not listed", p.dropped))
	}
	p.r.finish()
}

// isText reports whether c is part of text. No control byte occurs inside
// a GB18030 character, so a run of text bytes holds whole characters.
func isText(c byte) bool { return c >= 0x20 && c != 0x7F }

// note records something skipped at offset at.
func (p *parser) note(at int, format string, args ...any) {
	if len(p.r.Unknown) >= maxUnknown {
		p.dropped++
		return
	}
	p.r.Unknown = append(p.r.Unknown, fmt.Sprintf(format+" at byte %d", append(args, at)...))
}

// take returns the n bytes of the command at p.i and steps over them. If
// the stream ends first, it records the command as truncated and ends the
// parse: whatever follows would have been the command's.
func (p *parser) take(n int) ([]byte, bool) {
	if n > len(p.src)-p.i {
		p.note(p.i, "%s truncated", cmdName(p.src[p.i:]))
		p.i = len(p.src)
		return nil, false
	}
	b := p.src[p.i : p.i+n]
	p.i += n
	return b, true
}

// skip lists the n-byte command at p.i and steps over it.
func (p *parser) skip(n int) {
	at := p.i
	if _, ok := p.take(n); ok {
		p.note(at, "%s", cmdName(p.src[at:]))
	}
}

// cmdName names the command that b begins with, as "ESC 0x70".
func cmdName(b []byte) string {
	var name string
	switch b[0] {
	case esc:
		name = "ESC"
	case gs:
		name = "GS"
	case fs:
		name = "FS"
	default:
		name = "DLE"
	}
	if len(b) < 2 {
		return name
	}
	return fmt.Sprintf("%s 0x%02X", name, b[1])
}

// text decodes a run of text bytes into the print buffer.
func (p *parser) text(b []byte) {
	p.dec.Reset()
	s, err := p.dec.Bytes(b)
	if err != nil {
		// The decoder replaces what it cannot decode, so this is not
		// reached; should it be, show the bytes as unknown characters.
		s = []byte(string(utf8.RuneError))
	}
	for len(s) > 0 && !p.full {
		r, n := utf8.DecodeRune(s)
		s = s[n:]
		p.add(r)
	}
}

// add puts a character in the print buffer, printing the buffer first if
// the character would not fit on the line: the printer wraps.
func (p *parser) add(r rune) {
	g := glyph{r: r, cols: uint8(runeCols(r)), st: p.st}
	w := int(g.cols) * int(g.st.w)
	if len(p.line) > 0 && p.lineCols+w > p.cols {
		p.printLine()
	}
	if len(p.line) == 0 {
		// The printer takes the alignment at the start of a line.
		p.lineAlign = p.align
		p.lineAt = p.at
	}
	p.line = append(p.line, g)
	p.lineCols += w
}

// runeCols is the columns a character takes: ASCII is one byte in the
// stream and one 12-dot column on paper; the rest are two bytes or more,
// printed from the printer's 24×24-dot Chinese font.
func runeCols(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	return 2
}

// tab moves to the next of the default tab stops, every 8 columns.
func (p *parser) tab() {
	for n := 8 - p.lineCols%8; n > 0 && p.lineCols+1 <= p.cols; n-- {
		p.add(' ')
	}
}

// printLine prints the print buffer, or feeds a blank line if it is empty.
func (p *parser) printLine() {
	l := &textLine{align: p.lineAlign, glyphs: append([]glyph(nil), p.line...)}
	h := 1
	for _, g := range p.line {
		h = max(h, int(g.st.h))
	}
	l.cellH = h * cellH
	// The spacing is from line to line for normal characters; taller ones
	// push the next line down by what they add.
	l.height = l.cellH + max(p.spacing-cellH, 0)
	p.line = p.line[:0]
	p.lineCols = 0
	p.put(l)
}

// feed is ESC d n: print the buffer and feed n lines in all, the printed
// line counting as one.
func (p *parser) feed(n int) {
	if len(p.line) > 0 {
		p.printLine()
		n--
	}
	for ; n > 0 && !p.full; n-- {
		p.printLine()
	}
}

// room reports whether the paper has room for n more dots, ending the
// parse when it has not.
func (p *parser) room(n int) bool {
	if p.full {
		return false
	}
	if p.length+n > maxLength {
		p.full = true
		p.note(p.at, "paper longer than %d dots: the rest not rendered", maxLength)
		return false
	}
	return true
}

// put adds a block to the paper.
func (p *parser) put(b block) {
	if p.room(b.dots()) {
		p.length += b.dots()
		p.r.blocks = append(p.r.blocks, b)
	}
}

// flush prints a pending line before something that is not text: the
// printers do, though Epson's manual says some of these commands are
// ignored mid-line.
func (p *parser) flush() {
	if len(p.line) > 0 {
		p.printLine()
	}
}
