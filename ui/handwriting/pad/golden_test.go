package pad

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The pad drawn as a screen would give it space, with 人 written on it,
// compared with images in testdata. A missing or different image is
// written to testdata/failed; look at it, and if it is right move it to
// testdata.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		size   fyne.Size
		target float32
	}{
		{"ren_7inch.png", fyne.NewSize(800, 400), TargetSize},
		{"ren_large.png", fyne.NewSize(1280, 620), 120},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New(realModel(t))
			p.SetTargetSize(tc.target)
			w := test.NewTempWindow(t, p)
			w.SetPadded(false)
			w.Resize(tc.size)
			side := p.surface.Size().Width
			at := func(x, y float32) fyne.Position { return fyne.NewPos(x*side, y*side) }
			write(p.surface, at(0.52, 0.12), at(0.5, 0.4), at(0.4, 0.65), at(0.18, 0.88))
			write(p.surface, at(0.5, 0.45), at(0.65, 0.68), at(0.88, 0.88))
			test.AssertImageMatches(t, tc.name, w.Canvas().Capture())
		})
	}
}
