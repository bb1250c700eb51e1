package touch

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// NewText returns a single line of text.
func NewText(s string, size float32, c color.Color, bold bool) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	t.TextStyle.Bold = bold
	return t
}

// NewLabel returns a label, wrapped at word boundaries when wrap is true.
func NewLabel(s string, wrap bool) *widget.Label {
	l := widget.NewLabel(s)
	if wrap {
		l.Wrapping = fyne.TextWrapWord
	}
	return l
}
