package kiosk

import (
	"errors"
	"os"
	"slices"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/ui/handwriting"
	"github.com/gridkiosk/gridkiosk/ui/handwriting/pad"
	vp "github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// handModel is Debian's handwriting model, read lazily as the kiosk
// reads it; without it the test skips, or fails under make
// (GRIDKIOSK_HANDWRITING_DATA=required), as ui/handwriting's tests do.
func handModel(t *testing.T) *handwriting.Lazy {
	t.Helper()
	if _, err := os.Stat(handwriting.DefaultModelPath); err != nil {
		if os.Getenv("GRIDKIOSK_HANDWRITING_DATA") == "required" {
			t.Fatal(err)
		}
		t.Skipf("Debian's handwriting model (tegaki-zinnia-simplified-chinese, which .ci/deps.sh installs): %v", err)
	}
	return handwriting.NewLazy(handwriting.DefaultModelPath, nil)
}

// findPad returns the handwriting pad on screen and its writing surface,
// or nils.
func (r *rig) findPad() (*pad.Pad, fyne.Draggable) {
	var p *pad.Pad
	var s fyne.Draggable
	walk(r.win.Content(), nil, func(o fyne.CanvasObject, _ fyne.Tappable) {
		switch x := o.(type) {
		case *pad.Pad:
			p = x
		case fyne.Draggable:
			if p != nil && s == nil {
				s = x
			}
		}
	})
	return p, s
}

// write draws strokes on the surface as the driver reports a finger:
// each drag event where the finger is and how far it came, then the
// lift. The strokes are given on a 320-unit square and drawn at the
// surface's size.
func write(s fyne.Draggable, strokes ...[]fyne.Position) {
	side := s.(fyne.CanvasObject).Size().Width / 320
	for _, st := range strokes {
		for i := 1; i < len(st); i++ {
			at, was := fyne.NewPos(st[i].X*side, st[i].Y*side), fyne.NewPos(st[i-1].X*side, st[i-1].Y*side)
			s.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: at}, Dragged: fyne.NewDelta(at.X-was.X, at.Y-was.Y)})
		}
		s.DragEnd()
	}
}

// shi is 十 in the standard stroke order.
var shi = [][]fyne.Position{
	{{X: 40, Y: 150}, {X: 120, Y: 152}, {X: 200, Y: 150}, {X: 280, Y: 148}},
	{{X: 160, Y: 40}, {X: 161, Y: 120}, {X: 160, Y: 200}, {X: 160, Y: 285}},
}

// A resident without their card writes their name by hand: the ID
// number typed, 手写 chosen on the name screen (the model read in the
// background meanwhile), 十 written on the pad with a finger, its
// candidate tapped: the name field has it, and 确认 starts the
// registration with it.
func TestHandwrittenName(t *testing.T) {
	lazy := handModel(t)
	r := newVoiceRig(t, rigOptions{noCard: true, app: func(o *Options) { o.Handwriting = lazy }})
	r.tap("刷身份证登记")
	r.tap("没带身份证？输入号码")
	r.tap("同意")
	r.keys(sampleID)
	r.tap("确认")
	if r.app.Screen() != scrManualName || !r.shows("手写") {
		t.Fatalf("after the number: %s %q", r.app.Screen(), texts(r.win.Content()))
	}
	r.tap("手写")
	r.loop.until(t, "the pad", func() bool { p, _ := r.findPad(); return p != nil })
	said := r.rec.Said()
	if last := said[len(said)-1]; !slices.Equal(last, ids(vp.ManualNameHand)) {
		t.Errorf("said %q on 手写, want its instruction", last)
	}
	p, surface := r.findPad()
	if surface == nil {
		t.Fatal("the pad has no writing surface")
	}
	if got := p.Size().Height; got < 4*pad.TargetSize {
		t.Errorf("the pad is %v high: want at least four targets for a finger", got)
	}
	write(surface, shi...)
	if !slices.Contains(p.Candidates(), "十") {
		t.Fatalf("十 written: candidates %q", p.Candidates())
	}
	r.tap("十")
	if string(r.app.f.name) != "十" || !r.shows("十") {
		t.Fatalf("after picking 十: name %q, screen %q", string(r.app.f.name), texts(r.win.Content()))
	}
	if len(p.Candidates()) != 0 {
		t.Errorf("the pad keeps candidates %q after a pick", p.Candidates())
	}
	r.tap("删除")
	if len(r.app.f.name) != 0 {
		t.Errorf("删除 left %q", string(r.app.f.name))
	}
	write(surface, shi...)
	r.tap("十")
	r.tap("确认")
	r.loop.until(t, "the confirm screen", func() bool { return r.app.Screen() == scrConfirm })
	if v := r.st.Session(); v.Person == nil || v.Person.Name != "十" {
		t.Errorf("the station's session: %+v", v.Person)
	}
}

