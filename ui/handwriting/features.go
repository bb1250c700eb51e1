package handwriting

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Point is a pen position on the writing surface, y pointing down.
type Point struct{ X, Y float32 }

// Ink is a drawing: its strokes, each the points of one pen-down to
// pen-up in the order written, on a surface Width by Height. Zinnia's
// features are positions relative to that surface, so a character written
// small in a corner reads differently from one filling the pad.
type Ink struct {
	Width, Height float32
	Strokes       [][]Point
}

// The feature layout of Zinnia's description: per stroke (sid) up to
// maxVertex segments of its segment tree, the pen's move from the previous
// stroke, and the stroke count.
const (
	maxVertex   = 50
	strokeBase  = 1000
	vertexStep  = 20
	moveBase    = 100000
	countBase   = 2000000
	segmentTol  = 0.001
	basicLength = 12
)

// feature is one coordinate of the sparse feature vector.
type feature struct {
	index int32
	value float32
}

// node is a point scaled into the unit square.
type node struct{ x, y float32 }

// ErrNothingWritten is Recognize's error for ink with no strokes.
var ErrNothingWritten = errors.New("handwriting: nothing written")

// features computes Zinnia's feature vector of ink: sorted by index,
// each index once.
func features(ink Ink) ([]feature, error) {
	if len(ink.Strokes) == 0 {
		return nil, ErrNothingWritten
	}
	if !(ink.Width > 0 && ink.Height > 0) || !finite(ink.Width) || !finite(ink.Height) {
		return nil, fmt.Errorf("handwriting: writing surface %v×%v: want a positive size", ink.Width, ink.Height)
	}
	strokes := make([][]node, len(ink.Strokes))
	for i, s := range ink.Strokes {
		if len(s) == 0 {
			return nil, fmt.Errorf("handwriting: stroke %d has no points", i+1)
		}
		strokes[i] = make([]node, len(s))
		for j, p := range s {
			if !finite(p.X) || !finite(p.Y) {
				return nil, fmt.Errorf("handwriting: stroke %d point %d is (%v, %v)", i+1, j+1, p.X, p.Y)
			}
			strokes[i][j] = node{p.X / ink.Width, p.Y / ink.Height}
		}
	}
	fs := []feature{{0, 1}} // the bias term
	var segs [maxVertex + 1]segment
	for sid, s := range strokes {
		clear(segs[:])
		split(s, 0, len(s)-1, 0, &segs)
		for i, g := range segs {
			if g.set {
				fs = basic(fs, int32(sid*strokeBase+vertexStep*i), s[g.first], s[g.last])
			}
		}
		if sid > 0 {
			prev := strokes[sid-1]
			fs = basic(fs, int32(moveBase+sid*strokeBase), prev[len(prev)-1], s[0])
		}
	}
	n := int32(len(strokes))
	fs = append(fs, feature{countBase, float32(n)}, feature{countBase + n, 10})
	// Segments past the 50th of a stroke share indices with the next
	// stroke's first; the first written is kept, as Zinnia's merge does.
	slices.SortStableFunc(fs, func(a, b feature) int {
		switch {
		case a.index < b.index:
			return -1
		case a.index > b.index:
			return 1
		}
		return 0
	})
	return slices.CompactFunc(fs, func(a, b feature) bool { return a.index == b.index }), nil
}

// segment is a node of a stroke's segment tree: the indices of its ends.
type segment struct {
	first, last int
	set         bool
}

// split files the segment first..last of a stroke as tree node id and, if
// some point between lies off the chord by more than segmentTol (squared,
// in unit-square terms), splits it there: node id's children are 2id+1
// and 2id+2, so the tree's breadth-first order is coarse to fine. Nodes
// past maxVertex are never used, so their subtrees are not built.
func split(s []node, first, last, id int, segs *[maxVertex + 1]segment) {
	if id > maxVertex {
		return
	}
	segs[id] = segment{first, last, true}
	if first >= last {
		return
	}
	a, b := s[last].x-s[first].x, s[last].y-s[first].y
	c := float32(float64(s[last].y*s[first].x) - float64(s[last].x*s[first].y))
	best, most := first, float32(-1)
	for k := first; k < last; k++ {
		d := float32(math.Abs(float64(float32(a*s[k].y) - float32(b*s[k].x) + c)))
		if d > most {
			best, most = k, d
		}
	}
	if dist := most * most / (a*a + b*b); dist > segmentTol && best > first {
		split(s, first, best, 2*id+1, segs)
		split(s, best, last, 2*id+2, segs)
	}
}

// basic appends the twelve features of the move from p to q: its length
// and direction, where it starts and ends, seen from the surface's
// centre too, and its extent along each axis.
func basic(fs []feature, off int32, p, q node) []feature {
	at := func(y, x float32) float32 { return float32(math.Atan2(float64(y), float64(x))) }
	hyp := func(x, y float32) float32 { return float32(math.Sqrt(float64(x*x + y*y))) }
	return append(fs,
		feature{off + 1, 10 * hyp(p.x-q.x, p.y-q.y)},
		feature{off + 2, at(q.y-p.y, q.x-p.x)},
		feature{off + 3, 10 * (p.x - 0.5)},
		feature{off + 4, 10 * (p.y - 0.5)},
		feature{off + 5, 10 * (q.x - 0.5)},
		feature{off + 6, 10 * (q.y - 0.5)},
		feature{off + 7, at(p.y-0.5, p.x-0.5)},
		feature{off + 8, at(q.y-0.5, q.x-0.5)},
		feature{off + 9, 10 * hyp(p.x-0.5, p.y-0.5)},
		feature{off + 10, 10 * hyp(q.x-0.5, q.y-0.5)},
		feature{off + 11, 5 * (q.x - p.x)},
		feature{off + 12, 5 * (q.y - p.y)},
	)
}
