package mm

import (
	"math"
	"testing"
)

// The panels the issue names get their diagonals, either way up; an
// unknown resolution gets the densest known panel's density.
func TestDefaultInches(t *testing.T) {
	tests := []struct {
		w, h  int
		want  float64
		known bool
	}{
		{800, 480, 7, true},
		{480, 800, 7, true},
		{1024, 600, 7, true},
		{1280, 800, 10.1, true},
		{800, 1280, 10.1, true},
		{1920, 1080, 21.5, true},
		// 1280×720 at 1024×600's 169.5 pixels per inch: 8.67 inches.
		{1280, 720, 8.66, false},
	}
	for _, tc := range tests {
		got, known := DefaultInches(tc.w, tc.h)
		if math.Abs(got-tc.want) > 0.01 || known != tc.known {
			t.Errorf("DefaultInches(%d, %d) = %.2f, %v; want %.2f, %v", tc.w, tc.h, got, known, tc.want, tc.known)
		}
	}
}

// Millimetres to units and back, at scale 1 and at a scale that halves
// the units.
func TestUnits(t *testing.T) {
	tests := []struct {
		name      string
		p         Panel
		scale     float32
		mm        float64
		wantUnits float32
		wantPerMM float64
	}{
		// 800×480 over 7 inches: 933 px over 177.8 mm.
		{"7-inch", Panel{800, 480, 7}, 1, 5, 26.24, 5.247},
		// The figure: 24 units on the 10.1-inch panel are about 4 mm.
		{"10.1-inch", Panel{1280, 800, 10.1}, 1, 4.08, 24.0, 5.884},
		{"21.5-inch", Panel{1920, 1080, 21.5}, 1, 5, 20.17, 4.034},
		{"10.1-inch at scale 2", Panel{1280, 800, 10.1}, 2, 5, 14.71, 5.884},
	}
	for _, tc := range tests {
		if d := tc.p.PixelsPerMM(); math.Abs(d-tc.wantPerMM) > 0.001 {
			t.Errorf("%s: %.4f pixels per mm, want %.3f", tc.name, d, tc.wantPerMM)
		}
		u := tc.p.Units(tc.mm, tc.scale)
		if math.Abs(float64(u-tc.wantUnits)) > 0.01 {
			t.Errorf("%s: %.2f mm is %.3f units, want %.2f", tc.name, tc.mm, u, tc.wantUnits)
		}
		if back := tc.p.MM(u, tc.scale); math.Abs(back-tc.mm) > 1e-4 {
			t.Errorf("%s: %.3f units back is %.4f mm, want %.2f", tc.name, u, back, tc.mm)
		}
	}
	if (Panel{Width: 800, Height: 480}).MM(10, 1) != 0 {
		t.Error("a panel without a diagonal gives a size in mm")
	}
}

// A full-screen window's panel is its size in pixels: units times the
// canvas scale.
func TestForWindow(t *testing.T) {
	tests := []struct {
		w, h, scale float32
		inches      float64
		want        Panel
	}{
		{800, 480, 1, 0, Panel{800, 480, 7}},
		{1280, 720, 1.5, 0, Panel{1920, 1080, 21.5}},
		{1280, 800, 1, 12, Panel{1280, 800, 12}},
	}
	for _, tc := range tests {
		if got := ForWindow(tc.w, tc.h, tc.scale, tc.inches); got != tc.want {
			t.Errorf("ForWindow(%v, %v, %v, %v) = %+v, want %+v", tc.w, tc.h, tc.scale, tc.inches, got, tc.want)
		}
	}
}
