// Package pad is the handwriting pad for names (手写): a square surface a
// resident writes one character on with a finger, the recognizer's
// candidates beside it, likeliest first, and keys to undo the last stroke
// or clear the surface. Tapping a candidate hands it to OnPick and clears
// the surface for the next character.
//
// The pad knows nothing of the field it writes into, of the appliance or
// of any device: the screen that shows it owns the name being written.
// Every key is at least the target size square (TargetSize, 15 mm on the
// 7-inch panel; the screen sets a larger one in its large mode), and the
// surface at least four targets wide.
package pad

import (
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui/handwriting"
)

// TargetSize is the least width and height of a key, in Fyne units: on
// the kiosk's 7-inch 800×480 panel (133 pixels to the inch) at scale 1, 80
// units are 15.2 mm.
const TargetSize float32 = 80

// Candidates is how many candidates the pad shows: two columns of three
// beside the surface.
const Candidates = 6

// surfaceTargets is the surface's least side, in targets.
const surfaceTargets = 4

// Recognizer ranks the characters ink may be; *handwriting.Model is one.
type Recognizer interface {
	Recognize(ink handwriting.Ink, n int) ([]handwriting.Candidate, error)
}

// Pad is the handwriting pad widget. Make it with New; use it, like every
// Fyne widget, from the UI goroutine only.
type Pad struct {
	widget.BaseWidget

	// OnPick is called with the candidate a resident tapped.
	OnPick func(char string)

	rec     Recognizer
	target  float32
	surface *surface
	cands   [Candidates]*key
	undo    *key
	clear   *key
}

// New returns a pad that asks rec for its candidates.
func New(rec Recognizer) *Pad {
	p := &Pad{rec: rec, target: TargetSize}
	p.surface = newSurface(p.recognize)
	for i := range p.cands {
		p.cands[i] = newKey("", "", candidateText, func() { p.pick(i) })
	}
	p.undo = newKey("撤销", "Undo", labelText, p.Undo)
	p.clear = newKey("重写", "Clear", labelText, p.Clear)
	p.ExtendBaseWidget(p)
	p.SetTargetSize(TargetSize)
	p.show(nil)
	return p
}

// SetTargetSize sets the least side of a key, in Fyne units: the screen
// passes the size its mode wants (18 mm in the large mode, say).
func (p *Pad) SetTargetSize(units float32) {
	p.target = max(units, 1)
	for _, k := range p.keys() {
		k.min = p.target
	}
	p.Refresh()
}

func (p *Pad) keys() []*key { return append(p.cands[:], p.undo, p.clear) }

// Ink is what is written on the surface now, on a unit square.
func (p *Pad) Ink() handwriting.Ink { return p.surface.ink() }

// Candidates is what the candidate keys show, likeliest first.
func (p *Pad) Candidates() []string {
	var out []string
	for _, k := range p.cands {
		if k.label != "" {
			out = append(out, k.label)
		}
	}
	return out
}

// Undo takes back the last stroke.
func (p *Pad) Undo() {
	p.surface.undo()
	p.recognize()
}

// Clear wipes the surface and the candidates.
func (p *Pad) Clear() {
	p.surface.clear()
	p.show(nil)
}

func (p *Pad) pick(i int) {
	c := p.cands[i].label
	if c == "" {
		return
	}
	p.Clear()
	if p.OnPick != nil {
		p.OnPick(c)
	}
}

// recognize ranks what is written. It runs on the UI goroutine, at the end
// of a stroke: a recognition takes a few milliseconds (about 2 on a 2 GHz
// x86 core, the benchmark says), less than a frame, and doing it in place
// keeps the candidates in step with the strokes without locking.
func (p *Pad) recognize() {
	ink := p.surface.ink()
	if len(ink.Strokes) == 0 {
		p.show(nil)
		return
	}
	cands, err := p.rec.Recognize(ink, Candidates)
	if err != nil {
		// The surface makes only ink the recognizer takes; this is a bug,
		// and the resident can still clear and write again.
		slog.Error("handwriting pad: recognize", "strokes", len(ink.Strokes), "err", err)
		cands = nil
	}
	p.show(cands)
}

func (p *Pad) show(cands []handwriting.Candidate) {
	for i, k := range p.cands {
		label := ""
		if i < len(cands) {
			label = cands[i].Char
		}
		k.set(label, i == 0 && label != "", label == "")
	}
	empty := p.surface.empty()
	p.undo.set(p.undo.label, false, empty)
	p.clear.set(p.clear.label, false, empty)
}

// CreateRenderer implements fyne.Widget.
func (p *Pad) CreateRenderer() fyne.WidgetRenderer {
	objs := []fyne.CanvasObject{p.surface}
	for _, k := range p.keys() {
		objs = append(objs, k)
	}
	return &padRenderer{p: p, objs: objs}
}

type padRenderer struct {
	p    *Pad
	objs []fyne.CanvasObject
}

func (r *padRenderer) Destroy()                     {}
func (r *padRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *padRenderer) Refresh() {
	r.Layout(r.p.Size())
	for _, o := range r.objs {
		o.Refresh()
	}
}

// MinSize: the surface, then two columns of keys, as tall as the surface.
func (r *padRenderer) MinSize() fyne.Size {
	t := r.p.target
	side := surfaceTargets * t
	return fyne.NewSize(side+2*t, side)
}

// Layout gives the surface the largest square that leaves two key columns
// beside it, and shares the rest of the height among the key rows.
func (r *padRenderer) Layout(size fyne.Size) {
	p, t := r.p, r.p.target
	rows := float32(Candidates/2 + 1)
	side := max(min(size.Height, size.Width-2*t), surfaceTargets*t)
	p.surface.Move(fyne.NewPos(0, 0))
	p.surface.Resize(fyne.NewSquareSize(side))
	kw := max((size.Width-side)/2, t)
	kh := max(size.Height/rows, t)
	place := func(k *key, col, row int) {
		k.Move(fyne.NewPos(side+float32(col)*kw, float32(row)*kh))
		k.Resize(fyne.NewSize(kw, kh))
	}
	for i, k := range p.cands {
		place(k, i%2, i/2)
	}
	place(p.undo, 0, Candidates/2)
	place(p.clear, 1, Candidates/2)
}
