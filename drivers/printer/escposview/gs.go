package escposview

import (
	"bytes"
	"fmt"

	"rsc.io/qr"
)

// The GS commands: character size, barcodes, QR codes, images and cuts.

func (p *parser) gs() {
	b := p.src[p.i:]
	if len(b) < 2 {
		p.take(2)
		return
	}
	switch b[1] {
	case '!':
		if b, ok := p.take(3); ok {
			p.st.w = 1 + b[2]>>4&7
			p.st.h = 1 + b[2]&7
		}
	case 'H', 'a':
		// The barcode's text position (it is always drawn below here) and
		// automatic status back (a status is not printed).
		p.take(3)
	case 'h':
		if b, ok := p.take(3); ok && b[2] > 0 {
			p.barH = int(b[2])
		}
	case 'w':
		if b, ok := p.take(3); ok && b[2] >= 1 && b[2] <= 6 {
			p.barW = int(b[2])
		}
	case 'V':
		p.cut()
	case 'k':
		p.barcode()
	case '(':
		if len(b) < 3 || b[2] == 'k' {
			p.symbol()
		} else {
			p.skip(pLen(b))
		}
	case 'v':
		if len(b) < 3 || b[2] == '0' {
			p.raster()
		} else {
			p.skip(2)
		}
	default:
		p.skip(gsLen(b))
	}
}

func gsLen(b []byte) int {
	switch b[1] {
	case ':', 'c':
		return 2
	case 'B', 'E', 'I', 'T', 'b', 'f', 'j', 'r', '/':
		return 3
	case '$', 'L', 'P', 'W', '\\':
		return 4
	case '^', 'g':
		return 5
	case '*':
		// GS * x y d: define a downloaded image of x·8 by y·8 dots.
		if len(b) < 4 {
			return 4
		}
		return sized(b, 4, uint64(b[2])*uint64(b[3])*8)
	case '8':
		// GS 8 L p1 p2 p3 p4 …: GS ( L with a 32-bit length.
		if len(b) < 3 {
			return 3
		}
		if b[2] != 'L' {
			return 2
		}
		if len(b) < 7 {
			return 7
		}
		n := uint64(b[3]) | uint64(b[4])<<8 | uint64(b[5])<<16 | uint64(b[6])<<24
		return sized(b, 7, n)
	}
	return 2
}

// cut is GS V m, or GS V m n for the forms that first feed n dots.
func (p *parser) cut() {
	b := p.src[p.i:]
	if len(b) < 3 {
		p.take(3)
		return
	}
	feed := 0
	switch b[2] {
	case 0, 1, '0', '1':
		p.i += 3
	case 'A', 'B', 'a', 'b', 'g', 'h':
		c, ok := p.take(4)
		if !ok {
			return
		}
		feed = int(c[3])
	default:
		p.note(p.i, "GS 0x56 0x%02X", b[2])
		p.i += 3
		return
	}
	p.flush()
	p.put(&cutBlock{feed: feed})
}

// barcode is GS k m d1 … NUL (m 0 to 6) or GS k m n d1 … dn (m 65 to 79).
func (p *parser) barcode() {
	at := p.i
	b := p.src[at:]
	if len(b) < 3 {
		p.take(3)
		return
	}
	m := b[2]
	var data []byte
	switch {
	case m <= 6:
		end := bytes.IndexByte(b[3:], 0)
		if end < 0 {
			p.take(len(b) + 1)
			return
		}
		data = b[3 : 3+end]
		p.i += 3 + end + 1
	case m >= 65 && m <= 79:
		if len(b) < 4 {
			p.take(4)
			return
		}
		c, ok := p.take(4 + int(b[3]))
		if !ok {
			return
		}
		data = c[4:]
	default:
		p.note(at, "GS 0x6B 0x%02X", m)
		p.i += 3
		return
	}
	p.flush()
	p.put(newBarcode(m, data, p.barH, p.barW, p.align, p.dots))
}

