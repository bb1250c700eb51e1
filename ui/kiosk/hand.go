package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/handwriting"
	"github.com/gridkiosk/gridkiosk/ui/handwriting/pad"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// Handwriting recognizes a character written with a finger (手写), from a
// model read in the background the first time it is wanted;
// *handwriting.Lazy is one. The manual-name screen offers it beside
// pinyin.
type Handwriting interface {
	pad.Recognizer
	// Start begins reading the model, once; it must return at once.
	Start()
	// Ready is closed once the read has ended, well or not.
	Ready() <-chan struct{}
	// Model returns the model, handwriting.ErrLoading while it is read,
	// or the error that ended the read (no model installed).
	Model() (*handwriting.Model, error)
}

// handState is how far the handwriting model is.
type handState int

const (
	handNone    handState = iota // the kiosk has no handwriting
	handLoading                  // 正在准备手写…
	handReady                    // the pad can be shown
	handMissing                  // the model could not be read: pinyin only
)

// hand says how far the handwriting model is, without waiting.
func (a *App) hand() handState {
	h := a.opt.Handwriting
	if h == nil {
		return handNone
	}
	select {
	case <-h.Ready():
	default:
		return handLoading
	}
	if _, err := h.Model(); err != nil {
		return handMissing
	}
	return handReady
}

// warmHand starts reading the handwriting model while the resident types
// their ID number, so it is ready by the name, and shows the name screen
// again when the read ends while it is waiting for it.
func (a *App) warmHand() {
	h := a.opt.Handwriting
	if h == nil || a.hand() != handLoading {
		return
	}
	h.Start()
	if a.handWaiting {
		return
	}
	a.handWaiting = true
	ctx := a.ctx
	a.background(func() func() {
		select {
		case <-h.Ready():
		case <-ctx.Done():
		}
		return func() {
			a.handWaiting = false
			if a.screen == scrManualName && a.f.hand {
				a.show(scrManualName)
			}
		}
	})
}

// nameChoice is the manual-name screen's 拼音 / 手写 switch and its 再听一遍:
// the way chosen is marked; 手写 says so when there is no model.
func (a *App) nameChoice() fyne.CanvasObject {
	again := a.againButton()
	st := a.hand()
	if st == handNone {
		return again
	}
	py := a.newButton(a.tr("拼音", "Pinyin"), plain, a.act(func() { a.setHand(false) }))
	hw := a.newButton(a.tr("手写", "Write"), plain, a.act(func() { a.setHand(true) }))
	py.size, hw.size, again.size = a.sz.body, a.sz.body, a.sz.body
	if a.f.hand && st != handMissing {
		hw.look = chosen
	} else {
		py.look = chosen
	}
	if st == handMissing {
		hw.sub = a.tr("暂不可用", "not available")
	}
	return container.NewHBox(py, hw, again)
}

// nameSwitch is nameChoice on a small panel in the large mode: one button
// for the way not chosen, as there is no room for both; nil without
// handwriting, or without its model (no room for 暂不可用 either: pinyin
// is the way there).
func (a *App) nameSwitch() *button {
	switch st := a.hand(); {
	case st == handNone || st == handMissing:
		return nil
	case a.f.hand:
		return a.newButton(a.tr("拼音", "Pinyin"), plain, a.act(func() { a.setHand(false) }))
	}
	return a.newButton(a.tr("手写", "Write"), plain, a.act(func() { a.setHand(true) }))
}

// noHandProblem is what 手写 says when there is no model.
func (a *App) noHandProblem() string {
	return a.tr("手写暂不可用，请用拼音输入", "Handwriting is not available: please use pinyin")
}

// setHand switches the name's input between pinyin and handwriting.
func (a *App) setHand(on bool) {
	if on && a.hand() == handMissing {
		a.f.hand = false
		a.f.problem = a.noHandProblem()
		a.show(scrManualName)
		return
	}
	if a.f.hand == on {
		return
	}
	a.f.hand, a.f.problem = on, ""
	a.show(scrManualName)
	if on {
		a.say(voiceprompt.ManualNameHand)
	}
}

// nameInput is what the name is typed or written on: the pinyin keyboard,
// or the handwriting pad once its model is ready (a line saying it is
// being prepared until then). A character picked on the pad is appended
// to the name.
func (a *App) nameInput(kb fyne.CanvasObject, add func(string), del func()) fyne.CanvasObject {
	if !a.f.hand {
		return kb
	}
	a.live.composing = nil
	switch a.hand() {
	case handReady:
	case handLoading:
		a.warmHand()
		msg := newPara(a.tr("正在准备手写……", "Preparing handwriting…"), a.sz.big, ink, a.fullWidth())
		msg.bold, msg.align = true, fyne.TextAlignCenter
		return container.NewStack(canvas.NewRectangle(pale), container.New(middle{}, msg))
	default:
		return kb
	}
	p := pad.New(a.opt.Handwriting)
	p.SetTargetSize(a.target())
	p.OnPick = func(c string) {
		a.touch()
		add(c)
	}
	// What the keyboard's own keys do when it is up: take back a
	// character of the name, and go on with it.
	back := a.newButton(a.tr("删除", "Delete"), plain, del)
	ok := a.newButton(a.tr("确认", "OK"), primary, a.act(a.startManualSession))
	back.width, ok.width = a.target()*1.5, a.target()*1.5
	keys := container.New(vbox{}, back, ok)
	if b := a.largeButton(); b != nil && a.cramped() {
		keys.Add(b)
	}
	return container.NewBorder(nil, nil, nil, container.New(margin{x: inset, y: 0}, keys), container.New(padFit{}, p))
}

// padFit gives the pad all the height there is: its surface a square as
// tall, and its two columns of keys a quarter of that each, centred. A
// larger panel gets a larger surface to write on, not wider keys.
type padFit struct{}

func (padFit) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	p := objs[0]
	m := p.MinSize()
	h := max(size.Height, m.Height)
	w := max(min(size.Width, h*1.5), m.Width)
	p.Move(fyne.NewPos((size.Width-w)/2, 0))
	p.Resize(fyne.NewSize(w, h))
}

func (padFit) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[0].MinSize() }

// target is the least side of a target in the theme's mode, in Fyne
// units: the pad's keys are sized from it.
func (a *App) target() float32 {
	if th, ok := fyne.CurrentApp().Settings().Theme().(*ui.Theme); ok {
		return max(th.Sizes().Target, pad.TargetSize)
	}
	return max(a.sz.touch, pad.TargetSize)
}
