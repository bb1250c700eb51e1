package agefit

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// rect is a box in Fyne units, in window coordinates.
type rect struct{ x, y, w, h float32 }

func (r rect) contains(x, y float32) bool {
	return x >= r.x && x <= r.x+r.w && y >= r.y && y <= r.y+r.h
}

// overlap is how far r and o overlap across and down; either ≤ 0 means
// they do not.
func (r rect) overlap(o rect) (float32, float32) {
	return min(r.x+r.w, o.x+o.w) - max(r.x, o.x), min(r.y+r.h, o.y+o.h) - max(r.y, o.y)
}

// fill is a filled shape drawn, in paint order.
type fill struct {
	at rect
	c  color.Color
}

// slack is how far, in units, a text may pass its box or another text
// before it counts: the rounding of Fyne's layouts.
const slack = 0.5

// auditor holds one walk's state.
type auditor struct {
	o       Options
	win     fyne.Size
	fills   []fill
	texts   []Text
	targets []Target
	clipped []Finding
	// clippedAt is where each of clipped is, and how many fills came
	// before it.
	clippedAt []placed
}

// placed is an object's box and how many fills were drawn before it.
type placed struct {
	at    rect
	after int
}

// Audit walks the visible objects under root, laid out in a window of
// size win, and measures them against o.Min. screen names the screen in
// the findings.
func Audit(screen string, root fyne.CanvasObject, win fyne.Size, o Options) Report {
	if o.Scale <= 0 {
		o.Scale = 1
	}
	if o.Background == nil {
		o.Background = color.White
	}
	if o.Foreground == nil {
		o.Foreground = color.Black
	}
	a := &auditor{o: o, win: win}
	a.visit(root, fyne.Position{}, false, false)
	a.uncovered()
	r := Report{Screen: screen, Texts: a.texts, Targets: a.targets}
	for _, f := range a.clipped {
		f.Screen = screen
		r.Findings = append(r.Findings, f)
	}
	r.Findings = append(r.Findings, a.check(screen)...)
	return r
}

// uncovered drops the texts and targets that a shape drawn after them
// hides (a question over a shaded screen): they are not there to be read
// or tapped until it goes. A shape hides what is under its middle when it
// is at least half opaque.
func (a *auditor) uncovered() {
	hidden := func(at rect, after int) bool {
		x, y := at.x+at.w/2, at.y+at.h/2
		for _, f := range a.fills[after:] {
			if _, _, _, al := f.c.RGBA(); al >= 0x8000 && f.at.contains(x, y) {
				return true
			}
		}
		return false
	}
	var clipped []Finding
	for i, f := range a.clipped {
		if !hidden(a.clippedAt[i].at, a.clippedAt[i].after) {
			clipped = append(clipped, f)
		}
	}
	a.clipped = clipped
	a.texts = slices.DeleteFunc(a.texts, func(t Text) bool { return hidden(t.drawn, t.after) })
	a.targets = slices.DeleteFunc(a.targets, func(t Target) bool { return hidden(t.box, t.after) })
}

// visit walks o at its parent's origin at; inScroll says a scroll holds
// it, so that it may lie beyond the window, and disabled that a disabled
// control does.
func (a *auditor) visit(o fyne.CanvasObject, at fyne.Position, inScroll, disabled bool) {
	if o == nil || !o.Visible() {
		return
	}
	if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
		disabled = true
	}
	pos, size := at.Add(o.Position()), o.Size()
	box := rect{pos.X, pos.Y, size.Width, size.Height}
	switch x := o.(type) {
	case *canvas.Rectangle:
		a.addFill(box, x.FillColor)
	case *canvas.Circle:
		a.addFill(box, x.FillColor)
	case *canvas.Text:
		a.text(x, box, inScroll, disabled)
	}
	if _, ok := o.(fyne.Tappable); ok {
		a.targets = append(a.targets, Target{Label: label(o), WidthMM: a.mm(size.Width), HeightMM: a.mm(size.Height), box: box})
		// Its own face is no cover: count the fills after its insides.
		i := len(a.targets) - 1
		defer func() { a.targets[i].after = len(a.fills) }()
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			a.visit(c, pos, inScroll, disabled)
		}
	case *container.Scroll:
		// Its content may run past the screen: that is what it is for.
		a.visit(x.Content, fyne.NewPos(pos.X-x.Offset.X, pos.Y-x.Offset.Y), true, disabled)
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			a.visit(c, pos, inScroll, disabled)
		}
	}
}

