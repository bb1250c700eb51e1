package staff

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// picker is a list staff choose an item from: a record, a returned
// record, a volunteer. The screen reads the station again every few
// seconds and the list moves (new records come first); the choice stays
// with its item, found by key, and goes when the item does.
type picker[T any] struct {
	list      *widget.List
	items     []T
	key       func(T) string
	sel       string // the chosen item's key; "" for none
	selIdx    int
	selecting bool // the screen, not staff, is choosing

	chose   func(changed bool) // an item was chosen; changed: another than before
	cleared func()             // the chosen item left the list
}

// newPicker builds the list of rows (listRow, fullRow); draw says what an
// item's row shows. chose
// and cleared are called on Fyne's goroutine; set them before the first
// set.
func newPicker[T any](s *Screen, rows func() fyne.CanvasObject, key func(T) string, draw func(T) rowText) *picker[T] {
	p := &picker[T]{key: key, selIdx: -1, chose: func(bool) {}, cleared: func() {}}
	p.list = widget.NewList(func() int { return len(p.items) }, rows, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(p.items) {
			o.(*row).set(draw(p.items[id]))
		}
	})
	p.list.OnSelected = func(id widget.ListItemID) {
		if !p.selecting {
			s.st.TouchStaff()
		}
		if id < 0 || id >= len(p.items) {
			return
		}
		k := key(p.items[id])
		changed := k != p.sel
		p.sel, p.selIdx = k, id
		p.chose(changed)
	}
	return p
}

// set shows items, keeping the choice on its item.
func (p *picker[T]) set(items []T) {
	p.items = items
	p.list.Refresh()
	idx := slices.IndexFunc(items, func(it T) bool { return p.key(it) == p.sel })
	if p.sel == "" || idx == p.selIdx {
		return
	}
	p.selecting = true
	defer func() { p.selecting = false }()
	if idx < 0 {
		p.list.UnselectAll()
		p.sel, p.selIdx = "", -1
		p.cleared()
		return
	}
	p.list.Select(idx)
}

// chosen returns the chosen item, if it is still on the list.
func (p *picker[T]) chosen() (T, bool) {
	if i := slices.IndexFunc(p.items, func(it T) bool { return p.key(it) == p.sel }); p.sel != "" && i >= 0 {
		return p.items[i], true
	}
	var zero T
	return zero, false
}

// showIf shows o when cond holds and hides it otherwise: a list's "nothing
// here" line.
func showIf(o fyne.CanvasObject, cond bool) {
	if cond {
		o.Show()
	} else {
		o.Hide()
	}
}
