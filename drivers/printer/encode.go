package printer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Control bytes that start ESC/POS commands.
const (
	dle = 0x10
	esc = 0x1B
	fs  = 0x1C
	gs  = 0x1D
	lf  = '\n'
)

// Barcode settings: 10 mm tall bars, and the widest modules (GS w, in
// dots) that fit, as narrow ones are harder to scan.
const (
	barcodeHeight   = 80
	barcodeMaxWidth = 3
	barcodeMinWidth = 2
)

// A BlockError reports a Doc block that cannot be printed.
type BlockError struct {
	Block int    // position in the Doc, counting from 1
	Kind  string // "text", "separator", "KV", "QR", "barcode", "image", "feed" or "cut"
	Err   error
}

func (e *BlockError) Error() string {
	return fmt.Sprintf("printer: block %d (%s): %v", e.Block, e.Kind, e.Err)
}

func (e *BlockError) Unwrap() error { return e.Err }

// A CharError reports a character that cannot be sent to the printer. A
// caller may print the receipt with a raster [Profile] instead, or replace
// the character.
type CharError struct {
	Rune   rune   // utf8.RuneError for invalid UTF-8
	Reason string // e.g. "control character"
}

func (e *CharError) Error() string {
	return fmt.Sprintf("cannot print %q (%U): %s", e.Rune, e.Rune, e.Reason)
}

// Encode lays d out for the printer p describes and returns the bytes to
// send it: ESC @, then the blocks, ending with the cut if Cut was called.
// An error names the block at fault and is a [*BlockError], or says why p
// is not a valid profile.
//
// Encode keeps track of the printer's bold, size and alignment so that
// it sends each only when it changes. In Raster mode it parses the
// bundled font once per call.
func Encode(d *Doc, p Profile) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if d == nil {
		return nil, errors.New("printer: nil Doc")
	}
	e := &encoder{
		p:   p,
		out: make([]byte, 0, 256+64*len(d.blocks)),
		gb:  simplifiedchinese.GB18030.NewEncoder(),
	}
	e.out = append(e.out, esc, '@')
	for i, b := range d.blocks {
		if err := e.block(b); err != nil {
			return nil, &BlockError{Block: i + 1, Kind: b.kind.String(), Err: err}
		}
	}
	return e.out, nil
}

// encoder holds one Encode call's output and what it has set the printer
// to since ESC @.
type encoder struct {
	p     Profile
	out   []byte
	gb    *encoding.Encoder
	r     *Rasterizer // Raster mode's, made on first use
	align Align
	bold  bool
	size  byte // GS ! n
}

func (e *encoder) block(b block) error {
	// Text is checked as given: once laid out, invalid UTF-8 would have
	// become U+FFFD.
	switch b.kind {
	case kindText, kindKV:
		if err := checkText(b.text); err != nil {
			return err
		}
		if err := checkText(b.value); err != nil {
			return err
		}
	}
	switch b.kind {
	case kindText:
		if b.style.Align < Left || b.style.Align > Right {
			return fmt.Errorf("alignment %d: want Left, Center or Right", b.style.Align)
		}
		cols := e.p.Columns
		if b.style.Wide {
			cols /= 2
		}
		return e.text(Wrap(b.text, cols), b.style)
	case kindSeparator:
		if !utf8.ValidRune(b.ch) || b.ch == '\n' {
			return &CharError{Rune: b.ch, Reason: "not a character to draw a line with"}
		}
		if err := checkText(string(b.ch)); err != nil {
			return err
		}
		return e.text([]string{separatorLine(b.ch, e.p.Columns)}, Style{})
	case kindKV:
		return e.text(kvLines(b.text, b.value, e.p.Columns), Style{})
	case kindQR:
		return e.qr(b.text, b.n)
	case kindBarcode:
		return e.barcode(b.text)
	case kindImage:
		return e.image(b.img)
	case kindFeed:
		if b.n < 0 {
			return fmt.Errorf("%d lines: want 0 or more", b.n)
		}
		e.feed(b.n)
		return nil
	case kindCut:
		e.feed(e.p.cutFeed())
		e.out = appendCut(e.out, b.partial)
		return nil
	}
	return fmt.Errorf("unknown block kind %d", b.kind)
}

// text prints lines laid out to fit the paper, as printer text or, in
// Raster mode, as a picture of it.
func (e *encoder) text(lines []string, st Style) error {
	if e.p.Raster {
		return e.rasterText(lines, st)
	}
	e.style(st)
	chinese := e.p.ChineseMode && slices.ContainsFunc(lines, func(l string) bool { return !isASCII(l) })
	if chinese {
		e.out = append(e.out, fs, '&')
	}
	for _, l := range lines {
		if err := e.appendGB18030(l); err != nil {
			return err
		}
		e.out = append(e.out, lf)
	}
	if chinese {
		e.out = append(e.out, fs, '.')
	}
	return nil
}

