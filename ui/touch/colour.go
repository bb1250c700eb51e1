package touch

import "image/color"

// Colour is an opaque colour, 0xRRGGBB: a constant, so no screen can
// change another's.
type Colour uint32

// Dark enough on white to read in a bright hall (contrast 5:1 and more),
// and on a selected row of the staff's lists (ui.StaffColours' #d6e6fd)
// at least 4.5:1.
const (
	Ink   Colour = 0x111111
	Grey  Colour = 0x5f6368
	Green Colour = 0x17692f
	Amber Colour = 0x8f4c00
	Red   Colour = 0xb01c1c
)

// RGBA implements color.Color.
func (c Colour) RGBA() (r, g, b, a uint32) {
	return color.NRGBA{R: uint8(c >> 16), G: uint8(c >> 8), B: uint8(c), A: 0xff}.RGBA()
}
