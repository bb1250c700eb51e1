package pad

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui/handwriting"
)

// penWidth is a stroke's width on the surface, in Fyne units: about a
// fingertip's trace at 1.1 mm on the 7-inch panel.
const penWidth float32 = 6

// surface is where the strokes are written: a square with the 米字格
// guides a Chinese exercise book has, so a resident writes the character
// large and centred, which is how the model was trained.
type surface struct {
	widget.BaseWidget
	// strokes are on the unit square, so a resize does not move them.
	strokes  [][]handwriting.Point
	drawing  bool // a drag is under way: the last stroke is open
	onStroke func()
}

func newSurface(onStroke func()) *surface {
	s := &surface{onStroke: onStroke}
	s.ExtendBaseWidget(s)
	return s
}

func (s *surface) ink() handwriting.Ink {
	strokes := make([][]handwriting.Point, len(s.strokes))
	for i, st := range s.strokes {
		strokes[i] = append([]handwriting.Point(nil), st...)
	}
	return handwriting.Ink{Width: 1, Height: 1, Strokes: strokes}
}

func (s *surface) empty() bool { return len(s.strokes) == 0 }

// at is a position on the surface as a point of the unit square, kept
// inside it: a finger that slides off the edge keeps writing along it.
func (s *surface) at(pos fyne.Position) handwriting.Point {
	size := s.Size()
	if size.Width <= 0 || size.Height <= 0 {
		return handwriting.Point{}
	}
	clamp := func(v float32) float32 { return min(max(v, 0), 1) }
	return handwriting.Point{X: clamp(pos.X / size.Width), Y: clamp(pos.Y / size.Height)}
}

// Dragged implements fyne.Draggable. A drag's first event comes once the
// finger has moved a little: it starts where the finger went down, the
// event's position less its move.
func (s *surface) Dragged(e *fyne.DragEvent) {
	if !s.drawing {
		start := e.Position.Subtract(e.Dragged)
		s.strokes = append(s.strokes, []handwriting.Point{s.at(start)})
		s.drawing = true
	}
	last := &s.strokes[len(s.strokes)-1]
	*last = append(*last, s.at(e.Position))
	s.Refresh()
}

// DragEnd implements fyne.Draggable: the finger lifted, the stroke is
// done.
func (s *surface) DragEnd() {
	if !s.drawing {
		return
	}
	s.drawing = false
	s.onStroke()
}

// Tapped implements fyne.Tappable: a dot (丶) written as a tap is a
// stroke of one point.
func (s *surface) Tapped(e *fyne.PointEvent) {
	s.strokes = append(s.strokes, []handwriting.Point{s.at(e.Position)})
	s.Refresh()
	s.onStroke()
}

func (s *surface) undo() {
	if len(s.strokes) > 0 {
		s.strokes = s.strokes[:len(s.strokes)-1]
		s.drawing = false
		s.Refresh()
	}
}

func (s *surface) clear() {
	s.strokes, s.drawing = nil, false
	s.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (s *surface) CreateRenderer() fyne.WidgetRenderer {
	r := &surfaceRenderer{s: s, paper: canvas.NewRectangle(paperColour)}
	r.paper.StrokeColor, r.paper.StrokeWidth = edgeColour, 2
	for range 4 {
		g := canvas.NewLine(guideColour)
		g.StrokeWidth = 1
		r.guides = append(r.guides, g)
	}
	return r
}

type surfaceRenderer struct {
	s      *surface
	paper  *canvas.Rectangle
	guides []*canvas.Line // the 米字格: across, down, and both diagonals
	ink    []*canvas.Line // one a segment, reused as strokes come and go
	shown  int            // how many of ink are in use
}

func (r *surfaceRenderer) Destroy()           {}
func (r *surfaceRenderer) MinSize() fyne.Size { return fyne.NewSquareSize(surfaceTargets * TargetSize) }

func (r *surfaceRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.paper}
	for _, g := range r.guides {
		objs = append(objs, g)
	}
	for _, l := range r.ink[:r.shown] {
		objs = append(objs, l)
	}
	return objs
}

func (r *surfaceRenderer) Layout(size fyne.Size) {
	r.paper.Resize(size)
	w, h := size.Width, size.Height
	ends := [][4]float32{{0, h / 2, w, h / 2}, {w / 2, 0, w / 2, h}, {0, 0, w, h}, {w, 0, 0, h}}
	for i, g := range r.guides {
		g.Position1, g.Position2 = fyne.NewPos(ends[i][0], ends[i][1]), fyne.NewPos(ends[i][2], ends[i][3])
	}
	r.layoutInk(size)
}

// layoutInk draws each stroke as segments between its points, a dot as a
// segment of its own width.
func (r *surfaceRenderer) layoutInk(size fyne.Size) {
	pos := func(p handwriting.Point) fyne.Position {
		return fyne.NewPos(p.X*size.Width, p.Y*size.Height)
	}
	n := 0
	next := func() *canvas.Line {
		if n == len(r.ink) {
			l := canvas.NewLine(inkColour)
			l.StrokeWidth = penWidth
			r.ink = append(r.ink, l)
		}
		n++
		return r.ink[n-1]
	}
	for _, st := range r.s.strokes {
		if len(st) == 1 {
			l := next()
			l.Position1 = pos(st[0]).SubtractXY(penWidth/2, 0)
			l.Position2 = pos(st[0]).AddXY(penWidth/2, 0)
			continue
		}
		for i := 1; i < len(st); i++ {
			l := next()
			l.Position1, l.Position2 = pos(st[i-1]), pos(st[i])
		}
	}
	r.shown = n
}

func (r *surfaceRenderer) Refresh() {
	r.Layout(r.s.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}
