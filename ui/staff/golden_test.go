package staff

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// The screens drawn at the kiosk's two sizes, in both languages, compared
// with images in testdata (see simui.AssertGolden).
func TestGolden(t *testing.T) {
	simui.SkipGoldenUnderRace(t)
	for _, sc := range scenes() {
		for _, sz := range simui.GoldenSizes() {
			// The name step is mostly the keyboard, drawn at the
			// panel's size only.
			if sc.name == "checkin_name" && sz.Size.Width > 800 {
				continue
			}
			name := sc.name + "_" + sz.Name + ".png"
			t.Run(name, func(t *testing.T) {
				var w fyne.Window
				sc.build(newFixture(), sz.Lang, func(o fyne.CanvasObject) { w = simui.Show(t, o, sz.Size) })
				simui.AssertGolden(t, name, w)
			})
		}
	}
}

// scene is a screen in a state worth looking at.
type scene struct {
	name string
	// build makes the screen, puts it in the window with place, and taps
	// what the scene needs.
	build func(f *fixture, lang string, place func(fyne.CanvasObject))
}

func scenes() []scene {
	return []scene{
		{"login", func(f *fixture, lang string, place func(fyne.CanvasObject)) {
			f.loginErr = station.ErrPIN
			l := NewLogin(f, lang, nil, nil)
			place(l.Content())
			l.typeOn("7", "1234")
			l.typeOn("", "25")
		}},
		{"records", func(f *fixture, lang string, place func(fyne.CanvasObject)) {
			help := at(9, 28)
			f.help = &help
			s := New(f, lang, fixedNow, nil, Options{})
			place(s.Content())
			s.Refresh()
			s.rec.list.Select(1)
			test.Tap(s.rec.print)
			s.jobs.Wait()
		}},
		{"returned", func(f *fixture, lang string, place func(fyne.CanvasObject)) {
			s := New(f, lang, fixedNow, nil, Options{})
			place(s.Content())
			s.Refresh()
			test.Tap(s.tabs[1])
			s.rej.list.Select(0)
		}},
		{"printjobs", func(f *fixture, lang string, place func(fyne.CanvasObject)) {
			s := New(f, lang, fixedNow, nil, Options{})
			place(s.Content())
			s.Refresh()
			test.Tap(s.tabs[3])
			s.job.list.Select(1)
		}},
		{"volunteers", func(f *fixture, lang string, place func(fyne.CanvasObject)) {
			f.checkIns = []station.CheckIn{
				{Name: "李建国", PartyMember: true, Service: "政策宣传", Since: at(8, 30)},
				{Name: "张伟", Service: "环境整治", Since: at(9, 5)},
			}
			s := New(f, lang, fixedNow, nil, Options{})
			place(s.Content())
			s.Refresh()
			test.Tap(s.tabs[2])
			s.vol.list.Select(0)
		}},
		{"checkin", func(f *fixture, lang string, place func(fyne.CanvasObject)) {
			s := New(f, lang, fixedNow, nil, Options{})
			place(s.Content())
			s.Refresh()
			test.Tap(s.tabs[2])
			test.Tap(s.vol.checkIn)
			for _, c := range []string{"赵", "丽", "娟"} {
				s.vol.form.kb.OnCommit(c)
			}
			s.vol.form.kb.OnDone()
			test.Tap(s.vol.form.partyBtn)
			test.Tap(s.vol.form.presets[4])
		}},
		{"checkin_name", func(f *fixture, lang string, place func(fyne.CanvasObject)) {
			s := New(f, lang, fixedNow, nil, Options{})
			place(s.Content())
			s.Refresh()
			test.Tap(s.vol.checkIn)
			s.vol.form.kb.OnCommit("赵")
		}},
	}
}