// addFill notes a filled shape; one without a fill hides nothing.
func (a *auditor) addFill(at rect, c color.Color) {
	if c == nil || at.w <= 0 || at.h <= 0 {
		return
	}
	if _, _, _, al := c.RGBA(); al == 0 {
		return
	}
	a.fills = append(a.fills, fill{at, c})
}

// text measures a text where it is drawn.
func (a *auditor) text(t *canvas.Text, box rect, inScroll, disabled bool) {
	if t.Text == "" {
		return
	}
	need := t.MinSize()
	drawn := rect{box.x, box.y, need.Width, need.Height}
	switch t.Alignment {
	case fyne.TextAlignTrailing:
		drawn.x += box.w - need.Width
	case fyne.TextAlignCenter:
		drawn.x += (box.w - need.Width) / 2
	}
	if box.h > need.Height {
		drawn.y += (box.h - need.Height) / 2
	}
	fg := t.Color
	if fg == nil {
		fg = a.o.Foreground
	}
	bg := a.behind(drawn.x+drawn.w/2, drawn.y+drawn.h/2)
	tx := Text{Label: t.Text, EmMM: a.mm(t.TextSize), Bold: t.TextStyle.Bold, Disabled: disabled, fg: fg, bg: bg,
		box: box, drawn: drawn, after: len(a.fills)}
	tx.Contrast = Contrast(over(fg, bg), bg)
	a.texts = append(a.texts, tx)

	obj := "text " + quote(t.Text)
	n := len(a.clipped)
	defer func() {
		if len(a.clipped) > n {
			a.clippedAt = append(a.clippedAt, placed{drawn, tx.after})
		}
	}()
	switch {
	case need.Width > box.w+slack:
		a.clipped = append(a.clipped, Finding{Rule: RuleClipped, Object: obj,
			Msg: fmt.Sprintf("needs %.0f units across, its box has %.0f", need.Width, box.w)})
	case need.Height > box.h+slack:
		a.clipped = append(a.clipped, Finding{Rule: RuleClipped, Object: obj,
			Msg: fmt.Sprintf("needs %.0f units down, its box has %.0f", need.Height, box.h)})
	case !inScroll && (drawn.x < -slack || drawn.y < -slack ||
		drawn.x+drawn.w > a.win.Width+slack || drawn.y+drawn.h > a.win.Height+slack):
		a.clipped = append(a.clipped, Finding{Rule: RuleClipped, Object: obj,
			Msg: fmt.Sprintf("drawn at %.0f,%.0f size %.0f×%.0f, beyond the %.0f×%.0f window",
				drawn.x, drawn.y, drawn.w, drawn.h, a.win.Width, a.win.Height)})
	}
}

// behind is the colour drawn under the point so far: the filled shapes
// that hold it, the last drawn on top, over the background.
func (a *auditor) behind(x, y float32) color.Color {
	var c color.Color = a.o.Background
	for _, f := range a.fills {
		if f.at.contains(x, y) {
			c = over(f.c, c)
		}
	}
	return c
}

// mm is a length in units on the panel.
func (a *auditor) mm(u float32) float64 { return a.o.Panel.MM(u, a.o.Scale) }

