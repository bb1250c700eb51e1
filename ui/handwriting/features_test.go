package handwriting

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestFeaturesOfALine(t *testing.T) {
	// A stroke straight across the middle of a 100×100 surface: one
	// segment, no move, one stroke.
	fs, err := features(Ink{Width: 100, Height: 100, Strokes: [][]Point{{{0, 50}, {50, 50}, {100, 50}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []feature{
		{0, 1},
		{1, 10}, {2, 0}, // length, direction
		{3, -5}, {4, 0}, {5, 5}, {6, 0}, // start, end
		{7, math.Pi}, {8, 0}, // seen from the centre
		{9, 5}, {10, 5}, // distance from the centre
		{11, 5}, {12, 0}, // extent
		{countBase, 1}, {countBase + 1, 10},
	}
	same(t, fs, want)
}

func TestFeaturesSplitAndMove(t *testing.T) {
	// An L (down, then right) and a dot: the L splits at its corner into
	// segments 1 and 2 of stroke 0; the dot is one point; the pen moves
	// from the L's end to the dot.
	fs, err := features(Ink{Width: 10, Height: 10, Strokes: [][]Point{
		{{0, 0}, {0, 5}, {0, 10}, {5, 10}, {10, 10}},
		{{5, 5}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	has := map[int32]float32{}
	for _, f := range fs {
		has[f.index] = f.value
	}
	for _, tc := range []struct {
		name  string
		index int32
		value float32
	}{
		{"whole L: length of its chord", 1, 10 * float32(math.Sqrt2)},
		{"first leg: length", 20 + 1, 10},
		{"first leg: pointing down", 20 + 2, math.Pi / 2},
		{"second leg: length", 40 + 1, 10},
		{"second leg: ends right", 40 + 5, 5},
		{"dot: no length", 1000 + 1, 0},
		{"move to the dot: from the L's end", moveBase + 1000 + 3, 5},
		{"move to the dot: to the centre", moveBase + 1000 + 5, 0},
		{"two strokes", countBase, 2},
		{"two strokes' mark", countBase + 2, 10},
	} {
		if v, ok := has[tc.index]; !ok || math.Abs(float64(v-tc.value)) > 1e-5 {
			t.Errorf("%s: feature %d = %v (present %v), want %v", tc.name, tc.index, v, ok, tc.value)
		}
	}
	if _, ok := has[60+1]; ok {
		t.Error("a straight leg was split again")
	}
}

func TestNothingWritten(t *testing.T) {
	m, err := Parse(encode(tiny))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Recognize(Ink{Width: 1, Height: 1}, 5); !errors.Is(err, ErrNothingWritten) {
		t.Errorf("got %v, want ErrNothingWritten", err)
	}
}

func TestFeaturesRefuse(t *testing.T) {
	line := []Point{{0, 0}, {1, 1}}
	for _, tc := range []struct {
		name, want string
		ink        Ink
	}{
		{"nothing", "nothing written", Ink{Width: 1, Height: 1}},
		{"no area", "want a positive size", Ink{Width: 0, Height: 1, Strokes: [][]Point{line}}},
		{"NaN size", "want a positive size", Ink{Width: float32(math.NaN()), Height: 1, Strokes: [][]Point{line}}},
		{"empty stroke", "stroke 2 has no points", Ink{Width: 1, Height: 1, Strokes: [][]Point{line, nil}}},
		{"infinite point", "stroke 1 point 2", Ink{Width: 1, Height: 1, Strokes: [][]Point{{{0, 0}, {float32(math.Inf(1)), 0}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := features(tc.ink)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestLongStrokeIsBounded: a stroke of many points in a spiral, whose
// segment tree would be deep, gives at most 51 segments' features.
func TestLongStrokeIsBounded(t *testing.T) {
	var s []Point
	for i := range 5000 {
		a := float64(i) / 50
		s = append(s, Point{float32(500 + a*10*math.Cos(a)), float32(500 + a*10*math.Sin(a))})
	}
	fs, err := features(Ink{Width: 1000, Height: 1000, Strokes: [][]Point{s}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fs); n > 1+(maxVertex+1)*basicLength+2 {
		t.Errorf("%d features", n)
	}
}

func same(t *testing.T, got, want []feature) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	for i := range got {
		if got[i].index != want[i].index || math.Abs(float64(got[i].value-want[i].value)) > 1e-5 {
			t.Fatalf("feature %d: got %v, want %v\ngot %v", i, got[i], want[i], got)
		}
	}
}
