package kiosk

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// The layouts here use the kiosk's own gap rather than the theme's
// padding, and each gives every object at least its least size at
// every window size the kiosk is made for (800×480 up to 1920×1080, and
// portrait); TestLayoutFits holds them to it.

// column gives its first and last objects their least height and the
// middle ones the rest, shared equally, all at full width: a screen's
// header, body and footer.
type column struct{}

func (column) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) == 0 {
		return
	}
	fixed := objs[0].MinSize().Height
	if len(objs) > 1 {
		fixed += objs[len(objs)-1].MinSize().Height
	}
	mid := max(len(objs)-2, 0)
	spare := size.Height - fixed - float32(len(objs)-1)*gap
	y := float32(0)
	for i, o := range objs {
		h := o.MinSize().Height
		if i > 0 && i < len(objs)-1 {
			// Never negative, even in a window too small for the screen:
			// a painter cannot draw a negative height.
			h = max(spare/float32(mid), 0)
		}
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + gap
	}
}

func (column) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
	}
	s.Height += float32(max(len(objs)-1, 0)) * gap
	return s
}

// row shares its width equally among its objects, at their greatest
// least height.
type row struct{}

func (row) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := (size.Width - float32(len(objs)-1)*gap) / float32(len(objs))
	for i, o := range objs {
		o.Move(fyne.NewPos(float32(i)*(w+gap), 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

func (row) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height = max(s.Height, m.Height)
	}
	s.Width = s.Width*float32(len(objs)) + float32(max(len(objs)-1, 0))*gap
	return s
}

// hrow lays its objects side by side at their least widths, with the
// kiosk's gap, at full height.
type hrow struct{}

func (hrow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for _, o := range objs {
		w := o.MinSize().Width
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + gap
	}
}

func (hrow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width += m.Width
		s.Height = max(s.Height, m.Height)
	}
	s.Width += float32(max(len(objs)-1, 0)) * gap
	return s
}

// ends lays its first object across what its second, at its least width
// on the right, leaves, with the kiosk's gap between; unlike Fyne's
// border layout it adds no padding of the theme's, which the text was
// wrapped without.
type ends struct{}

func (ends) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	a, b := objs[0], objs[1]
	bw := b.MinSize().Width
	a.Move(fyne.NewPos(0, 0))
	a.Resize(fyne.NewSize(max(size.Width-bw-gap, 0), size.Height))
	b.Move(fyne.NewPos(size.Width-bw, 0))
	b.Resize(fyne.NewSize(bw, size.Height))
}

func (ends) MinSize(objs []fyne.CanvasObject) fyne.Size {
	am, bm := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(am.Width+gap+bm.Width, max(am.Height, bm.Height))
}

// split puts its two objects side by side in a landscape space, the
// second (a keypad) on the right, and one above the other in a portrait
// one, the second below. The second takes share of the space, or what
// it needs, whichever is more. Its least size is the side-by-side one:
// a portrait window is the narrower, and every window the kiosk is made
// for is at least 800 wide.
type split struct{ share float32 }

func (s split) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	a, b := objs[0], objs[1]
	am, bm := a.MinSize(), b.MinSize()
	if size.Width >= size.Height {
		w := min(max(size.Width*s.share, bm.Width), size.Width-am.Width-gap)
		a.Move(fyne.NewPos(0, 0))
		a.Resize(fyne.NewSize(size.Width-w-gap, size.Height))
		b.Move(fyne.NewPos(size.Width-w, 0))
		b.Resize(fyne.NewSize(w, size.Height))
		return
	}
	h := min(max(size.Height*s.share, bm.Height), size.Height-am.Height-gap)
	a.Move(fyne.NewPos(0, 0))
	a.Resize(fyne.NewSize(size.Width, size.Height-h-gap))
	b.Move(fyne.NewPos(0, size.Height-h))
	b.Resize(fyne.NewSize(size.Width, h))
}

func (split) MinSize(objs []fyne.CanvasObject) fyne.Size {
	am, bm := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(am.Width+gap+bm.Width, max(am.Height, bm.Height))
}

// stack puts its first object above its second, the second (a keyboard)
// taking share of the height or what it needs, whichever is more.
type stack struct{ share float32 }

func (s stack) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	a, b := objs[0], objs[1]
	h := min(max(size.Height*s.share, b.MinSize().Height), size.Height-a.MinSize().Height-gap)
	a.Move(fyne.NewPos(0, 0))
	a.Resize(fyne.NewSize(size.Width, size.Height-h-gap))
	b.Move(fyne.NewPos(0, size.Height-h))
	b.Resize(fyne.NewSize(size.Width, h))
}

func (stack) MinSize(objs []fyne.CanvasObject) fyne.Size {
	am, bm := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(am.Width, bm.Width), am.Height+gap+bm.Height)
}

// atop puts its first object across the top at its least height and the
// second close under it in all the height left: the manual-name screen
// on a small panel in the large mode, where the keyboard's rows need
// every unit the kiosk's gap would take.
type atop struct{}

