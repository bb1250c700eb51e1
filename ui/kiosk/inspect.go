package kiosk

import (
	"context"
	"math"
	"reflect"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

// View is what the kiosk's window shows, for a program that drives the
// kiosk as a person would (the simulation's GET /v1/sim/screen, the
// trials under Xvfb): the screen's name and where each thing a finger can
// tap is, found by its label rather than by pixels that move when the
// layout does.
type View struct {
	Mode    string   `json:"mode"`   // resident, staff, staff-login, tech
	Screen  string   `json:"screen"` // the resident screen; "" in another mode
	Window  string   `json:"window"` // the window's title, to find it on the display
	Scale   float32  `json:"scale"`  // window pixels per Fyne unit
	Targets []Target `json:"targets"`
	// Texts are the other texts on show (the targets' are in Targets),
	// in drawing order: what the screen says.
	Texts []string `json:"texts"`
}

// Target is a tappable widget on show, in window pixels.
type Target struct {
	Label string `json:"label"`
	Sub   string `json:"sub,omitempty"` // its second line, if any
	X     int    `json:"x"`
	Y     int    `json:"y"`
	W     int    `json:"w"`
	H     int    `json:"h"`
}

// labelled is a tappable widget that says what it is: the kiosk's
// buttons and the keyboards' keys.
type labelled interface {
	fyne.Tappable
	Label() (label, sub string)
}

// texted is a widget that draws a text of its own: a paragraph.
type texted interface {
	shownText() string
}

func (p *para) shownText() string { return p.text }

// Label implements labelled.
func (b *button) Label() (string, string) { return b.label, b.sub }

// Inspect returns what the window shows, read on Fyne's goroutine; it
// waits for that until ctx ends.
func (a *App) Inspect(ctx context.Context) (View, error) {
	got := make(chan View, 1)
	a.opt.Do(func() { got <- a.view() })
	select {
	case v := <-got:
		return v, nil
	case <-ctx.Done():
		return View{}, ctx.Err()
	}
}

// view is Inspect's work, on Fyne's goroutine.
func (a *App) view() View {
	c := a.win.Canvas()
	v := View{Mode: [...]string{resident: "resident", staffMode: "staff", staffLogin: "staff-login", techMode: "tech"}[a.mode],
		Window: a.win.Title(), Scale: c.Scale(), Targets: []Target{}, Texts: []string{}}
	if a.mode == resident {
		v.Screen = a.screen
	}
	d := fyne.CurrentApp().Driver()
	px := func(f float32) int { return int(math.Round(float64(f * v.Scale))) }
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if t, ok := o.(labelled); ok {
			// Fresh objects of a widget's new renderer (below) are not
			// on the canvas: the driver finds no place for them.
			if at, size := d.AbsolutePositionForObject(o), o.Size(); at != (fyne.Position{}) && !size.IsZero() {
				l, s := t.Label()
				v.Targets = append(v.Targets, Target{Label: l, Sub: s, X: px(at.X), Y: px(at.Y), W: px(size.Width), H: px(size.Height)})
			}
			return
		}
		if p, ok := o.(texted); ok {
			if p.shownText() != "" && d.AbsolutePositionForObject(o) != (fyne.Position{}) {
				v.Texts = append(v.Texts, p.shownText())
			}
			return
		}
		switch x := o.(type) {
		case *canvas.Text:
			if x.Text != "" && d.AbsolutePositionForObject(o) != (fyne.Position{}) {
				v.Texts = append(v.Texts, x.Text)
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				visit(c)
			}
		case *container.Scroll:
			visit(x.Content)
		case fyne.Widget:
			// Fyne keeps a widget's renderer to itself. The composite
			// widgets of this module (the keypads, the keyboard, the
			// pad) render content they hold with
			// widget.NewSimpleRenderer, so a new renderer shows the
			// very objects on the canvas. Fyne's own widgets are left
			// alone: some (the entry) set themselves up anew when a
			// renderer is made.
			if ours(x) {
				for _, c := range x.CreateRenderer().Objects() {
					visit(c)
				}
			}
		}
	}
	visit(c.Content())
	for _, o := range c.Overlays().List() {
		visit(o)
	}
	return v
}

// ours says the widget's type is of this module.
func ours(w fyne.Widget) bool {
	t := reflect.TypeOf(w)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.HasPrefix(t.PkgPath(), "github.com/gridkiosk/gridkiosk/")
}
