package handwriting

import (
	"errors"
	"fmt"
	"image"
	"math"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Zinnia scores a drawing stroke by stroke, in the order written, so a
// character written in another stroke order than the model's writers used
// scores low (its 辶 last, as schools teach, where the model has it
// first). Shapes looks at the finished drawing instead, in whatever order
// it was made: the drawing and each character of a printed face are drawn
// on a grid, evened out, and described by where their edges run in which
// direction; the closer the descriptions, the likelier the character.
// Recognize adds that likeness to Zinnia's score (each made comparable
// over all characters first). The constants were chosen on level-2
// characters, not the level-1 ones the accuracy test measures.
const (
	shapeGrid   = 64  // the drawing's grid, pixels a side
	shapeMargin = 4   // pixels left clear round a character
	shapeInk    = 1.0 // the drawn line's half-width, pixels
	shapeFloor  = 2.0 // evening out: a column's share of ink plus this share of the mean
	shapeCells  = 12  // the description's grid, cells a side
	shapeDirs   = 4   // edge directions told apart, over half a turn
	shapeDim    = shapeCells * shapeCells * shapeDirs
	// shapeWeight is the likeness's weight beside Zinnia's score.
	shapeWeight = 1.5
)

// shapes is how each character of a model looks in a printed face. It is
// read-only once made and safe for concurrent use.
type shapes struct {
	// desc[i*shapeDim:] is character i's description, scaled by scale[i]
	// into bytes; has[i] is false where the face has no glyph for it.
	desc  []uint8
	scale []float32
	has   []bool
	found int // how many has
}

// newShapes describes each of chars (one character each, as a Model's
// Char gives them) as face (TrueType or OpenType bytes) draws it.
// Characters the face lacks are left out of the likeness.
func newShapes(face []byte, chars []string) (*shapes, error) {
	f, err := sfnt.Parse(face)
	if err != nil {
		return nil, fmt.Errorf("handwriting: shapes: parse face: %w", err)
	}
	s := &shapes{
		desc:  make([]uint8, len(chars)*shapeDim),
		scale: make([]float32, len(chars)),
		has:   make([]bool, len(chars)),
	}
	var buf sfnt.Buffer
	found := 0
	for i, c := range chars {
		r, n := utf8.DecodeRuneInString(c)
		if r == utf8.RuneError || n != len(c) {
			continue
		}
		g, err := glyphGrid(f, &buf, r)
		if err != nil || g == nil {
			continue
		}
		d := describe(g)
		var top float32
		for _, v := range d {
			top = max(top, v)
		}
		if top == 0 {
			continue
		}
		out := s.desc[i*shapeDim : (i+1)*shapeDim]
		for k, v := range d {
			out[k] = uint8(math.Round(float64(v / top * 255)))
		}
		s.scale[i] = top / 255
		s.has[i] = true
		found++
	}
	if found == 0 {
		return nil, errors.New("handwriting: shapes: the face draws none of the model's characters")
	}
	s.found = found
	return s, nil
}

// likeness is, for each character, how close the drawing's description
// is to the character's (a cosine, 0 to 1); characters the face lacks get
// the mean of the others, which moves nothing once made comparable.
func (s *shapes) likeness(ink Ink) []float64 {
	q := describe(inkGrid(ink))
	out := make([]float64, len(s.scale))
	var sum float64
	for i, ok := range s.has {
		if !ok {
			continue
		}
		d := s.desc[i*shapeDim : (i+1)*shapeDim]
		var dot float32
		for k, v := range q {
			dot += v * float32(d[k])
		}
		out[i] = float64(dot * s.scale[i])
		sum += out[i]
	}
	mean := sum / float64(s.found)
	for i, ok := range s.has {
		if !ok {
			out[i] = mean
		}
	}
	return out
}

// standardize makes v's values comparable with another measure's: mean 0,
// standard deviation 1 (all 0 when they do not vary).
func standardize(v []float64) {
	var mean, sq float64
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sq += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(sq / float64(len(v)))
	for i, x := range v {
		if sd == 0 {
			v[i] = 0
		} else {
			v[i] = (x - mean) / sd
		}
	}
}

// grid is a drawing on shapeGrid × shapeGrid pixels, ink 1.
type grid [shapeGrid * shapeGrid]float32

// fit returns the scale and offsets that put the box (x0, y0)-(x1, y1)
// in the middle of the grid, its longer side filling it but the margin.
func fit(x0, y0, x1, y1 float32) (sc, ox, oy float32) {
	w, h := x1-x0, y1-y0
	sc = (shapeGrid - 2*shapeMargin) / max(w, h, 1e-6)
	return sc, (shapeGrid-w*sc)/2 - x0*sc, (shapeGrid-h*sc)/2 - y0*sc
}

// inkGrid draws ink's strokes as lines shapeInk wide each side, fitted to
// the grid.
func inkGrid(ink Ink) *grid {
	x0, y0 := float32(math.Inf(1)), float32(math.Inf(1))
	x1, y1 := float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, s := range ink.Strokes {
		for _, p := range s {
			x0, x1 = min(x0, p.X), max(x1, p.X)
			y0, y1 = min(y0, p.Y), max(y1, p.Y)
		}
	}
	sc, ox, oy := fit(x0, y0, x1, y1)
	var g grid
	for _, s := range ink.Strokes {
		if len(s) == 1 { // a dot
			g.line(s[0].X*sc+ox, s[0].Y*sc+oy, s[0].X*sc+ox, s[0].Y*sc+oy)
		}
		for k := 1; k < len(s); k++ {
			g.line(s[k-1].X*sc+ox, s[k-1].Y*sc+oy, s[k].X*sc+ox, s[k].Y*sc+oy)
		}
	}
	return &g
}

// line draws a line from (ax, ay) to (bx, by), shapeInk wide each side,
// its edge anti-aliased.
func (g *grid) line(ax, ay, bx, by float32) {
	const r = shapeInk
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	for y := max(int(min(ay, by)-r-1), 0); y <= min(int(max(ay, by)+r+1), shapeGrid-1); y++ {
		for x := max(int(min(ax, bx)-r-1), 0); x <= min(int(max(ax, bx)+r+1), shapeGrid-1); x++ {
			px, py := float32(x)+0.5-ax, float32(y)+0.5-ay
			var t float32
			if l2 > 0 {
				t = min(max((px*dx+py*dy)/l2, 0), 1)
			}
			ex, ey := px-t*dx, py-t*dy
			v := min(max(r+0.5-float32(math.Sqrt(float64(ex*ex+ey*ey))), 0), 1)
			g[y*shapeGrid+x] = max(g[y*shapeGrid+x], v)
		}
	}
}

// glyphGrid draws r as f's glyph, filled, fitted to the grid; nil when f
// has no glyph for r.
func glyphGrid(f *sfnt.Font, buf *sfnt.Buffer, r rune) (*grid, error) {
	gi, err := f.GlyphIndex(buf, r)
	if err != nil || gi == 0 {
		return nil, err
	}
	segs, err := f.LoadGlyph(buf, gi, fixed.I(1000), nil)
	if err != nil {
		return nil, err
	}
	args := func(s sfnt.Segment) []fixed.Point26_6 {
		switch s.Op {
		case sfnt.SegmentOpQuadTo:
			return s.Args[:2]
		case sfnt.SegmentOpCubeTo:
			return s.Args[:3]
		}
		return s.Args[:1]
	}
	x0, y0 := float32(math.Inf(1)), float32(math.Inf(1))
	x1, y1 := float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, s := range segs {
		for _, p := range args(s) {
			x, y := float32(p.X)/64, float32(p.Y)/64
			x0, x1 = min(x0, x), max(x1, x)
			y0, y1 = min(y0, y), max(y1, y)
		}
	}
	if len(segs) == 0 {
		return nil, nil
	}
	sc, ox, oy := fit(x0, y0, x1, y1)
	at := func(p fixed.Point26_6) (float32, float32) {
		return float32(p.X)/64*sc + ox, float32(p.Y)/64*sc + oy
	}
	z := vector.NewRasterizer(shapeGrid, shapeGrid)
	for _, s := range segs {
		p := args(s)
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			z.MoveTo(at(p[0]))
		case sfnt.SegmentOpLineTo:
			z.LineTo(at(p[0]))
		case sfnt.SegmentOpQuadTo:
			bx, by := at(p[0])
			cx, cy := at(p[1])
			z.QuadTo(bx, by, cx, cy)
		case sfnt.SegmentOpCubeTo:
			bx, by := at(p[0])
			cx, cy := at(p[1])
			dx, dy := at(p[2])
			z.CubeTo(bx, by, cx, cy, dx, dy)
		}
	}
	mask := image.NewAlpha(image.Rect(0, 0, shapeGrid, shapeGrid))
	z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	var g grid
	for i, a := range mask.Pix {
		g[i] = float32(a) / 255
	}
	return &g, nil
}

