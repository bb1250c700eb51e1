package staff

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/sim/simui"
	"github.com/gridkiosk/gridkiosk/ui/agefit"
	"github.com/gridkiosk/gridkiosk/ui/mm"
)

// The age-friendly audit of the staff screens, by the rules the issue
// sets them: no text clipped, beyond the window or over another, every
// text at 4.5:1 with what is behind it (a disabled button's 3:1), and
// the technician's sizes (ui/tech's techMin: text 3.5 mm, targets
// 12 mm; staff read their screens daily and close to). Each scene the golden
// images draw is audited at 800×480, 1280×800 and 1920×1080 in both
// languages; the smallest text, target and contrast of each are logged
// (go test -v). The screens that fail a rule today are listed in
// knownStaffFailures, exactly: one fixed or a new one fails the test.
//
// Under the race detector only the 7-inch panel is audited, the size with
// least room: the whole set takes it half a minute.
func TestAgeFit(t *testing.T) {
	sizes := []fyne.Size{{Width: 800, Height: 480}, {Width: 1280, Height: 800}, {Width: 1920, Height: 1080}}
	if simui.RaceDetector {
		sizes = sizes[:1]
	}
	got := map[string][]agefit.Rule{}
	audited := map[string]bool{}
	for _, sc := range scenes() {
		for _, size := range sizes {
			for _, lang := range []string{"zh-CN", "en"} {
				key := fmt.Sprintf("%s %.0fx%.0f %s", sc.name, size.Width, size.Height, lang[:2])
				audited[key] = true
				var w fyne.Window
				sc.build(newFixture(), lang, func(o fyne.CanvasObject) { w = simui.Show(t, o, size) })
				w.Content().Refresh()
				r := agefit.Audit(key, w.Content(), size, agefit.Options{
					Panel: mm.ForWindow(size.Width, size.Height, w.Canvas().Scale(), 0), Scale: w.Canvas().Scale(),
					Min: agefit.Min{Text: 3.5, Target: 12, Contrast: 4.5, DisabledContrast: 3}})
				t.Log(r.Summary())
				if rules := r.Rules(); len(rules) > 0 {
					got[key] = rules
				}
				known := knownStaffFailures()[key]
				for _, f := range r.Findings {
					if !slices.Contains(known, f.Rule) {
						t.Errorf("%s", f)
					}
				}
			}
		}
	}
	known := knownStaffFailures()
	for _, key := range slices.Sorted(maps.Keys(known)) {
		for _, rule := range known[key] {
			if audited[key] && !slices.Contains(got[key], rule) {
				t.Errorf("screen %s meets rule %q now: take it off knownStaffFailures", key, rule)
			}
		}
	}
}

// knownStaffFailures are the staff screens that do not meet the rules
// yet, by "scene size language", with the rules each fails. All are the
// keyboards' (package keyboard, shared with the resident screens, which
// size them for their own screens): on the name step's pinyin keyboard
// and the log-in keypad the small English glosses under the keys'
// Chinese (删除 Delete, 确认 OK: 2.9 mm on the 7-inch panel, 2.5 mm on
// the 10-inch, under the 3.5 mm staff text is held to).
func knownStaffFailures() map[string][]agefit.Rule {
	const text = agefit.RuleText
	return map[string][]agefit.Rule{
		"login 800x480 zh":         {text},
		"login 800x480 en":         {text},
		"login 1280x800 zh":        {text},
		"login 1280x800 en":        {text},
		"checkin_name 800x480 zh":  {text},
		"checkin_name 800x480 en":  {text},
		"checkin_name 1280x800 zh": {text},
		"checkin_name 1280x800 en": {text},
	}
}