// check applies the rules to what the walk measured.
func (a *auditor) check(screen string) []Finding {
	m := a.o.Min
	var out []Finding
	add := func(r Rule, obj, format string, args ...any) {
		out = append(out, Finding{Screen: screen, Rule: r, Object: obj, Msg: fmt.Sprintf(format, args...)})
	}
	for _, t := range a.texts {
		if m.Text > 0 && t.EmMM < m.Text {
			add(RuleText, "text "+quote(t.Label), "%.1f mm < %g mm", t.EmMM, m.Text)
		}
		least, what := m.Contrast, "text "
		if t.Disabled && m.DisabledContrast > 0 {
			least, what = m.DisabledContrast, "disabled text "
		}
		if least > 0 && t.Contrast < least {
			add(RuleContrast, what+quote(t.Label), "contrast %.2f:1 < %g:1 (%s on %s)", t.Contrast, least, hex(t.fg), hex(t.bg))
		}
	}
	if len(a.texts) > 0 {
		if body, t := a.body(); m.Body > 0 && body < m.Body {
			add(RuleBody, "body text "+quote(t.Label), "%.1f mm < %g mm", body, m.Body)
		}
		top := slices.MaxFunc(a.texts, func(x, y Text) int { return cmp.Compare(x.EmMM, y.EmMM) })
		if m.Title > 0 && top.EmMM < m.Title {
			add(RuleTitle, "largest text "+quote(top.Label), "%.1f mm < %g mm", top.EmMM, m.Title)
		}
	}
	for _, t := range a.targets {
		if m.Target > 0 && (t.WidthMM < m.Target || t.HeightMM < m.Target) {
			add(RuleTarget, "target "+quote(t.Label), "%.1f×%.1f mm < %g mm", t.WidthMM, t.HeightMM, m.Target)
		}
	}
	for i, t := range a.texts {
		for _, u := range a.texts[i+1:] {
			if dx, dy := t.drawn.overlap(u.drawn); dx > 1 && dy > 1 {
				add(RuleOverlap, "text "+quote(t.Label), "drawn over text %s by %.0f×%.0f units", quote(u.Label), dx, dy)
			}
		}
	}
	return out
}

// body is the em most of the screen's characters are drawn at, and a text
// of that size.
func (a *auditor) body() (float64, Text) {
	chars := map[float64]int{}
	for _, t := range a.texts {
		chars[t.EmMM] += len([]rune(t.Label))
	}
	best := a.texts[0]
	for _, t := range a.texts {
		if n, b := chars[t.EmMM], chars[best.EmMM]; n > b || n == b && t.EmMM < best.EmMM {
			best = t
		}
	}
	return best.EmMM, best
}

// label is what a target shows: its texts, or its type.
func label(o fyne.CanvasObject) string {
	var s []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || len(s) >= 2 {
			return
		}
		switch x := o.(type) {
		case *canvas.Text:
			if x.Text != "" {
				s = append(s, x.Text)
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	if len(s) == 0 {
		return fmt.Sprintf("%T", o)
	}
	return strings.Join(s, " ")
}

// hex writes a colour as #rrggbb (with its alpha when not opaque).
func hex(c color.Color) string {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	if n.A != 0xff {
		return fmt.Sprintf("#%02x%02x%02x%02x", n.R, n.G, n.B, n.A)
	}
	return fmt.Sprintf("#%02x%02x%02x", n.R, n.G, n.B)
}

// over is c drawn over the opaque colour under.
func over(c, under color.Color) color.Color {
	cr, cg, cb, ca := c.RGBA() // premultiplied
	ur, ug, ub, _ := under.RGBA()
	mix := func(top, bot uint32) uint8 {
		return uint8((top + bot*(0xffff-ca)/0xffff) >> 8)
	}
	return color.NRGBA{R: mix(cr, ur), G: mix(cg, ug), B: mix(cb, ub), A: 0xff}
}

// Contrast is WCAG 2's contrast ratio of two opaque colours, 1 to 21.
func Contrast(a, b color.Color) float64 {
	la, lb := Luminance(a), Luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Luminance is WCAG 2's relative luminance of an opaque colour.
func Luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