// even moves g's columns and rows so that its ink, with a floor, is spread
// evenly along each axis: a dense left part and a sparse right one, as
// hands and faces balance 亻 and its neighbour differently, land in the
// same cells.
func (g *grid) even() *grid {
	var px, py [shapeGrid]float64
	var total float64
	for y := range shapeGrid {
		for x := range shapeGrid {
			v := float64(g[y*shapeGrid+x])
			px[x] += v
			py[y] += v
			total += v
		}
	}
	// from[i] is the source coordinate of output pixel i's centre.
	from := func(p *[shapeGrid]float64) (out [shapeGrid]float64) {
		var cum [shapeGrid + 1]float64
		floor := shapeFloor * total / shapeGrid
		for i, v := range p {
			cum[i+1] = cum[i] + v + floor
		}
		if cum[shapeGrid] == 0 {
			for i := range out {
				out[i] = float64(i)
			}
			return out
		}
		k := 0
		for i := range out {
			u := (float64(i) + 0.5) / shapeGrid * cum[shapeGrid]
			for k < shapeGrid-1 && cum[k+1] < u {
				k++
			}
			out[i] = float64(k) + (u-cum[k])/max(cum[k+1]-cum[k], 1e-12) - 0.5
		}
		return out
	}
	sx, sy := from(&px), from(&py)
	at := func(x, y int) float32 {
		if x < 0 || y < 0 || x >= shapeGrid || y >= shapeGrid {
			return 0
		}
		return g[y*shapeGrid+x]
	}
	var out grid
	for y := range shapeGrid {
		iy := int(math.Floor(sy[y]))
		fy := float32(sy[y] - float64(iy))
		for x := range shapeGrid {
			ix := int(math.Floor(sx[x]))
			fx := float32(sx[x] - float64(ix))
			out[y*shapeGrid+x] = at(ix, iy)*(1-fx)*(1-fy) + at(ix+1, iy)*fx*(1-fy) +
				at(ix, iy+1)*(1-fx)*fy + at(ix+1, iy+1)*fx*fy
		}
	}
	return &out
}

