package printer

import "image"

// Align is a line's horizontal alignment.
type Align int

// Alignments, in ESC a's numbering.
const (
	Left Align = iota
	Center
	Right
)

// Style is how a text block is printed.
type Style struct {
	Align      Align
	Bold       bool
	Wide, Tall bool // double width / height
}

// Doc is a receipt being built; methods append blocks and return the Doc
// for chaining. The zero Doc is an empty receipt.
//
// The methods check nothing: a Doc is laid out and checked when it is
// encoded for a printer, and Encode's error names the block at fault.
type Doc struct {
	blocks []block
}

type blockKind int

const (
	kindText blockKind = iota
	kindSeparator
	kindKV
	kindQR
	kindBarcode
	kindImage
	kindFeed
	kindCut
)

var kindNames = [...]string{
	kindText:      "text",
	kindSeparator: "separator",
	kindKV:        "KV",
	kindQR:        "QR",
	kindBarcode:   "barcode",
	kindImage:     "image",
	kindFeed:      "feed",
	kindCut:       "cut",
}

func (k blockKind) String() string { return kindNames[k] }

// block is one call's worth of receipt. Which fields mean something
// depends on kind.
type block struct {
	kind    blockKind
	text    string // text, KV key, QR or barcode data
	value   string // KV value
	style   Style
	ch      rune // separator character
	n       int  // QR module size, feed lines
	partial bool // partial cut
	img     image.Image
}

func (d *Doc) add(b block) *Doc {
	d.blocks = append(d.blocks, b)
	return d
}

// Text adds text, which may contain '\n'. It is wrapped to the paper's
// columns at encode time: a Chinese (or any non-ASCII) character takes two
// columns and an ASCII one one, Wide doubles both, and lines break at
// spaces in Latin text and between any two Chinese characters.
func (d *Doc) Text(s string, st Style) *Doc {
	return d.add(block{kind: kindText, text: s, style: st})
}

// Separator adds a full line of ch, usually '-' or '='.
func (d *Doc) Separator(ch rune) *Doc {
	return d.add(block{kind: kindSeparator, ch: ch})
}

// KV adds "key: value" with the value right-aligned on the same line if
// both fit, else the value right-aligned on the lines after the key.
func (d *Doc) KV(key, value string) *Doc {
	return d.add(block{kind: kindKV, text: key, value: value})
}

// QR adds a centred QR code of data at error correction level M. Module
// is the size of a module in dots, 1 to 16. A raster QR code that would
// not fit the paper at that size is printed at the largest size that fits.
func (d *Doc) QR(data string, module int) *Doc {
	return d.add(block{kind: kindQR, text: data, n: module})
}

// Barcode128 adds a centred CODE128 barcode of data, which must be
// printable ASCII, with the text printed below it.
func (d *Doc) Barcode128(data string) *Doc {
	return d.add(block{kind: kindBarcode, text: data})
}

// Image adds a centred picture, printed as a GS v 0 raster image: scaled
// down to the paper's width if wider, and dithered to black and white.
// Transparent pixels are paper. The image must not change until the Doc
// has been encoded.
func (d *Doc) Image(img image.Image) *Doc {
	return d.add(block{kind: kindImage, img: img})
}

// Feed adds lines blank lines.
func (d *Doc) Feed(lines int) *Doc {
	return d.add(block{kind: kindFeed, n: lines})
}

// Cut feeds the last line past the cutter ([Profile.CutFeed]) and cuts
// the paper, fully or, if partial, leaving a tab that holds the receipt.
func (d *Doc) Cut(partial bool) *Doc {
	return d.add(block{kind: kindCut, partial: partial})
}
