package keyboard

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// NumericKeypad is a keypad of the digits, an optional extra key such as
// the X that ends some ID numbers, 删除 (delete) and 确认 (OK):
//
//	1 2 3 删除
//	4 5 6 删除
//	7 8 9 确认
//	X 0 0 确认
//
// Its callbacks run on Fyne's goroutine; set them before showing it.
type NumericKeypad struct {
	widget.BaseWidget

	// OnKey receives each digit or extra character tapped.
	OnKey func(r rune)
	// OnBackspace is called when 删除 is tapped.
	OnBackspace func()
	// OnDone is called when 确认 is tapped.
	OnDone func()

	sz      Sizes
	keys    map[rune]*key // the digits and the extra key
	back    *key
	done    *key
	content fyne.CanvasObject
}

// NewNumericKeypad returns a keypad. extra is the character of the extra
// key beside 0, or 0 for none, in which case 0 takes its place.
func NewNumericKeypad(extra rune) *NumericKeypad {
	p := &NumericKeypad{keys: map[rune]*key{}, sz: DefaultSizes()}
	p.ExtendBaseWidget(p)
	g := &grid{cols: 4, rows: 4, sz: &p.sz}
	var objs []fyne.CanvasObject
	add := func(k *key, c cell) {
		objs = append(objs, k)
		g.cells = append(g.cells, c)
	}
	for i, r := range "123456789" {
		add(p.digit(r), cell{col: i % 3, row: i / 3, cols: 1, rows: 1})
	}
	if extra != 0 {
		add(p.digit(extra), cell{col: 0, row: 3, cols: 1, rows: 1})
		add(p.digit('0'), cell{col: 1, row: 3, cols: 2, rows: 1})
	} else {
		add(p.digit('0'), cell{col: 0, row: 3, cols: 3, rows: 1})
	}
	p.back = newKey(&p.sz, "删除", "Delete", roleLabel, function, func() { call(p.OnBackspace) })
	p.back.icon = iconBackspace
	add(p.back, cell{col: 3, row: 0, cols: 1, rows: 2})
	p.done = newKey(&p.sz, "确认", "OK", roleLabel, confirm, func() { call(p.OnDone) })
	p.done.icon = iconConfirm
	add(p.done, cell{col: 3, row: 2, cols: 1, rows: 2})

	p.content = container.NewStack(canvas.NewRectangle(backplate), container.New(g, objs...))
	return p
}

func (p *NumericKeypad) digit(r rune) *key {
	k := newKey(&p.sz, string(r), "", roleDigit, plain, func() {
		if p.OnKey != nil {
			p.OnKey(r)
		}
	})
	p.keys[r] = k
	return k
}

// SetSizes sizes the keys and their type; call it before showing the
// keypad, or Refresh after.
func (p *NumericKeypad) SetSizes(s Sizes) { p.sz = s }

// CreateRenderer implements fyne.Widget.
func (p *NumericKeypad) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(p.content)
}

// call calls f if it is set.
func call(f func()) {
	if f != nil {
		f()
	}
}
