package pad

import (
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
	"github.com/gridkiosk/gridkiosk/ui/handwriting"
)

// cjkTheme is Fyne's test theme drawing text in the kiosk's bundled CJK
// font, as ui.Theme does.
type cjkTheme struct {
	fyne.Theme
	font fyne.Resource
}

func (t cjkTheme) Font(fyne.TextStyle) fyne.Resource { return t.font }

// TestMain makes one test app: each makes Fyne parse the 4 MB font again.
func TestMain(m *testing.M) {
	test.NewApp().Settings().SetTheme(cjkTheme{
		Theme: test.Theme(),
		font:  fyne.NewStaticResource(fonts.CJKName, fonts.CJK()),
	})
	os.Exit(m.Run())
}

// openModel reads Debian's Zinnia model once for all the tests.
var openModel = sync.OnceValues(func() (*handwriting.Model, error) {
	return handwriting.Open(handwriting.DefaultModelPath)
})

// realModel is Debian's model; without it the test skips, or fails under
// make (GRIDKIOSK_HANDWRITING_DATA=required).
func realModel(t *testing.T) *handwriting.Model {
	t.Helper()
	m, err := openModel()
	if err != nil {
		if os.Getenv("GRIDKIOSK_HANDWRITING_DATA") == "required" {
			t.Fatal(err)
		}
		t.Skipf("Debian's handwriting model (tegaki-zinnia-simplified-chinese, which .ci/deps.sh installs): %v", err)
	}
	return m
}

// recorder is a recognizer that remembers what it was asked and answers
// one candidate per stroke: "1", "2", ...
type recorder struct{ inks []handwriting.Ink }

func (r *recorder) Recognize(ink handwriting.Ink, n int) ([]handwriting.Candidate, error) {
	r.inks = append(r.inks, ink)
	var out []handwriting.Candidate
	for i := range min(n, len(ink.Strokes)) {
		out = append(out, handwriting.Candidate{Char: string(rune('1' + i)), Score: float32(-i)})
	}
	return out, nil
}

// show puts p alone in a window of size, without padding, so the surface
// starts at the window's origin.
func show(t *testing.T, p *Pad, size fyne.Size) fyne.Window {
	t.Helper()
	w := test.NewTempWindow(t, p)
	w.SetPadded(false)
	w.Resize(size)
	return w
}

// write drags a finger through pts on the surface as the driver reports
// it: each event the position reached and the move since the last, then
// the lift.
func write(s *surface, pts ...fyne.Position) {
	for i := 1; i < len(pts); i++ {
		s.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: pts[i]}, Dragged: fyne.NewDelta(pts[i].X-pts[i-1].X, pts[i].Y-pts[i-1].Y)})
	}
	s.DragEnd()
}

func TestWriteOneAndPickIt(t *testing.T) {
	p := New(realModel(t))
	var picked []string
	p.OnPick = func(c string) { picked = append(picked, c) }
	w := show(t, p, fyne.NewSize(560, 320))
	// One stroke across the middle of the 320-unit surface, through the
	// driver: one drag event where the finger is, with how far it came.
	test.Drag(w.Canvas(), fyne.NewPos(260, 160), 200, 0)
	if got := p.Candidates(); len(got) != Candidates || got[0] != "一" {
		t.Fatalf("candidates %v, want 一 first of %d", got, Candidates)
	}
	if !p.cands[0].best || p.undo.off || p.clear.off {
		t.Error("after a stroke: first candidate not marked, or undo and clear off")
	}
	test.Tap(p.cands[0])
	if !slices.Equal(picked, []string{"一"}) {
		t.Fatalf("picked %v, want [一]", picked)
	}
	if len(p.Ink().Strokes) != 0 || len(p.Candidates()) != 0 || !p.undo.off || !p.clear.off {
		t.Errorf("after a pick: %d strokes, candidates %v, undo off %v, clear off %v; want a clean pad",
			len(p.Ink().Strokes), p.Candidates(), p.undo.off, p.clear.off)
	}
}

func TestWriteCharacters(t *testing.T) {
	m := realModel(t)
	// Written on the 320-unit surface in the standard stroke order.
	for _, tc := range []struct {
		char    string
		strokes [][]fyne.Position
	}{
		{"十", [][]fyne.Position{
			{{X: 40, Y: 150}, {X: 120, Y: 152}, {X: 200, Y: 150}, {X: 280, Y: 148}},
			{{X: 160, Y: 40}, {X: 161, Y: 120}, {X: 160, Y: 200}, {X: 160, Y: 285}},
		}},
		{"人", [][]fyne.Position{
			{{X: 165, Y: 40}, {X: 160, Y: 120}, {X: 130, Y: 200}, {X: 60, Y: 280}},
			{{X: 160, Y: 140}, {X: 200, Y: 210}, {X: 280, Y: 280}},
		}},
		{"口", [][]fyne.Position{
			{{X: 80, Y: 80}, {X: 80, Y: 160}, {X: 82, Y: 250}},
			{{X: 80, Y: 80}, {X: 240, Y: 80}, {X: 238, Y: 160}, {X: 240, Y: 250}},
			{{X: 82, Y: 250}, {X: 240, Y: 250}},
		}},
	} {
		t.Run(tc.char, func(t *testing.T) {
			p := New(m)
			show(t, p, fyne.NewSize(560, 320))
			for _, s := range tc.strokes {
				write(p.surface, s...)
			}
			if got := p.Candidates(); !slices.Contains(got, tc.char) {
				t.Errorf("candidates %v, want %s among them", got, tc.char)
			}
		})
	}
}

