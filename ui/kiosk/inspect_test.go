package kiosk

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// inspect runs Inspect as the simulation's handler does, off Fyne's
// goroutine, while the test's loop plays that goroutine.
func (r *rig) inspect() View {
	r.t.Helper()
	got := make(chan View, 1)
	go func() {
		v, err := r.app.Inspect(context.Background())
		if err != nil {
			r.t.Error(err)
		}
		got <- v
	}()
	var v View
	r.loop.until(r.t, "the view", func() bool {
		select {
		case v = <-got:
			return true
		default:
			return false
		}
	})
	return v
}

// target is the one target labelled l.
func (v View) target(t *testing.T, l string) Target {
	t.Helper()
	var found []Target
	for _, x := range v.Targets {
		if x.Label == l {
			found = append(found, x)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d targets labelled %q on %s: %+v", len(found), l, v.Screen, v.Targets)
	}
	return found[0]
}

// Inspect names the screen and places its targets where a tap at their
// middle lands on them: the start screen's 反映问题 opens the matters,
// the phone screen's keypad keys type the number; and it reads the
// screen's texts, the done screen's ticket among them.
func TestInspect(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	tapAt := func(v View, l string) {
		t.Helper()
		x := v.target(t, l)
		test.TapCanvas(r.win.Canvas(), fyne.NewPos(float32(x.X+x.W/2)/v.Scale, float32(x.Y+x.H/2)/v.Scale))
		r.loop.drain()
	}
	v := r.inspect()
	if v.Mode != "resident" || v.Screen != scrAttract || v.Scale <= 0 || len(v.Targets) < 4 {
		t.Fatalf("start screen: %+v", v)
	}
	tapAt(v, "反映问题")
	if v = r.inspect(); v.Screen != scrMatter {
		t.Fatalf("a tap in the middle of 反映问题 led to %q", v.Screen)
	}
	tapAt(v, "公共设施报修")
	v = r.inspect()
	if v.Screen != scrPhone {
		t.Fatalf("after the matter: %q", v.Screen)
	}
	for _, d := range "138" {
		tapAt(v, string(d))
	}
	if !r.shows("138") {
		t.Fatalf("the keypad's keys, tapped where Inspect placed them, typed nothing: %q", texts(r.win.Content()))
	}
	for _, d := range "35712345" {
		tapAt(v, string(d))
	}
	tapAt(v, "确认")
	r.loop.until(t, "the done screen", func() bool { return r.app.Screen() == scrDone })
	if done := r.inspect(); !slices.Contains(done.Texts, r.app.f.ack.Ticket) {
		t.Errorf("the done screen's texts lack the ticket %s: %q", r.app.f.ack.Ticket, done.Texts)
	}
	for _, x := range v.Targets {
		if x.W <= 0 || x.H <= 0 || x.X < 0 || x.Y < 0 || x.X+x.W > 1280 || x.Y+x.H > 800 {
			t.Errorf("target %+v is not on the 1280×800 window", x)
		}
	}
}
