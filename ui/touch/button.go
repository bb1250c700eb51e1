package touch

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui/keyboard"
)

// Size is the least width and height of anything tapped: the keyboard's
// key size, 15 mm on the kiosk's 7-inch 800×480 panel.
const Size = keyboard.KeySize

// Button is a widget.Button no smaller than a touch target.
type Button struct {
	widget.Button
}

// NewButton returns a button that calls tap when tapped.
func NewButton(label string, imp widget.Importance, tap func()) *Button {
	b := &Button{}
	b.Text, b.Importance, b.OnTapped = label, imp, tap
	b.ExtendBaseWidget(b)
	return b
}

// MinSize is the button's own, and at least Size square.
func (b *Button) MinSize() fyne.Size {
	return b.Button.MinSize().Max(fyne.NewSquareSize(Size))
}
