package kiosk

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
	"github.com/gridkiosk/gridkiosk/sim/simui"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/agefit"
	"github.com/gridkiosk/gridkiosk/ui/mm"
)

// auditSizes are the panels the audit measures the screens on: the 7-inch
// 800×480, the 10.1-inch 1280×800 and the 21.5-inch 1920×1080 of a
// floor-standing terminal, each at its default diagonal.
var auditSizes = []fyne.Size{{Width: 800, Height: 480}, {Width: 1280, Height: 800}, {Width: 1920, Height: 1080}}

// auditMin is what a screen must meet in a mode: the theme's sizes
// (captions the least of any text), and WCAG AA's 4.5:1.
func auditMin(large bool) agefit.Min {
	m := ui.ModeMM(large)
	return agefit.Min{Text: m.Caption, Body: m.Body, Title: m.Title, Target: m.Target, Contrast: 4.5}
}

// auditEach shows every resident screen at each audit size, in both
// languages and both modes, with the theme sized for the panel, and calls
// f with its key ("confirm 800x480 zh normal") and its audit. Under the
// race detector only the 7-inch panel is audited, the size with least
// room: the whole set takes it half a minute.
func auditEach(t *testing.T, f func(key string, r agefit.Report)) {
	r := newRig(t, rigOptions{noCard: true})
	withPrinter(r)
	sizes := auditSizes
	if simui.RaceDetector {
		sizes = sizes[:1]
	}
	for _, size := range sizes {
		for _, large := range []bool{false, true} {
			th, p, scale := panelTheme(t, r, size, large)
			mode := map[bool]string{false: "normal", true: "large"}[large]
			for _, lang := range []string{"zh-CN", "en"} {
				r.app.lang = lang
				for _, name := range Names() {
					if err := r.app.Show(name); err != nil {
						t.Fatal(err)
					}
					r.loop.drain()
					key := fmt.Sprintf("%s %.0fx%.0f %s %s", name, size.Width, size.Height, lang[:2], mode)
					boldFromBoldFace(t, key, r.win.Content())
					f(key, agefit.Audit(key, r.win.Content(), size, agefit.Options{
						Panel: p, Scale: scale, Min: auditMin(large),
						Background: th.Color("background", 0), Foreground: th.Color("foreground", 0)}))
				}
			}
		}
	}
}

// boldFromBoldFace fails on bold text that does not name the theme's bold
// face as its source (setBold): Fyne would then parse its own Latin bold
// face as well, 1.5 MB that the kiosk keeps all day for nothing.
func boldFromBoldFace(t *testing.T, key string, o fyne.CanvasObject) {
	t.Helper()
	face := theme.Current().Font(fyne.TextStyle{Bold: true})
	walk(o, nil, func(o fyne.CanvasObject, _ fyne.Tappable) {
		if tx, ok := o.(*canvas.Text); ok && tx.TextStyle.Bold && tx.FontSource != face {
			t.Errorf("%s: bold text %q is not drawn from the bold face alone (setBold)", key, tx.Text)
		}
	})
}

// panelTheme resizes the rig's window to a panel of size at its default
// diagonal and sizes the app's theme for it in a mode, as the kiosk does
// for its panel; the test's end puts the theme back.
func panelTheme(t *testing.T, r *rig, size fyne.Size, large bool) (*ui.Theme, mm.Panel, float32) {
	t.Helper()
	settings := fyne.CurrentApp().Settings()
	th, ok := settings.Theme().(*ui.Theme)
	if !ok {
		t.Fatalf("the app's theme is %T, not the kiosk's", settings.Theme())
	}
	p0, s0 := th.Panel()
	l0 := th.Large()
	t.Cleanup(func() { th.SetPanel(p0, s0); th.SetLarge(l0); settings.SetTheme(th) })
	scale := r.win.Canvas().Scale()
	p := mm.ForWindow(size.Width, size.Height, scale, 0)
	r.win.Resize(size)
	th.SetPanel(p, scale)
	th.SetLarge(large)
	settings.SetTheme(th)
	return th, p, scale
}

// The age-friendly audit of every resident screen: at 800×480, 1280×800
// and 1920×1080, both languages, the normal and the large mode. It logs
// the smallest text, target and contrast of each (go test -v), fails on
// any finding of a rule every screen meets today, and checks the screens
// that still fail a rule against knownAgeFitFailures exactly: a screen
// fixed or a new failure both fail the test, so the list is kept true.
// BoldCovers: every character the screens show is in the bundled bold
// face, so a title never falls back to another face part way through.
func TestAgeFit(t *testing.T) {
	got := map[string][]agefit.Rule{}
	audited := map[string]bool{}
	var shown strings.Builder
	auditEach(t, func(key string, r agefit.Report) {
		audited[key] = true
		t.Log(r.Summary())
		for _, tx := range r.Texts {
			shown.WriteString(tx.Label)
		}
		if rules := r.Rules(); len(rules) > 0 {
			got[key] = rules
		}
		known := knownAgeFitFailures()[key]
		for _, f := range r.Findings {
			if !slices.Contains(known, f.Rule) {
				t.Errorf("%s", f)
			}
		}
	})
	known := knownAgeFitFailures()
	for _, key := range slices.Sorted(maps.Keys(known)) {
		for _, rule := range known[key] {
			if audited[key] && !slices.Contains(got[key], rule) {
				t.Errorf("screen %s meets rule %q now: take it off knownAgeFitFailures", key, rule)
			}
		}
	}
	t.Run("BoldCovers", func(t *testing.T) {
		missing, err := fonts.Missing(fonts.Bold(), shown.String())
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) > 0 {
			t.Errorf("the bold face has no glyph for %q; rebuild it (drivers/fonts)", string(missing))
		}
	})
}
