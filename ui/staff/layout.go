package staff

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// atLeast lays its objects over each other, full size, and asks for at
// least its own size: a list row or a bar as tall as a touch target.
type atLeast struct{ w, h float32 }

func (a atLeast) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (a atLeast) MinSize(objs []fyne.CanvasObject) fyne.Size {
	min := fyne.NewSize(a.w, a.h)
	for _, o := range objs {
		min = min.Max(o.MinSize())
	}
	return min
}

// columns lays its objects side by side in shares of the width, each full
// height: the list, its detail and the preview keep their proportions on
// the 800×480 panel and on larger screens alike.
type columns []float32

func (c columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	var sum float32
	for _, w := range c {
		sum += w
	}
	free := size.Width - pad*float32(len(objs)-1)
	x := float32(0)
	for i, o := range objs {
		w := free * c[i] / sum
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
}

func (c columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var min fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		min.Width += m.Width
		min.Height = max(min.Height, m.Height)
	}
	return min
}

// pagedList is a list with page up and down keys beside it: the kiosk's
// desktop driver does not scroll on a finger's drag, and a scroll bar is
// too thin to hit.
func pagedList(l *widget.List, act func(func()) func()) fyne.CanvasObject {
	page := func(dir float32) func() {
		return act(func() {
			step := max(l.Size().Height-touch.Size, touch.Size)
			l.ScrollToOffset(max(0, l.GetScrollOffset()+dir*step))
		})
	}
	up := touch.NewButton("", widget.MediumImportance, page(-1))
	up.Icon = theme.MoveUpIcon()
	down := touch.NewButton("", widget.MediumImportance, page(1))
	down.Icon = theme.MoveDownIcon()
	keys := container.NewGridWithRows(2, up, down)
	return container.NewBorder(nil, nil, nil, keys, l)
}