func TestStrokesFromDrags(t *testing.T) {
	rec := &recorder{}
	p := New(rec)
	show(t, p, fyne.NewSize(560, 320))
	// The first event is reported 8 units after the finger went down at
	// (32, 64); the stroke slides off the surface's left edge.
	write(p.surface, fyne.NewPos(24, 64), fyne.NewPos(32, 64), fyne.NewPos(-40, 96))
	test.TapAt(p.surface, fyne.NewPos(160, 160)) // a dot, at the surface's centre
	got := p.Ink()
	want := [][]handwriting.Point{{{X: 0.075, Y: 0.2}, {X: 0.1, Y: 0.2}, {X: 0, Y: 0.3}}, {{X: 0.5, Y: 0.5}}}
	if got.Width != 1 || got.Height != 1 || len(got.Strokes) != len(want) {
		t.Fatalf("ink %+v, want %v on the unit square", got, want)
	}
	for i := range want {
		if len(got.Strokes[i]) != len(want[i]) {
			t.Fatalf("stroke %d: %v, want %v", i+1, got.Strokes[i], want[i])
		}
		for j := range want[i] {
			g, w := got.Strokes[i][j], want[i][j]
			if math.Abs(float64(g.X-w.X)) > 1e-6 || math.Abs(float64(g.Y-w.Y)) > 1e-6 {
				t.Errorf("stroke %d point %d: %v, want %v", i+1, j+1, g, w)
			}
		}
	}
	if len(rec.inks) != 2 || len(rec.inks[0].Strokes) != 1 || len(rec.inks[1].Strokes) != 2 {
		t.Errorf("recognized %d times; want once a stroke, with the strokes so far", len(rec.inks))
	}
	// What the recognizer was given is a copy: writing on does not change
	// an ink it kept.
	write(p.surface, fyne.NewPos(100, 100), fyne.NewPos(120, 120))
	if len(rec.inks[1].Strokes) != 2 || len(rec.inks[1].Strokes[0]) != 3 {
		t.Errorf("an ink handed out changed: %v", rec.inks[1].Strokes)
	}
}

func TestUndoAndClear(t *testing.T) {
	rec := &recorder{}
	p := New(rec)
	show(t, p, fyne.NewSize(560, 320))
	if !p.undo.off || !p.clear.off {
		t.Fatal("an empty pad offers undo or clear")
	}
	for i := range 3 {
		f := float32(40 + 60*i)
		write(p.surface, fyne.NewPos(f, 40), fyne.NewPos(f, 200))
	}
	if got := p.Candidates(); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Fatalf("after 3 strokes: %v", got)
	}
	test.Tap(p.undo)
	if n := len(p.Ink().Strokes); n != 2 || !slices.Equal(p.Candidates(), []string{"1", "2"}) {
		t.Fatalf("after undo: %d strokes, candidates %v; want 2 and [1 2]", n, p.Candidates())
	}
	if last := rec.inks[len(rec.inks)-1]; len(last.Strokes) != 2 {
		t.Errorf("undo recognized %d strokes, want 2", len(last.Strokes))
	}
	test.Tap(p.clear)
	if len(p.Ink().Strokes) != 0 || len(p.Candidates()) != 0 || !p.undo.off {
		t.Errorf("after clear: %v, candidates %v", p.Ink().Strokes, p.Candidates())
	}
	test.Tap(p.undo) // off: nothing happens
	test.Tap(p.cands[0])
	if len(p.Ink().Strokes) != 0 {
		t.Error("a tap on an off key did something")
	}
}

