package handwriting

import (
	"slices"
)

// Candidate is a character the drawing may be, with its score (Zinnia's
// SVM score, or that and the likeness to a face together): higher is
// likelier; scores compare only within one recognition.
type Candidate struct {
	Char  string
	Score float32
}

// Recognize returns the n characters of the model that ink most likely
// is, likeliest first: by Zinnia's score alone, or, once UseFace has
// run, by Zinnia's score and the drawing's likeness to the face's
// glyphs together (see shapes). It is an error to pass ink with no strokes
// (ErrNothingWritten), a stroke with no points, or a surface with no
// area.
func (m *Model) Recognize(ink Ink, n int) ([]Candidate, error) {
	fs, err := features(ink)
	if err != nil {
		return nil, err
	}
	if n <= 0 || len(m.chars) == 0 {
		return nil, nil
	}
	// Zinnia sums a character's products in double; so do we, feature by
	// feature rather than character by character.
	scores := make([]float64, len(m.chars))
	for i, b := range m.bias {
		scores[i] = float64(b)
	}
	for _, f := range fs {
		s, ok := m.span[f.index]
		if !ok {
			continue
		}
		v := f.value
		for _, p := range m.postings[s.lo:s.hi] {
			scores[p.char] += float64(p.weight * v)
		}
	}
	if sh := m.shapes.Load(); sh != nil {
		like := sh.likeness(ink)
		standardize(scores)
		standardize(like)
		for i, l := range like {
			scores[i] += shapeWeight * l
		}
	}
	return best(m.chars, scores, n), nil
}

// best is the n highest scores, highest first, ties in the model's order.
func best(chars []string, scores []float64, n int) []Candidate {
	n = min(n, len(chars))
	top := make([]int, 0, n+1)
	for i, s := range scores {
		if len(top) == n && s <= scores[top[n-1]] {
			continue
		}
		at, _ := slices.BinarySearchFunc(top, s, func(j int, s float64) int {
			if scores[j] >= s {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, at, i)
		if len(top) > n {
			top = top[:n]
		}
	}
	out := make([]Candidate, len(top))
	for k, i := range top {
		out[k] = Candidate{Char: chars[i], Score: float32(scores[i])}
	}
	return out
}

// UseFace has Recognize weigh, beside Zinnia's score, how like each
// character as face (TrueType or OpenType bytes, such as the kiosk's
// bundled CJK face) draws it the drawing is, whatever order its strokes
// were written in. It takes a few seconds (Lazy runs it in the
// background, after the model is ready) and may be called while other
// goroutines recognize.
func (m *Model) UseFace(face []byte) error {
	s, err := newShapes(face, m.chars)
	if err != nil {
		return err
	}
	m.shapes.Store(s)
	return nil
}