// atopGap is atop's gap: enough to tell the two apart.
const atopGap float32 = 4

func (atop) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	a, b := objs[0], objs[1]
	h := a.MinSize().Height
	a.Move(fyne.NewPos(0, 0))
	a.Resize(fyne.NewSize(size.Width, h))
	b.Move(fyne.NewPos(0, h+atopGap))
	b.Resize(fyne.NewSize(size.Width, max(size.Height-h-atopGap, 0)))
}

func (atop) MinSize(objs []fyne.CanvasObject) fyne.Size {
	am, bm := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(am.Width, bm.Width), am.Height+atopGap+bm.Height)
}

// tiles lays out equal tiles in as many columns as make them the most
// comfortably larger than they need to be: four across a landscape
// screen, two down a portrait one. Its least size is that of at most
// maxCols columns.
type tiles struct{ maxCols int }

func (t tiles) cell(objs []fyne.CanvasObject) fyne.Size {
	var c fyne.Size
	for _, o := range objs {
		c = c.Max(o.MinSize())
	}
	return c
}

func (t tiles) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	n := len(objs)
	if n == 0 {
		return
	}
	c := t.cell(objs)
	best, bestScore := 1, -1.0
	for cols := 1; cols <= n; cols++ {
		rows := (n + cols - 1) / cols
		w := (size.Width - float32(cols-1)*gap) / float32(cols)
		h := (size.Height - float32(rows-1)*gap) / float32(rows)
		score := math.Min(float64(w/c.Width), float64(h/c.Height))
		if score > bestScore {
			best, bestScore = cols, score
		}
	}
	rows := (n + best - 1) / best
	w := max((size.Width-float32(best-1)*gap)/float32(best), 0)
	// Each row its least height and an equal share of the rest: a row of
	// one-line labels gives room to a row whose labels wrap.
	need := t.rowHeights(objs, best)
	spare := size.Height - float32(rows-1)*gap
	for _, h := range need {
		spare -= h
	}
	y := float32(0)
	for r, h := range need {
		h = max(h+spare/float32(rows), 0)
		for c := 0; c < best && r*best+c < n; c++ {
			o := objs[r*best+c]
			o.Move(fyne.NewPos(float32(c)*(w+gap), y))
			o.Resize(fyne.NewSize(w, h))
		}
		y += h + gap
	}
}

// rowHeights is the least height of each row of cols tiles.
func (t tiles) rowHeights(objs []fyne.CanvasObject, cols int) []float32 {
	var hs []float32
	for i, o := range objs {
		if i%cols == 0 {
			hs = append(hs, 0)
		}
		hs[len(hs)-1] = max(hs[len(hs)-1], o.MinSize().Height)
	}
	return hs
}

// rowsAt is how many rows the tiles take at width, as many across as
// their least widths allow, and the rows' least height.
func (t tiles) rowsAt(objs []fyne.CanvasObject, width float32) (int, float32) {
	if len(objs) == 0 {
		return 0, 0
	}
	c := t.cell(objs)
	cols := max(min(int((width+gap)/(c.Width+gap)), t.maxCols, len(objs)), 1)
	hs := t.rowHeights(objs, cols)
	h := float32(len(hs)-1) * gap
	for _, rh := range hs {
		h += rh
	}
	return len(hs), h
}

func (t tiles) MinSize(objs []fyne.CanvasObject) fyne.Size {
	n := len(objs)
	if n == 0 {
		return fyne.Size{}
	}
	c := t.cell(objs)
	cols := min(n, t.maxCols)
	h := float32(0)
	for _, rh := range t.rowHeights(objs, cols) {
		h += rh
	}
	rows := (n + cols - 1) / cols
	return fyne.NewSize(float32(cols)*c.Width+float32(cols-1)*gap, h+float32(rows-1)*gap)
}

// margin surrounds its objects with x and y units of space, or the
// screen's inset on every side when both are zero.
type margin struct{ x, y float32 }

func (m margin) sides() (x, y float32) {
	if m.x == 0 && m.y == 0 {
		return inset, inset
	}
	return m.x, m.y
}

func (m margin) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x, y := m.sides()
	for _, o := range objs {
		o.Move(fyne.NewPos(x, y))
		o.Resize(size.SubtractWidthHeight(2*x, 2*y))
	}
}

func (m margin) MinSize(objs []fyne.CanvasObject) fyne.Size {
	x, y := m.sides()
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s.AddWidthHeight(2*x, 2*y)
}

// middle centres o vertically at its least height, at full width.
type middle struct{}

func (middle) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, (size.Height-h)/2))
		o.Resize(fyne.NewSize(size.Width, h))
	}
}

func (middle) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// lines stacks objects at their least heights, full width, with a gap.
func lines(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&vbox{}, objs...)
}

// vbox is Fyne's VBox with the kiosk's gap, skipping hidden objects.
type vbox struct{}

func (vbox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + gap
	}
}

func (vbox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
		n++
	}
	s.Height += float32(max(n-1, 0)) * gap
	return s
}