// describe is g's description: evened out, then per cell of a
// shapeCells grid how much edge runs in each of shapeDirs directions
// (Sobel gradients, shared between neighbouring cells and directions),
// square-rooted and scaled to length 1.
func describe(g *grid) []float32 {
	g = g.even()
	at := func(x, y int) float32 {
		if x < 0 || y < 0 || x >= shapeGrid || y >= shapeGrid {
			return 0
		}
		return g[y*shapeGrid+x]
	}
	d := make([]float32, shapeDim)
	const cell = float32(shapeGrid) / shapeCells
	for y := range shapeGrid {
		for x := range shapeGrid {
			gx := at(x+1, y-1) + 2*at(x+1, y) + at(x+1, y+1) - at(x-1, y-1) - 2*at(x-1, y) - at(x-1, y+1)
			gy := at(x-1, y+1) + 2*at(x, y+1) + at(x+1, y+1) - at(x-1, y-1) - 2*at(x, y-1) - at(x+1, y-1)
			m := float32(math.Hypot(float64(gx), float64(gy)))
			if m < 1e-4 {
				continue
			}
			th := math.Atan2(float64(gy), float64(gx))
			if th < 0 {
				th += math.Pi
			}
			bf := float32(th / math.Pi * shapeDirs)
			b0 := int(bf) % shapeDirs
			b1 := (b0 + 1) % shapeDirs
			wb := bf - float32(int(bf))
			cx, cy := (float32(x)+0.5)/cell-0.5, (float32(y)+0.5)/cell-0.5
			ix, iy := int(math.Floor(float64(cx))), int(math.Floor(float64(cy)))
			fx, fy := cx-float32(ix), cy-float32(iy)
			for j := range 4 {
				X, Y := ix+j%2, iy+j/2
				if X < 0 || Y < 0 || X >= shapeCells || Y >= shapeCells {
					continue
				}
				w := m
				if j%2 == 0 {
					w *= 1 - fx
				} else {
					w *= fx
				}
				if j/2 == 0 {
					w *= 1 - fy
				} else {
					w *= fy
				}
				base := (Y*shapeCells + X) * shapeDirs
				d[base+b0] += w * (1 - wb)
				d[base+b1] += w * wb
			}
		}
	}
	var n float32
	for i, v := range d {
		d[i] = float32(math.Sqrt(float64(v)))
		n += d[i] * d[i]
	}
	if n > 0 {
		n = float32(math.Sqrt(float64(n)))
		for i := range d {
			d[i] /= n
		}
	}
	return d
}
