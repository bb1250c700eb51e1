package keyboard

import "fyne.io/fyne/v2"

// cell is where a key sits in a grid: column, row, and how many of each it
// spans.
type cell struct{ col, row, cols, rows int }

// grid lays keys out on equal cells that share out all the space given, so
// that keys grow with the screen but never shrink below the key size.
type grid struct {
	cols, rows int
	cells      []cell // cells[i] places the container's i-th object
	sz         *Sizes // the keyboard's
}

// Layout implements fyne.Layout.
func (g *grid) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	w, h := size.Width/float32(g.cols), size.Height/float32(g.rows)
	for i, o := range objects {
		c := g.cells[i]
		o.Move(fyne.NewPos(float32(c.col)*w, float32(c.row)*h))
		o.Resize(fyne.NewSize(float32(c.cols)*w, float32(c.rows)*h))
	}
}

// MinSize implements fyne.Layout.
func (g *grid) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(float32(g.cols)*g.sz.Key, float32(g.rows)*g.sz.Key)
}

// topBar gives its first object the height it needs across the full width
// and the second everything below; unlike Fyne's border layout it leaves no
// padding, which would come out of the keys.
type topBar struct{}

// Layout implements fyne.Layout.
func (topBar) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	h := objects[0].MinSize().Height
	objects[0].Move(fyne.NewPos(0, 0))
	objects[0].Resize(fyne.NewSize(size.Width, h))
	objects[1].Move(fyne.NewPos(0, h))
	objects[1].Resize(fyne.NewSize(size.Width, size.Height-h))
}

// MinSize implements fyne.Layout.
func (topBar) MinSize(objects []fyne.CanvasObject) fyne.Size {
	a, b := objects[0].MinSize(), objects[1].MinSize()
	return fyne.NewSize(max(a.Width, b.Width), a.Height+b.Height)
}