// fakeHand is a model whose read ends when the test says, with the
// error it says; it recognizes any ink as 王.
type fakeHand struct {
	ready   chan struct{}
	err     error
	started int
}

func (f *fakeHand) Start()                 { f.started++ }
func (f *fakeHand) Ready() <-chan struct{} { return f.ready }
func (f *fakeHand) Model() (*handwriting.Model, error) {
	select {
	case <-f.ready:
		return nil, f.err
	default:
		return nil, handwriting.ErrLoading
	}
}
func (f *fakeHand) Recognize(ink handwriting.Ink, n int) ([]handwriting.Candidate, error) {
	if _, err := f.Model(); err != nil {
		return nil, err
	}
	return []handwriting.Candidate{{Char: "王", Score: 1}}, nil
}

// Until the model is read the screen says 正在准备手写… in place of the pad,
// and shows the pad once it is; the read starts on the ID number's
// screen, before the name is wanted.
func TestHandwritingLoads(t *testing.T) {
	h := &fakeHand{ready: make(chan struct{})}
	r := newRig(t, rigOptions{noCard: true, app: func(o *Options) { o.Handwriting = h }})
	if err := r.app.Show(scrManualID); err != nil {
		t.Fatal(err)
	}
	if h.started == 0 {
		t.Error("the ID number's screen did not start reading the model")
	}
	r.app.Show(scrManualName)
	r.tap("手写")
	if !r.shows("正在准备手写") {
		t.Fatalf("while the model is read: %q", texts(r.win.Content()))
	}
	close(h.ready)
	r.loop.until(t, "the pad", func() bool { p, _ := r.findPad(); return p != nil })
	if r.shows("正在准备手写") {
		t.Error("the pad is up and the screen still says it is being prepared")
	}
	_, s := r.findPad()
	write(s, shi[0])
	r.tap("王")
	if string(r.app.f.name) != "王秀兰王" {
		t.Errorf("name %q after picking 王", string(r.app.f.name))
	}
	r.tap("拼音")
	if p, _ := r.findPad(); p != nil || !r.shows("q") {
		t.Errorf("拼音 again: %q", texts(r.win.Content()))
	}
}

// Without a model the 手写 choice says it is not available, and pinyin
// stays.
func TestHandwritingMissing(t *testing.T) {
	h := &fakeHand{ready: make(chan struct{}), err: errors.New("open /usr/share/tegaki/…: no such file")}
	close(h.ready)
	r := newRig(t, rigOptions{noCard: true, app: func(o *Options) { o.Handwriting = h }})
	r.app.Show(scrManualName)
	if !r.shows("暂不可用") {
		t.Errorf("no model: %q", texts(r.win.Content()))
	}
	r.tap("手写")
	if p, _ := r.findPad(); p != nil || !r.shows("手写暂不可用，请用拼音输入") || !r.shows("q") {
		t.Errorf("手写 without a model: %q", texts(r.win.Content()))
	}
}
