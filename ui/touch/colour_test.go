package touch

import (
	"image/color"
	"testing"
)

func TestColour(t *testing.T) {
	for c, want := range map[Colour]color.NRGBA{
		Ink:   {R: 0x11, G: 0x11, B: 0x11, A: 0xff},
		Amber: {R: 0x8f, G: 0x4c, B: 0x00, A: 0xff},
		Red:   {R: 0xb0, G: 0x1c, B: 0x1c, A: 0xff},
	} {
		if got := color.NRGBAModel.Convert(c).(color.NRGBA); got != want {
			t.Errorf("%06x = %v, want %v", uint32(c), got, want)
		}
	}
}
