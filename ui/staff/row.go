package staff

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// row is a list row as tall as a touch target: a title with a tag, a line
// beneath cut short with an ellipsis when it does not fit, and a state at
// the right. Two short lines fit the narrow list of the 800×480 panel.
//
// A full row (the day's records) has the state on the title's line and
// two lines beneath across the whole width, never cut short: the kind and
// whose record it is, and its matter.
type row struct {
	widget.BaseWidget
	title, tag, state *canvas.Text
	sub, more         *widget.Label
	full              bool
}

func newRow() *row {
	r := &row{
		title: touch.NewText("", 24, touch.Ink, true),
		tag:   touch.NewText("", 21, touch.Red, true),
		state: touch.NewText("", 22, touch.Ink, true),
		sub:   widget.NewLabel(""),
		more:  widget.NewLabel(""),
	}
	r.sub.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

func newFullRow() *row {
	r := newRow()
	r.sub.Truncation = fyne.TextTruncateOff
	r.full = true
	return r
}

func (r *row) CreateRenderer() fyne.WidgetRenderer {
	head := container.NewHBox(r.title, r.tag)
	if r.full {
		top := container.NewBorder(nil, nil, nil, container.NewCenter(r.state), head)
		return widget.NewSimpleRenderer(container.NewVBox(top, r.sub, r.more))
	}
	lines := container.NewVBox(head, r.sub)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, container.NewCenter(r.state), lines))
}

func (r *row) MinSize() fyne.Size {
	return r.BaseWidget.MinSize().Max(fyne.NewSize(touch.Size, touch.Size))
}

// rowText is what a row shows.
type rowText struct {
	title, tag, sub, state string
	more                   string      // a full row's third line
	tagColour, stateColour color.Color // default red and ink
}

func (r *row) set(t rowText) {
	r.title.Text, r.tag.Text, r.state.Text, r.sub.Text, r.more.Text = t.title, t.tag, t.state, t.sub, t.more
	r.tag.Color, r.state.Color = touch.Red, touch.Ink
	if t.tagColour != nil {
		r.tag.Color = t.tagColour
	}
	if t.stateColour != nil {
		r.state.Color = t.stateColour
	}
	r.Refresh()
}

// listRow makes a row for a widget.List.
func listRow() fyne.CanvasObject { return newRow() }

// fullRow makes a full row for a widget.List.
func fullRow() fyne.CanvasObject { return newFullRow() }