// TestTargets lays the pad out at its least size and on whole panels, at
// the normal and a large target size, and wants every key at least the
// target square, the surface at least four targets, and nothing
// overlapping.
func TestTargets(t *testing.T) {
	for _, target := range []float32{TargetSize, 95} {
		p := New(&recorder{})
		p.SetTargetSize(target)
		for _, size := range []fyne.Size{p.MinSize(), fyne.NewSize(800, 400), fyne.NewSize(1280, 640)} {
			show(t, p, size)
			s := p.surface
			if s.Size().Width < surfaceTargets*target || s.Size().Width != s.Size().Height {
				t.Errorf("target %v, pad %v: surface %v, want a square of %v at least", target, size, s.Size(), surfaceTargets*target)
			}
			for i, k := range p.keys() {
				if k.Size().Width < target || k.Size().Height < target {
					t.Errorf("target %v, pad %v: key %d is %v", target, size, i, k.Size())
				}
				if k.Position().X < s.Position().X+s.Size().Width {
					t.Errorf("target %v, pad %v: key %d at %v overlaps the surface", target, size, i, k.Position())
				}
				for j, o := range p.keys()[:i] {
					if overlap(k, o) {
						t.Errorf("target %v, pad %v: keys %d and %d overlap", target, size, i, j)
					}
				}
				if r := k.Position().AddXY(k.Size().Width, k.Size().Height); r.X > size.Width+0.5 || r.Y > size.Height+0.5 {
					t.Errorf("target %v, pad %v: key %d ends at %v, off the pad", target, size, i, r)
				}
			}
		}
	}
}

func overlap(a, b fyne.CanvasObject) bool {
	ap, as, bp, bs := a.Position(), a.Size(), b.Position(), b.Size()
	return ap.X < bp.X+bs.Width && bp.X < ap.X+as.Width && ap.Y < bp.Y+bs.Height && bp.Y < ap.Y+as.Height
}

// TestContrast checks each key's text on its face, 4.5:1 at least, the
// disabled keys' too (before anything is written, 撤销 and 重写 are), and
// the ink and guides on the surface's paper.
func TestContrast(t *testing.T) {
	p := New(&recorder{})
	show(t, p, fyne.NewSize(560, 320))
	off := 0
	check := func(when string) {
		for i, k := range p.keys() {
			r := test.WidgetRenderer(k).(*keyRenderer)
			if k.off {
				off++
			}
			if c := contrast(r.label.Color, r.face.FillColor); c < 4.5 {
				t.Errorf("%s: key %d (%q, off %v): contrast %.2f, want 4.5", when, i, k.label, k.off, c)
			}
		}
	}
	check("nothing written")
	if off == 0 {
		t.Error("no key is disabled before anything is written: the disabled look is not checked")
	}
	write(p.surface, fyne.NewPos(40, 40), fyne.NewPos(200, 200))
	check("a stroke written")
	if c := contrast(inkColour, paperColour); c < 4.5 {
		t.Errorf("ink on the surface: %.2f", c)
	}
	if c := contrast(guideColour, paperColour); c > 2 {
		t.Errorf("guides %.2f: as dark as writing", c)
	}
}

// contrast is WCAG 2's contrast ratio.
func contrast(a, b interface{ RGBA() (r, g, b, a uint32) }) float64 {
	lum := func(c interface{ RGBA() (r, g, b, a uint32) }) float64 {
		r, g, b, _ := c.RGBA()
		ch := func(v uint32) float64 {
			s := float64(v) / 0xffff
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestImports: the pad is a leaf of the screens, with no way to a device,
// the outbox or the appliance.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/gridkiosk/gridkiosk/"
	for _, pkg := range strings.Fields(string(out)) {
		rel, ours := strings.CutPrefix(pkg, mod)
		if !ours {
			continue
		}
		if strings.HasPrefix(rel, "sync/") || strings.HasPrefix(rel, "appliance") ||
			(strings.HasPrefix(rel, "drivers/") && rel != "drivers/fonts") {
			t.Errorf("pad imports %s", pkg)
		}
	}
}

// TestTypeGrowsWithTargets: the large mode's keys carry larger type, and
// no text is below 4 mm on the 7-inch panel (133 pixels to the inch) at
// the normal size.
func TestTypeGrowsWithTargets(t *testing.T) {
	const unitsPerMM = 133 / 25.4
	p := New(&recorder{})
	show(t, p, fyne.NewSize(560, 320))
	write(p.surface, fyne.NewPos(40, 40), fyne.NewPos(200, 200))
	sizes := func() (least, cand float32) {
		least = 1e9
		for _, k := range p.keys() {
			r := test.WidgetRenderer(k).(*keyRenderer)
			for _, tx := range []*canvas.Text{r.label, r.sub} {
				if tx.Text != "" {
					least = min(least, tx.TextSize)
				}
			}
		}
		return least, test.WidgetRenderer(p.cands[0]).(*keyRenderer).label.TextSize
	}
	least, cand := sizes()
	if least/unitsPerMM < 4 || cand/unitsPerMM < 8 {
		t.Errorf("at %v: smallest text %.1f mm, candidates %.1f mm; want 4 and 8 at least", TargetSize, least/unitsPerMM, cand/unitsPerMM)
	}
	p.SetTargetSize(2 * TargetSize)
	least2, cand2 := sizes()
	if least2 < 2*least-0.01 || cand2 < 2*cand-0.01 {
		t.Errorf("targets doubled, type from %v/%v to %v/%v", least, cand, least2, cand2)
	}
}
