package kiosk

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sim/simui"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/agefit"
	"github.com/gridkiosk/gridkiosk/ui/mm"
)

// auditShown audits the screen the rig shows, as TestAgeFit does, and
// fails on every finding.
func auditShown(t *testing.T, r *rig, key string, size fyne.Size, th *ui.Theme, p mm.Panel, scale float32) {
	t.Helper()
	r.loop.drain()
	rep := agefit.Audit(key, r.win.Content(), size, agefit.Options{
		Panel: p, Scale: scale, Min: auditMin(th.Large()),
		Background: th.Color("background", 0), Foreground: th.Color("foreground", 0)})
	for _, f := range rep.Findings {
		t.Errorf("%s", f)
	}
}

// On the 7-inch panel in large English the help and declined banners
// leave room for one row of start tiles: the first two and 更多选择
// (More), which gives the banner's room to all five, saying nothing new.
// The declined notice goes; that staff were called stays as a chip, and a
// new call brings its banner back.
func TestCompactBannerMore(t *testing.T) {
	v := newVoiceRig(t, rigOptions{noCard: true})
	size := fyne.NewSize(800, 480)
	th, p, scale := panelTheme(t, v.rig, size, true)
	all := []string{"ID card", "Scan code", "Report", "Progress", "Call staff"}
	for _, tc := range []struct{ name, banner, after string }{
		{"help", "Staff have been called.", "Staff called"},
		{"declined", "Cancelled.", "Choose one"},
	} {
		v.app.lang = "en"
		if err := v.app.Show(tc.name); err != nil {
			t.Fatal(err)
		}
		if !v.shows(tc.banner) || !v.shows("More") || !v.shows("ID card") || v.shows("Report") {
			t.Fatalf("%s: %q", tc.name, texts(v.win.Content()))
		}
		v.loop.drain()
		v.seen = len(v.rec.Said())
		v.tap("More")
		v.heard()
		if v.app.Screen() != scrAttract || v.shows(tc.banner) || !v.shows(tc.after) {
			t.Fatalf("%s, after More: screen %s, %q", tc.name, v.app.Screen(), texts(v.win.Content()))
		}
		for _, tile := range all {
			if !v.shows(tile) {
				t.Errorf("%s, after More: no %q tile in %q", tc.name, tile, texts(v.win.Content()))
			}
		}
		auditShown(t, v.rig, tc.name+" folded 800x480 en large", size, th, p, scale)
	}
	// A new call is news again.
	v.st.CallHelp()
	v.tick(0)
	if !v.shows("Staff have been called.") || !v.shows("More") {
		t.Fatalf("a new call: %q", texts(v.win.Content()))
	}
}

// The progress screen meets the age-friendly rules in every state, at
// every audited size, language and mode: the compact English says the
// next step in a line across the screen.
func TestProgressStatesFit(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	sizes := auditSizes
	if simui.RaceDetector {
		sizes = sizes[:1]
	}
	states := []station.Progress{
		{State: station.ProgressReceived}, {State: station.ProgressInProgress}, {State: station.ProgressDone},
		{State: station.ProgressReturned}, {State: station.ProgressReceived, Held: true},
	}
	for _, size := range sizes {
		for _, large := range []bool{false, true} {
			th, p, scale := panelTheme(t, r, size, large)
			for _, lang := range []string{"zh-CN", "en"} {
				r.app.lang = lang
				for i, s := range states {
					for _, remote := range []bool{true, false} {
						pr := r.app.sampleProgress(remote)
						pr.State, pr.Held = s.State, s.Held
						if i == len(states)-1 {
							pr.Contact = station.Contact{} // the station's staff
						}
						r.app.f = flow{kind: kindLookup, progress: pr}
						r.app.show(scrProgress)
						key := fmt.Sprintf("progress %s held=%v remote=%v %.0fx%.0f %s large=%v",
							s.State, s.Held, remote, size.Width, size.Height, lang, large)
						auditShown(t, r, key, size, th, p, scale)
					}
				}
			}
		}
	}
}

// On the 7-inch panel in large English a ticket not found takes the
// look-up question's place beside the keypad; the next key typed
// answers it and brings the question back.
func TestCompactLookupProblem(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	size := fyne.NewSize(800, 480)
	th, p, scale := panelTheme(t, r, size, true)
	r.app.lang = "en"
	if err := r.app.Show("lookup-unknown"); err != nil {
		t.Fatal(err)
	}
	if r.shows("Ticket") || !r.shows("No record of that") {
		t.Fatalf("lookup-unknown: %q", texts(r.win.Content()))
	}
	r.tap("1")
	if !r.shows("Ticket") || r.shows("No record of that") || !r.shows("3 more to go") {
		t.Fatalf("a key after the problem: %q", texts(r.win.Content()))
	}
	auditShown(t, r, "lookup retyped 800x480 en large", size, th, p, scale)
}