// symbol is GS ( k pL pH cn fn …, of which the QR code's functions
// (cn 49) are understood.
func (p *parser) symbol() {
	at := p.i
	b, ok := p.take(pLen(p.src[at:]))
	if !ok {
		return
	}
	body := b[5:]
	if len(body) < 2 || body[0] != '1' {
		p.note(at, "GS 0x28 0x6B%s", fnName(body))
		return
	}
	arg := body[2:]
	switch body[1] {
	case 'A':
		// The model: rsc.io/qr draws model 2, which is all the kiosk sends.
	case 'C':
		if len(arg) == 1 && arg[0] >= 1 && arg[0] <= 16 {
			p.qr.module = int(arg[0])
		} else {
			p.note(at, "GS 0x28 0x6B%s bad module size", fnName(body))
		}
	case 'E':
		if len(arg) == 1 && arg[0] >= '0' && arg[0] <= '3' {
			if l := qr.Level(arg[0] - '0'); l != p.qr.level {
				p.qr.level, p.qr.code = l, nil
			}
		} else {
			p.note(at, "GS 0x28 0x6B%s bad error correction", fnName(body))
		}
	case 'P':
		p.qrStore(at, body)
	case 'Q':
		p.qrPrint(at)
	default:
		p.note(at, "GS 0x28 0x6B%s", fnName(body))
	}
}

func fnName(body []byte) string {
	switch len(body) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf(" cn 0x%02X", body[0])
	}
	return fmt.Sprintf(" cn 0x%02X fn 0x%02X", body[0], body[1])
}

// qrStore is GS ( k pL pH 49 80 48 d…: keep the data for printing.
func (p *parser) qrStore(at int, body []byte) {
	if len(body) < 3 || body[2] != '0' {
		p.note(at, "GS 0x28 0x6B%s bad parameter", fnName(body))
		return
	}
	d := body[3:]
	if len(d) > maxQRData {
		p.note(at, "GS 0x28 0x6B%s %d bytes, more than a QR code holds", fnName(body), len(d))
		return
	}
	p.qr.data, p.qr.code = string(d), nil
}

// qrPrint is GS ( k 3 0 49 81 48: print the stored data.
func (p *parser) qrPrint(at int) {
	if p.qr.data == "" {
		p.note(at, "GS 0x28 0x6B QR print with no data")
		return
	}
	if p.qr.code == nil {
		c, err := qr.Encode(p.qr.data, p.qr.level)
		if err != nil {
			p.note(at, "GS 0x28 0x6B QR print: %v", err)
			return
		}
		p.qr.code = c
	}
	p.flush()
	p.put(&qrBlock{code: p.qr.code, module: p.qr.module, data: p.qr.data, align: p.align})
}

// raster is GS v 0 m xL xH yL yH d: x bytes by y dots, 1 bit a dot.
func (p *parser) raster() {
	at := p.i
	h, ok := p.take(8)
	if !ok {
		return
	}
	m := h[3]
	x := int(h[4]) | int(h[5])<<8
	y := int(h[6]) | int(h[7])<<8
	// The header alone is not to be trusted with an allocation: the data
	// must be in the stream.
	if x > 0 && y > (len(p.src)-p.i)/x {
		p.note(at, "GS 0x76 0x30 truncated")
		p.i = len(p.src)
		return
	}
	data := p.src[p.i : p.i+x*y]
	p.i += x * y
	if m > 3 && (m < '0' || m > '3') {
		p.note(at, "GS 0x76 0x30 bad mode 0x%02X", m)
		return
	}
	if x == 0 || y == 0 {
		return
	}
	p.flush()
	r := &rasterBlock{sx: 1 + int(m&1), sy: 1 + int(m>>1&1), align: p.align}
	r.w, r.h = x*8*r.sx, y*r.sy
	if !p.room(r.dots()) {
		return
	}
	r.keep(data, x, y, p.dots)
	p.put(r)
}
