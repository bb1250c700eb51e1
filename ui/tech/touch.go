package tech

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// age says how long ago something was, roughly: technicians want "two
// hours", not a timestamp to subtract.
func age(lang string, d time.Duration) string {
	var n int
	var zh, en string
	switch {
	case d < time.Minute:
		return ui.Tr(lang, "刚刚", "just now")
	case d < time.Hour:
		n, zh, en = int(d/time.Minute), "%d 分钟前", "%d min ago"
	case d < 48*time.Hour:
		n, zh, en = int(d/time.Hour), "%d 小时前", "%d h ago"
	default:
		n, zh, en = int(d/(24*time.Hour)), "%d 天前", "%d days ago"
	}
	return fmt.Sprintf(ui.Tr(lang, zh, en), n)
}

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
