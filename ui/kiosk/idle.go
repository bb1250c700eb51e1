package kiosk

import (
	"fmt"
	"image/color"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/widget"
)

// askStillThere puts the idle question over the screen, or updates its
// countdown.
func (a *App) askStillThere(left int) {
	if a.live.question == nil {
		a.live.count = centred(text("", a.sz.count(), paper, true))
		q := centred(text(a.tr("还要继续吗？", "Still there?"), a.sz.title, paper, true))
		// Body type: over the shaded screen it is the sentence to read.
		sub := newPara(a.tr("没有操作将返回首页，您的信息不会保留", "If not, the screen starts over and forgets your details"), a.sz.body, paper, a.fullWidth()*3/4)
		sub.align = fyne.TextAlignCenter
		stay := a.newButton(a.tr("继续", "Continue"), primary, a.act(nil))
		stay.width = 3 * a.sz.touch
		card := container.NewStack(canvas.NewRectangle(slate),
			container.New(margin{}, lines(q, a.live.count, sub, container.NewCenter(stay))))
		a.live.question = container.NewStack(newCover(shade, a.act(nil)), container.NewCenter(card))
		a.root.Objects = append(a.root.Objects, a.live.question)
		a.root.Refresh()
		a.sayCountdown(left, true)
	} else if a.live.count.Text != strconv.Itoa(left) {
		a.sayCountdown(left, false)
	}
	a.live.count.Text = strconv.Itoa(left)
	a.live.count.Refresh()
}

// hideQuestion takes the idle question away.
func (a *App) hideQuestion() {
	q := a.live.question
	if q == nil {
		return
	}
	a.live.question, a.live.count = nil, nil
	// Whatever comes next says its own; the countdown must not go on.
	a.speaker().Stop()
	objs := a.root.Objects[:0]
	for _, o := range a.root.Objects {
		if o != q {
			objs = append(objs, o)
		}
	}
	a.root.Objects = objs
	a.root.Refresh()
}

// backInWord says when the done screen goes.
func (a *App) backInWord(left time.Duration) string {
	n := seconds(left)
	return a.tr(fmt.Sprintf("%d 秒后回到首页", n), fmt.Sprintf("Back to the start in %d s", n))
}

// cover is a tappable sheet of colour: under the idle question, a tap
// anywhere means the resident is still there.
type cover struct {
	widget.BaseWidget
	rect  *canvas.Rectangle
	onTap func()
}

func newCover(c color.Color, onTap func()) *cover {
	v := &cover{rect: canvas.NewRectangle(c), onTap: onTap}
	v.ExtendBaseWidget(v)
	return v
}

// Tapped implements fyne.Tappable.
func (c *cover) Tapped(*fyne.PointEvent) { c.onTap() }

// CreateRenderer implements fyne.Widget.
func (c *cover) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(c.rect) }

// holdable is the station's name on the attract screen. Holding it down
// for HoldForTech opens the technician's screen: on a kiosk with no
// technician button, a way in that residents do not find by chance. A
// touchscreen reports presses as mouse events (desktop) or touches
// (mobile); both are handled.
type holdable struct {
	widget.BaseWidget
	label    fyne.CanvasObject
	down, up func()
}

var (
	_ desktop.Mouseable = (*holdable)(nil)
	_ mobile.Touchable  = (*holdable)(nil)
)

func newHoldable(label fyne.CanvasObject, down, up func()) *holdable {
	h := &holdable{label: label, down: down, up: up}
	h.ExtendBaseWidget(h)
	return h
}

// MouseDown implements desktop.Mouseable.
func (h *holdable) MouseDown(*desktop.MouseEvent) { h.down() }

// MouseUp implements desktop.Mouseable.
func (h *holdable) MouseUp(*desktop.MouseEvent) { h.up() }

// TouchDown implements mobile.Touchable.
func (h *holdable) TouchDown(*mobile.TouchEvent) { h.down() }

// TouchUp implements mobile.Touchable.
func (h *holdable) TouchUp(*mobile.TouchEvent) { h.up() }

// TouchCancel implements mobile.Touchable.
func (h *holdable) TouchCancel(*mobile.TouchEvent) { h.up() }

// CreateRenderer implements fyne.Widget.
func (h *holdable) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(h.label) }
