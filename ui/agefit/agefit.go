// Package agefit is the age-friendly audit (适老化) of a screen: it walks a
// Fyne canvas object tree, as the test driver lays it out, and measures
// what an elderly resident meets on the panel: each text's size in
// millimetres (its em, the size Fyne draws it at), each tappable target's
// width and height in millimetres, each text's contrast with what is
// drawn behind it (WCAG 2 relative luminance), and texts wider than their
// box, off the window, or over another text. It returns the figures and
// the findings against the minimums given, each named so a developer can
// find the text or button ("screen confirm, text '确认信息': 3.9 mm <
// 5 mm"). The tests of the screens run it; it needs no display and no
// cgo.
package agefit

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"github.com/gridkiosk/gridkiosk/ui/mm"
)

// Rule names what a finding is about.
type Rule string

// The rules.
const (
	RuleText     Rule = "text"     // a text under the least size
	RuleBody     Rule = "body"     // the screen's body text under its size
	RuleTitle    Rule = "title"    // the screen's largest text under a title's size
	RuleTarget   Rule = "target"   // a tappable object narrower or lower than the least target
	RuleContrast Rule = "contrast" // a text under the least contrast with its background
	RuleClipped  Rule = "clipped"  // a text wider or taller than its box, or off the window
	RuleOverlap  Rule = "overlap"  // a text drawn over another
)

// Min are the least sizes and contrast; a zero field is not checked.
type Min struct {
	Text   float64 // every text's em, mm (captions)
	Body   float64 // the em of the size most of a screen's characters are in, mm
	Title  float64 // the em of a screen's largest text, mm
	Target float64 // a tappable object's width and height, mm
	// Contrast is the least WCAG 2 contrast ratio of a text with what is
	// behind it, e.g. 4.5.
	Contrast float64
	// DisabledContrast is the least contrast of a text on a control
	// that is disabled (fyne.Disableable), e.g. 3: it must still be read,
	// and look out of use. Zero holds it to Contrast.
	DisabledContrast float64
}

// Options say what the screen is drawn on and what it must meet.
type Options struct {
	Panel mm.Panel
	Scale float32 // the canvas scale; 0 is 1
	Min   Min
	// Background is what is behind every object (the theme's background
	// colour); nil is white.
	Background color.Color
	// Foreground is a text's colour when it has none; nil is black.
	Foreground color.Color
}

// Text is a text on the screen as measured.
type Text struct {
	Label    string
	EmMM     float64
	Contrast float64
	Bold     bool
	// Disabled says the text is on a disabled control.
	Disabled bool
	fg, bg   color.Color
	box      rect // where it is laid out
	drawn    rect // where its glyphs are drawn
	after    int  // the fills drawn before it
}

// Target is a tappable object as measured.
type Target struct {
	Label             string // the texts it shows, or its type
	WidthMM, HeightMM float64
	box               rect
	after             int // the fills drawn before it
}

// Finding is a rule a screen does not meet.
type Finding struct {
	Screen string
	Rule   Rule
	Object string // "text '确认信息'", "target '下一步'"
	Msg    string // "3.9 mm < 5 mm"
}

func (f Finding) String() string {
	return fmt.Sprintf("screen %s, %s: %s", f.Screen, f.Object, f.Msg)
}

// Report is one screen's audit.
type Report struct {
	Screen   string
	Texts    []Text
	Targets  []Target
	Findings []Finding
}

// Rules returns the rules the screen's findings are about, each once,
// sorted.
func (r Report) Rules() []Rule {
	var out []Rule
	for _, f := range r.Findings {
		if !slices.Contains(out, f.Rule) {
			out = append(out, f.Rule)
		}
	}
	slices.Sort(out)
	return out
}

// SmallestText returns the text of the least em; false when there is no
// text.
func (r Report) SmallestText() (Text, bool) {
	if len(r.Texts) == 0 {
		return Text{}, false
	}
	return slices.MinFunc(r.Texts, func(a, b Text) int { return cmp.Compare(a.EmMM, b.EmMM) }), true
}

// LowestContrast returns the text of the least contrast; false when there
// is no text.
func (r Report) LowestContrast() (Text, bool) {
	if len(r.Texts) == 0 {
		return Text{}, false
	}
	return slices.MinFunc(r.Texts, func(a, b Text) int { return cmp.Compare(a.Contrast, b.Contrast) }), true
}

// SmallestTarget returns the target of the least width or height; false
// when there is none.
func (r Report) SmallestTarget() (Target, bool) {
	if len(r.Targets) == 0 {
		return Target{}, false
	}
	side := func(t Target) float64 { return min(t.WidthMM, t.HeightMM) }
	return slices.MinFunc(r.Targets, func(a, b Target) int { return cmp.Compare(side(a), side(b)) }), true
}

// Summary is the screen's smallest text, smallest target and lowest
// contrast on one line.
func (r Report) Summary() string {
	var b strings.Builder
	b.WriteString(r.Screen)
	if t, ok := r.SmallestText(); ok {
		fmt.Fprintf(&b, ": text %.1f mm %s", t.EmMM, quote(t.Label))
	}
	if t, ok := r.SmallestTarget(); ok {
		fmt.Fprintf(&b, "; target %.1f×%.1f mm %s", t.WidthMM, t.HeightMM, quote(t.Label))
	} else {
		b.WriteString("; no target")
	}
	if t, ok := r.LowestContrast(); ok {
		fmt.Fprintf(&b, "; contrast %.1f:1 %s", t.Contrast, quote(t.Label))
	}
	return b.String()
}

// quote puts a label in single quotes, cut to 24 characters.
func quote(s string) string {
	if r := []rune(s); len(r) > 24 {
		s = string(r[:23]) + "…"
	}
	return "'" + s + "'"
}
