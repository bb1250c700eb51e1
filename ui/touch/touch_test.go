package touch

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestColour(t *testing.T) {
	for c, want := range map[Colour]color.NRGBA{
		Ink:   {R: 0x11, G: 0x11, B: 0x11, A: 0xff},
		Amber: {R: 0xb2, G: 0x5e, B: 0x00, A: 0xff},
		Red:   {R: 0xb0, G: 0x1c, B: 0x1c, A: 0xff},
	} {
		if got := color.NRGBAModel.Convert(c).(color.NRGBA); got != want {
			t.Errorf("%06x = %v, want %v", uint32(c), got, want)
		}
	}
}

func TestButtonIsATouchTarget(t *testing.T) {
	test.NewTempApp(t)
	tapped := 0
	b := NewButton("", widget.MediumImportance, func() { tapped++ })
	if m := b.MinSize(); m.Width < Size || m.Height < Size {
		t.Errorf("an empty button's least size %v is under %v square", m, Size)
	}
	long := NewButton("重新发送全部被退回的记录", widget.HighImportance, nil)
	if m := long.MinSize(); m.Width <= Size {
		t.Errorf("a long label's button is only %v wide", m.Width)
	}
	test.Tap(b)
	if tapped != 1 {
		t.Errorf("tapped %d times", tapped)
	}
	if l := NewLabel("x", true); l.Wrapping != fyne.TextWrapWord {
		t.Error("a wrapped label does not wrap")
	}
}
