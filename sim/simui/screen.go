package simui

import (
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/ui"
)

// Main runs a package's tests in one test app with the kiosk's theme; call
// it from TestMain. One app serves every test because each new theme
// parses the 4 MB CJK font again, which takes a second under -race.
func Main(m *testing.M) {
	test.NewApp().Settings().SetTheme(ui.NewTheme())
	os.Exit(m.Run())
}

// Show puts o in a window of the given size, unpadded as the kiosk's
// full-screen window is. The window closes when t ends.
func Show(t *testing.T, o fyne.CanvasObject, size fyne.Size) fyne.Window {
	t.Helper()
	w := test.NewTempWindow(t, o)
	w.SetPadded(false)
	w.Resize(size)
	return w
}

// Texts is every text drawn and visible under o, one per line.
func Texts(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch o := o.(type) {
		case *canvas.Text:
			b.WriteString(o.Text + "\n")
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

// OnScreen reports whether want is drawn under o. Spaces and line breaks
// do not count: a label wraps its text in lines where its width ends.
func OnScreen(o fyne.CanvasObject, want string) bool {
	return strings.Contains(squeeze(Texts(o)), squeeze(want))
}

// WantOnScreen fails t, without stopping it, unless every one of want is
// on screen under o (as OnScreen has it).
func WantOnScreen(t *testing.T, o fyne.CanvasObject, want ...string) {
	t.Helper()
	got := Texts(o)
	flat := squeeze(got)
	for _, w := range want {
		if !strings.Contains(flat, squeeze(w)) {
			t.Errorf("%q is not on screen; the screen shows:\n%s", w, got)
		}
	}
}

// squeeze drops every space and line break from s.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// WaitFor polls cond for up to ten seconds and fails t if it never holds;
// what names what is awaited in the failure.
func WaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s in 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
