// Package escposview shows an ESC/POS byte stream, as the kiosk sends it to
// a Chinese thermal receipt printer, the way the printer would print it: as
// text with the Chinese decoded, and as a picture of the paper.
//
// Tests read receipts through it, the printer simulation displays them and
// staff see it as a print preview, so it follows the printer, not the
// encoder: text is printed only by a line feed, a line too long for the
// paper wraps, and a command the printer would not understand is stepped
// over and listed in Receipt.Unknown rather than guessed at. A stream is
// never an error: a broken stream gives a receipt as broken as the paper
// would be, and says why.
//
// Text bytes are GB18030 whether or not the stream selects Chinese mode
// (FS &) and whatever code page it selects (ESC t): the printers the kiosks
// use print GB18030 natively, so those commands change nothing here.
//
// The renderer understands initialise (ESC @), bold (ESC E), underline
// (ESC -), alignment (ESC a), character size (GS ! and ESC !), line spacing
// (ESC 2, ESC 3), line feeds (LF, ESC d), QR codes (GS ( k), barcodes
// (GS k, drawn as a labelled box, not as bars), raster images (GS v 0) and
// cuts (GS V). It knows the length of most other Epson commands, so that
// their parameters are not taken for text, but lists them as unknown.
//
// The paper is a grid of 12×24-dot cells, as the printer's Font A: an ASCII
// character takes one cell, any other character two, and the text output
// shows the same grid as 32 (58 mm paper) or 48 (80 mm) columns.
package escposview

import (
	"fmt"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Options describe the printer.
type Options struct {
	Dots int // paper width in dots: 384 (58 mm, default) or 576 (80 mm)
}

// A Receipt is a parsed stream: the paper the printer would produce.
type Receipt struct {
	// Text is the text as printed, lines joined with "\n". Alignment is
	// shown by leading spaces on a grid of Dots/12 columns where a Chinese
	// character takes two; QR codes are shown as "[QR: data]", raster
	// images as "[image WxH]" (in dots), barcodes as "[CODE128: data]" and
	// cuts as "--- ✂ ---".
	Text    string
	QRCodes []string // the data of every QR code printed, in order
	Cuts    int
	Unknown []string // what was skipped and why, each with its byte offset
	// Magnified are the runs of text printed larger than the printer's
	// normal size (GS !, ESC !), in order: what a reader sees first.
	Magnified []Run

	dots   int
	blocks []block
}

const (
	defaultDots = 384
	// Narrower paper holds two double-size Chinese characters a line;
	// wider is no receipt printer's (80 mm at 300 dpi is 864 dots) and
	// would make the image large.
	minDots = 96
	maxDots = 1024

	cellW = 12 // dots per text column (Font A)
	cellH = 24 // dots per text line before magnification

	// The printers' power-on line spacing (ESC 2): 24-dot characters with
	// 6 dots between lines.
	defaultSpacing = 30

	// maxLength bounds the paper, a metre at 8 dots/mm, so that a stream
	// of feeds cannot make an image of gigabytes. No receipt is that long.
	maxLength = 8192

	maxQRData  = 7089 // the most a QR code can hold (numeric, level L)
	maxUnknown = 1000 // garbage can produce one entry per two bytes
)

// Parse reads an ESC/POS stream. It fails only for options that describe
// no printer (Dots 0 is 384; other widths from 96 to 1024 are taken as
// they are); whatever the stream holds, it returns a receipt.
func Parse(stream []byte, opt Options) (*Receipt, error) {
	dots := opt.Dots
	if dots == 0 {
		dots = defaultDots
	}
	if dots < minDots || dots > maxDots {
		return nil, fmt.Errorf("escposview: paper width %d dots: want %d to %d (384 for 58 mm, 576 for 80 mm)", opt.Dots, minDots, maxDots)
	}
	p := &parser{
		src:  stream,
		dots: dots,
		cols: dots / cellW,
		dec:  simplifiedchinese.GB18030.NewDecoder(),
		r:    &Receipt{dots: dots},
	}
	p.reset()
	p.run()
	return p.r, nil
}

// A Run is text of one size on one line.
type Run struct {
	Text string
	// W and H are its magnification across and down, 1 to 8.
	W, H int
}

// finish builds the receipt's exported fields from its blocks, so that
// the text and the image cannot disagree.
func (r *Receipt) finish() {
	cols := r.dots / cellW
	lines := make([]string, 0, len(r.blocks))
	for _, b := range r.blocks {
		lines = append(lines, b.text(cols))
		switch b := b.(type) {
		case *textLine:
			r.Magnified = append(r.Magnified, b.magnified()...)
		case *qrBlock:
			r.QRCodes = append(r.QRCodes, b.data)
		case *cutBlock:
			r.Cuts++
		}
	}
	r.Text = strings.Join(lines, "\n")
}
