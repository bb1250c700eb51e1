package kiosk

import (
	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// The large-type mode (大字) is the theme's: body text 8 mm and targets
// 18 mm instead of 5 and 15. A resident switches it with the button on
// every screen; the screen shown is built again at once in the new sizes.
// It is the resident's choice, not the station's: the kiosk comes back to
// the station's default (ui.large_type) when their session ends, and on
// the start screen after the idle timeout, so that the next resident
// finds the screens as the station set them.

// largeButton is the 大字 / 标准字 switch, named for what a tap gives:
// Chinese first, as the voice speaks, with the English beneath on the
// English screens. Nil when the app's theme is not the kiosk's (no mode
// to switch).
func (a *App) largeButton() *button {
	if _, ok := a.theme().(*ui.Theme); !ok {
		return nil
	}
	label, sub := "大字", "Large"
	if a.sz.large {
		label, sub = "标准字", "Standard"
	}
	a.live.large = true
	b := a.newButton(label, plain, a.act(func() { a.setLarge(!a.sz.large) }))
	if a.lang == "en" {
		b.sub = sub
	}
	return b
}

// SetLarge switches the large-type mode as the 大字 / 标准字 button does,
// silently, and shows the resident screen up in it; the screenshot tour
// uses it. Call it on Fyne's goroutine.
func (a *App) SetLarge(on bool) {
	if a.applyLarge(on) && a.mode == resident {
		a.show(a.screen)
	}
}

// Restyle builds the resident screen shown again in the theme's sizes:
// call it when the theme changed (the panel's size became known). Call
// it on Fyne's goroutine.
func (a *App) Restyle() {
	if a.mode == resident {
		a.show(a.screen)
	}
}

// rooted is the layout of the kiosk's root: a stack of the screen and
// the idle question over it, which builds the resident screen again when
// the window takes another size (made full-screen, the panel found): its
// text was wrapped, and its type chosen, for the size it was built at.
type rooted struct{ a *App }

func (r rooted) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	a := r.a
	if a.mode != resident || a.screen == "" || size == a.built || size != a.win.Canvas().Size() {
		return
	}
	a.built = size
	a.opt.Do(func() {
		if a.mode == resident && a.win.Canvas().Size() == size {
			a.show(a.screen)
		}
	})
}

// MinSize is the screen's, but never more than the window has: a window
// asked for more grows past the panel's edge (off the screen, where
// nobody can tap), whereas a screen built for the window lays out in it
// (TestAgeFit holds every screen to fitting the window it is built for).
func (r rooted) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	if win := r.a.win.Canvas().Size(); win.Width > 0 && win.Height > 0 {
		s = s.Min(win)
	}
	return s
}

// setLarge switches the large-type mode, builds the screen shown again in
// its sizes and says what changed. Call it on Fyne's goroutine.
func (a *App) setLarge(on bool) {
	if !a.applyLarge(on) {
		return
	}
	a.show(a.screen)
	if on {
		a.say(voiceprompt.TypeLarge)
	} else {
		a.say(voiceprompt.TypeStandard)
	}
}

// resetLarge puts the station's default mode back when a resident's
// session ends; the caller shows the next screen. It reports whether the
// mode changed.
func (a *App) resetLarge() bool {
	return a.applyLarge(a.st.Config().UI.LargeType)
}

// applyLarge sets the theme's mode and has Fyne redraw with it; it
// reports whether the sizes changed.
func (a *App) applyLarge(on bool) bool {
	th, ok := a.theme().(*ui.Theme)
	if !ok || th.Large() == on {
		return false
	}
	th.SetLarge(on)
	if fa := fyne.CurrentApp(); fa != nil {
		fa.Settings().SetTheme(th)
	}
	return true
}
