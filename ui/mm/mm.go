// Package mm turns millimetres on a touchscreen into Fyne units and back,
// so that type and touch targets are as large on the 10-inch and the
// 21.5-inch panel as on the 7-inch one. A Fyne unit is canvas-scale
// pixels: on a panel of p pixels per millimetre at scale s, a millimetre
// is p/s units. The panel's diagonal comes from the config
// (ui.panel_inches) or, unset, from its resolution (DefaultInches).
package mm

import (
	"cmp"
	"math"
	"slices"
)

// PerInch is the number of millimetres in an inch.
const PerInch = 25.4

// Panel is a screen's physical size: its resolution and its diagonal.
type Panel struct {
	Width, Height int     // pixels
	Inches        float64 // the diagonal
}

// Known returns the panels stations have, smallest first, each with
// where its diagonal comes from.
func Known() []Panel {
	return []Panel{
		// The Raspberry Pi Touch Display and the 7-inch HDMI panels sold
		// with the boards: the panel the kiosk was first made for.
		{800, 480, 7},
		// 7-inch HDMI panels of the higher resolution (e.g. Waveshare's
		// 7inch HDMI LCD (C)).
		{1024, 600, 7},
		// 10.1-inch industrial and tablet panels (WXGA), the desktop-kiosk
		// size government self-service counters use.
		{1280, 800, 10.1},
		// Floor-standing self-service terminals: 21.5 inches is the smallest
		// full-HD monitor panel they are built with (32 inches the other
		// common size; set ui.panel_inches for it).
		{1920, 1080, 21.5},
	}
}

// DefaultInches is the diagonal a panel of w×h pixels (either way up)
// has when the config does not say: the table's, or for a resolution not
// in it the diagonal at the density of the table's densest panel, so
// that sizes in mm are if anything underestimated, never flattered.
// known reports whether the resolution was in the table.
func DefaultInches(w, h int) (inches float64, known bool) {
	if w < h {
		w, h = h, w
	}
	for _, p := range Known() {
		if p.Width == w && p.Height == h {
			return p.Inches, true
		}
	}
	densest := slices.MaxFunc(Known(), func(a, b Panel) int {
		return cmp.Compare(a.PixelsPerMM(), b.PixelsPerMM())
	})
	return math.Hypot(float64(w), float64(h)) / densest.PixelsPerMM() / PerInch, false
}

// ForWindow is the panel a full-screen window of width×height Fyne units
// at canvas scale fills, with the given diagonal; inches 0 takes
// DefaultInches for its resolution.
func ForWindow(width, height, scale float32, inches float64) Panel {
	p := Panel{Width: int(math.Round(float64(width * scale))), Height: int(math.Round(float64(height * scale))), Inches: inches}
	if p.Inches <= 0 {
		p.Inches, _ = DefaultInches(p.Width, p.Height)
	}
	return p
}

// PixelsPerMM is the panel's pixel density; 0 for a panel without a size.
func (p Panel) PixelsPerMM() float64 {
	if p.Inches <= 0 {
		return 0
	}
	return math.Hypot(float64(p.Width), float64(p.Height)) / (p.Inches * PerInch)
}

// Units is how many Fyne units at canvas scale span mm millimetres.
func (p Panel) Units(mm float64, scale float32) float32 {
	return float32(mm * p.PixelsPerMM() / float64(scale))
}

// MM is how many millimetres u Fyne units at canvas scale span; 0 for a
// panel without a size.
func (p Panel) MM(u, scale float32) float64 {
	d := p.PixelsPerMM()
	if d == 0 {
		return 0
	}
	return float64(u) * float64(scale) / d
}
