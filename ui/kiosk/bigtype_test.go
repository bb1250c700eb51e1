package kiosk

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
	"github.com/gridkiosk/gridkiosk/ui"
	vp "github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// kioskTheme is the test app's theme, put back in the normal mode when
// the test ends.
func kioskTheme(t *testing.T) *ui.Theme {
	t.Helper()
	settings := fyne.CurrentApp().Settings()
	th, ok := settings.Theme().(*ui.Theme)
	if !ok {
		t.Fatalf("the app's theme is %T, not the kiosk's", settings.Theme())
	}
	t.Cleanup(func() { th.SetLarge(false); settings.SetTheme(th) })
	return th
}

// largestText is the em of the largest text on screen, in units.
func largestText(o fyne.CanvasObject) float32 {
	top := float32(0)
	walk(o, nil, func(o fyne.CanvasObject, _ fyne.Tappable) {
		if t, ok := o.(*canvas.Text); ok && t.Text != "" {
			top = max(top, t.TextSize)
		}
	})
	return top
}

// The 大字 button switches the theme's large mode and builds the screen
// shown again at once in its sizes, says so, and the mode stays for the
// resident's session: from screen to screen, until they go back to the
// start (the session ends), when the station's default (normal) is back.
func TestLargeToggle(t *testing.T) {
	v := newVoiceRig(t, rigOptions{noCard: true})
	th := kioskTheme(t)
	v.heard(screenSays(t, scrAttract))
	normal := th.Sizes()
	before := largestText(v.win.Content())
	v.tap("大字")
	if !th.Large() || v.app.Screen() != scrAttract || !v.shows("标准字") {
		t.Fatalf("after 大字: large %v, screen %s, %q", th.Large(), v.app.Screen(), texts(v.win.Content()))
	}
	v.heard(ids(vp.TypeLarge))
	if large := th.Sizes(); large.Body <= normal.Body || large.Target <= normal.Target {
		t.Fatalf("large sizes %+v, normal %+v", large, normal)
	}
	if after := largestText(v.win.Content()); after <= before {
		t.Errorf("the start screen's largest type is %v units in the large mode, %v in the normal", after, before)
	}
	// On from screen to screen while the resident is here.
	v.tap("扫码")
	if v.app.Screen() != scrScan || !th.Large() || !v.shows("标准字") {
		t.Fatalf("scan screen: large %v, %q", th.Large(), texts(v.win.Content()))
	}
	for _, b := range buttons(v.win.Content()) {
		if b.sz.touch != th.Sizes().Target {
			t.Errorf("button %q built with target %v, the theme's is %v", b.label, b.sz.touch, th.Sizes().Target)
		}
	}
	// Back to the start ends it: the station's default again.
	v.tap("返回首页")
	if th.Large() || !v.shows("大字") {
		t.Fatalf("after the session: large %v, %q", th.Large(), texts(v.win.Content()))
	}
	// And 标准字 switches back by hand.
	v.tap("大字")
	v.tap("标准字")
	if th.Large() {
		t.Fatal("标准字 left the large mode on")
	}
	v.heard(screenSays(t, scrScan), screenSays(t, scrAttract), ids(vp.TypeLarge), ids(vp.TypeStandard))
}

// buttons lists the kiosk's buttons under o.
func buttons(o fyne.CanvasObject) []*button {
	var out []*button
	walk(o, nil, func(o fyne.CanvasObject, _ fyne.Tappable) {
		if b, ok := o.(*button); ok {
			out = append(out, b)
		}
	})
	return out
}

// Every resident screen has the switch, named for what it gives, in both
// languages and both modes, as a full-sized target.
func TestLargeToggleEveryScreen(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	withPrinter(r)
	th := kioskTheme(t)
	for _, large := range []bool{false, true} {
		th.SetLarge(large)
		fyne.CurrentApp().Settings().SetTheme(th)
		want := map[bool]string{false: "大字", true: "标准字"}[large]
		for _, lang := range []string{"zh-CN", "en"} {
			r.app.lang = lang
			for _, name := range Names() {
				if err := r.app.Show(name); err != nil {
					t.Fatal(err)
				}
				found := false
				for _, b := range buttons(r.win.Content()) {
					if b.label == want {
						found = true
						if s := b.Size(); s.Width < th.Sizes().Target || s.Height < th.Sizes().Target {
							t.Errorf("%s %s large=%v: %s is %v", name, lang, large, want, s)
						}
					}
				}
				if !found && name != "idle" {
					t.Errorf("%s %s large=%v: no %s button in %q", name, lang, large, want, texts(r.win.Content()))
				}
			}
		}
	}
}

// A resident who switched on the start screen and walked away: the next
// one finds the station's mode once the idle timeout has passed there.
func TestLargeResetsOnTheIdleStartScreen(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	th := kioskTheme(t)
	r.tap("大字")
	if !th.Large() {
		t.Fatal("大字 did not switch")
	}
	r.tick(r.app.idle / 2)
	if !th.Large() {
		t.Fatal("the large mode went before the idle timeout")
	}
	r.tick(r.app.idle)
	if th.Large() || !r.shows("大字") {
		t.Fatalf("after the idle timeout on the start screen: large %v, %q", th.Large(), texts(r.win.Content()))
	}
}

// ui.large_type starts every resident in the large mode, and the kiosk
// comes back to it when a session in which the resident switched to the
// normal one ends, the station ending it (the idle wipe) included.
func TestLargeStationDefault(t *testing.T) {
	th := kioskTheme(t)
	r := newRig(t, rigOptions{setup: func(o *appliance.Options) { o.Config.UI.LargeType = true }})
	if !th.Large() || !r.shows("标准字") {
		t.Fatalf("ui.large_type: large %v, %q", th.Large(), texts(r.win.Content()))
	}
	card, ok := idcardsim.Card("resident")
	if !ok {
		t.Fatal("no resident card fixture")
	}
	r.layAndAgree(card)
	r.tap("标准字")
	if th.Large() {
		t.Fatal("标准字 did not switch")
	}
	// Left standing: the station wipes the session, the screens follow.
	r.tick(r.app.idle + time.Second)
	r.tick(time.Second)
	if r.app.Screen() != scrAttract || !th.Large() {
		t.Fatalf("after the idle wipe: screen %s, large %v", r.app.Screen(), th.Large())
	}
}