func (e *encoder) rasterText(lines []string, st Style) error {
	if e.r == nil {
		r, err := newRasterizer()
		if err != nil {
			return err
		}
		e.r = r
	}
	img, err := e.r.text(lines, st, e.p.Dots)
	if err != nil {
		return err
	}
	// The picture is as wide as the paper and holds the alignment, so the
	// printer's own alignment changes nothing.
	e.out = AppendRaster(e.out, img)
	return nil
}

// checkText refuses what must not reach the printer as text: invalid
// UTF-8, which would not encode as the character meant; control
// characters other than '\n', which the printer would take as commands;
// and private-use characters, which mean nothing agreed.
func checkText(s string) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && strings.HasPrefix(s[i:], "\uFFFD"):
			// U+FFFD itself, encoded properly: printable.
		case r == utf8.RuneError:
			return &CharError{Rune: r, Reason: fmt.Sprintf("invalid UTF-8 byte 0x%02X", s[i])}
		case r == '\n':
		case unicode.IsControl(r):
			return &CharError{Rune: r, Reason: "control character"}
		case unicode.Is(unicode.Co, r):
			// GB18030 versions map these differently, and a printer's
			// font has nothing agreed there.
			return &CharError{Rune: r, Reason: "private-use character"}
		}
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appendGB18030 appends s, already checked, in GB18030.
func (e *encoder) appendGB18030(s string) error {
	if isASCII(s) {
		e.out = append(e.out, s...)
		return nil
	}
	b, err := e.gb.String(s)
	if err != nil {
		// GB18030 covers all of Unicode, so this is not expected; find
		// the character to blame anyway.
		for _, r := range s {
			if _, err := e.gb.String(string(r)); err != nil {
				return &CharError{Rune: r, Reason: "not in GB18030"}
			}
		}
		return fmt.Errorf("encoding %q in GB18030: %w", s, err)
	}
	e.out = append(e.out, b...)
	return nil
}

// style sets alignment, bold and size where they differ from the
// printer's.
func (e *encoder) style(st Style) {
	e.setAlign(st.Align)
	if st.Bold != e.bold {
		e.bold = st.Bold
		e.out = append(e.out, esc, 'E', boolByte(st.Bold))
	}
	var size byte
	if st.Wide {
		size |= 0x10
	}
	if st.Tall {
		size |= 0x01
	}
	if size != e.size {
		e.size = size
		e.out = append(e.out, gs, '!', size)
	}
}

func (e *encoder) setAlign(a Align) {
	if a != e.align {
		e.align = a
		e.out = append(e.out, esc, 'a', byte(a))
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// feed prints n blank lines with ESC d, whose count is a byte.
func (e *encoder) feed(n int) {
	for n > 0 {
		k := min(n, 255)
		e.out = append(e.out, esc, 'd', byte(k))
		n -= k
	}
}

// appendCut appends GS V 0 (full cut) or GS V 1 (partial cut), which cut
// where the paper is. Encode feeds with ESC d first rather than use GS V
// 65/66 n, which feed and cut in one command, because [Profile.CutFeed]
// is counted in lines and some Chinese firmware lacks the feeding form.
func appendCut(dst []byte, partial bool) []byte {
	return append(dst, gs, 'V', boolByte(partial))
}

// barcode prints data as CODE128 in code set B, with the text below it.
func (e *encoder) barcode(data string) error {
	if data == "" {
		return errors.New("no data")
	}
	for _, r := range data {
		if r < 0x20 || r > 0x7E {
			return &CharError{Rune: r, Reason: "CODE128 code set B holds printable ASCII only"}
		}
	}
	// In GS k's data "{" selects a code set; "{{" is a "{".
	escaped := strings.ReplaceAll(data, "{", "{{")
	if n := len(escaped) + 2; n > 255 {
		return fmt.Errorf("%d bytes of data: the command holds at most 253", len(escaped))
	}
	// Start, data, check character: 11 modules each; stop: 13.
	modules := 11*(len(data)+2) + 13
	w := barcodeMaxWidth
	for w > barcodeMinWidth && modules*w > e.p.Dots {
		w--
	}
	if modules*w > e.p.Dots {
		return fmt.Errorf("%d characters need %d dots at %d dots a bar, the paper has %d: use a QR code",
			len(data), modules*w, w, e.p.Dots)
	}
	e.setAlign(Center)
	e.out = append(e.out,
		gs, 'H', 2, // text below the bars
		gs, 'h', barcodeHeight,
		gs, 'w', byte(w),
		gs, 'k', 73, byte(len(escaped)+2), '{', 'B')
	e.out = append(e.out, escaped...)
	return nil
}
