package tech

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// paged puts content in a scroll with page up and down keys beside it:
// the kiosk's desktop driver does not scroll on a finger's drag, and a
// scroll bar is too thin to hit.
func paged(content fyne.CanvasObject) (*container.Scroll, fyne.CanvasObject) {
	scroll := container.NewVScroll(content)
	page := func(dir float32) func() {
		return func() {
			step := max(scroll.Size().Height-touch.Size, touch.Size)
			scroll.ScrollToOffset(fyne.NewPos(0, max(0, scroll.Offset.Y+dir*step)))
		}
	}
	up := touch.NewButton("", widget.MediumImportance, page(-1))
	up.Icon = theme.MoveUpIcon()
	down := touch.NewButton("", widget.MediumImportance, page(1))
	down.Icon = theme.MoveDownIcon()
	return scroll, container.NewBorder(nil, nil, nil, container.NewGridWithRows(2, up, down), scroll)
}
