package escposview

import (
	"math"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// stream builds ESC/POS by hand, byte by byte, so that the tests do not
// depend on the encoder they are there to check.
type stream []byte

func (s stream) raw(b ...byte) stream { return append(s, b...) }

// text appends t in GB18030.
func (s stream) text(t string) stream {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(t))
	if err != nil {
		panic(err)
	}
	return append(s, b...)
}

func (s stream) line(t string) stream { return s.text(t).raw('\n') }

func (s stream) init() stream            { return s.raw(esc, '@') }
func (s stream) chinese() stream         { return s.raw(fs, '&') }
func (s stream) align(n byte) stream     { return s.raw(esc, 'a', n) }
func (s stream) bold(on bool) stream     { return s.raw(esc, 'E', b2i(on)) }
func (s stream) size(w, h byte) stream   { return s.raw(gs, '!', (w-1)<<4|(h-1)) }
func (s stream) underline(n byte) stream { return s.raw(esc, '-', n) }
func (s stream) feed(n byte) stream      { return s.raw(esc, 'd', n) }
func (s stream) cut() stream             { return s.raw(gs, 'V', 'B', 0) }

func b2i(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// qrFn appends GS ( k with the QR function fn and its parameters.
func (s stream) qrFn(fn byte, params ...byte) stream {
	n := len(params) + 2
	s = s.raw(gs, '(', 'k', byte(n), byte(n>>8), '1', fn)
	return s.raw(params...)
}

// qr stores data and prints it with the given module size and error
// correction ('0' to '3').
func (s stream) qr(data string, module, ec byte) stream {
	s = s.qrFn('A', '2', 0)
	s = s.qrFn('C', module)
	s = s.qrFn('E', ec)
	s = s.qrFn('P', append([]byte{'0'}, data...)...)
	return s.qrFn('Q', '0')
}

// raster appends GS v 0 of w×h dots (w a multiple of 8) with dot(x, y)
// black.
func (s stream) raster(w, h int, dot func(x, y int) bool) stream {
	x := w / 8
	s = s.raw(gs, 'v', '0', 0, byte(x), byte(x>>8), byte(h), byte(h>>8))
	for y := range h {
		for bx := range x {
			var b byte
			for bit := range 8 {
				if dot(bx*8+bit, y) {
					b |= 0x80 >> bit
				}
			}
			s = append(s, b)
		}
	}
	return s
}

// seal is a round stamp, as a service station's receipt carries: a ring
// round a five-pointed star.
func seal(x, y int) bool {
	const c, r = 47.5, 46.0
	dx, dy := float64(x)-c, float64(y)-c
	d2 := dx*dx + dy*dy
	if d2 <= r*r && d2 >= (r-6)*(r-6) {
		return true
	}
	return inStar(dx/28, dy/28)
}

// inStar reports whether (x, y) is inside a unit five-pointed star, point
// up: inside the pentagon or one of the five points' triangles.
func inStar(x, y float64) bool {
	var pts [10][2]float64
	for i := range pts {
		r := 1.0
		if i%2 == 1 {
			r = 0.382
		}
		a := float64(i) * math.Pi / 5
		pts[i] = [2]float64{r * math.Sin(a), -r * math.Cos(a)}
	}
	// Even-odd rule over the star's outline.
	in := false
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		xi, yi, xj, yj := pts[i][0], pts[i][1], pts[j][0], pts[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}
