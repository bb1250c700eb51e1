package kiosk

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// The window sizes the kiosk is made for: the 7-inch panel, 10-inch
// panels, a full-HD screen at Fyne's scale 1 and 1.5, and a 7-inch panel
// stood on end.
var windowSizes = []fyne.Size{
	{Width: 800, Height: 480}, {Width: 1024, Height: 600}, {Width: 1280, Height: 800},
	{Width: 1920, Height: 1080}, {Width: 1280, Height: 720}, {Width: 800, Height: 1280},
}

// Every screen, in both languages, fits every window: its least size is
// no larger than the window, nothing is laid out beyond the window's
// edge, no text is squeezed narrower than it is written, and everything
// tappable is at least the theme's target size square.
func TestLayoutFits(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	withPrinter(r)
	for _, size := range windowSizes {
		r.win.Resize(size)
		for _, lang := range []string{"zh-CN", "en"} {
			r.app.lang = lang
			for _, name := range Names() {
				t.Run(fmt.Sprintf("%s/%s/%.0fx%.0f", name, lang, size.Width, size.Height), func(t *testing.T) {
					if err := r.app.Show(name); err != nil {
						t.Fatal(err)
					}
					root := r.win.Content()
					// The screen's own least size: the root's is capped at
					// the window's.
					if m := r.app.root.Objects[0].MinSize(); m.Width > size.Width || m.Height > size.Height {
						t.Errorf("least size %v is larger than the window", m)
					}
					checkFits(t, root, size)
				})
			}
		}
	}
}

// withPrinter has the screens believe a printer is ready, so the done
// screen has its longest text.
func withPrinter(r *rig) {
	r.app.health.Peripherals = map[string]station.Peripheral{"printer": {State: "ready"}}
}

// checkFits walks what is laid out under root and reports what overflows.
func checkFits(t *testing.T, root fyne.CanvasObject, win fyne.Size) {
	t.Helper()
	var visit func(o fyne.CanvasObject, at fyne.Position)
	visit = func(o fyne.CanvasObject, at fyne.Position) {
		if !o.Visible() {
			return
		}
		pos, size := at.Add(o.Position()), o.Size()
		const slack = 0.5
		if size.Width > 0 && size.Height > 0 &&
			(pos.X < -slack || pos.Y < -slack || pos.X+size.Width > win.Width+slack || pos.Y+size.Height > win.Height+slack) {
			t.Errorf("%T %s at %v size %v lies beyond the window", o, describe(o), pos, size)
		}
		switch x := o.(type) {
		case *canvas.Text:
			if w := x.MinSize().Width; w > size.Width+slack {
				t.Errorf("text %q needs %.0f but has %.0f", x.Text, w, size.Width)
			}
		case *button:
			if size.Width < x.sz.touch || size.Height < x.sz.touch {
				t.Errorf("button %q is %v, less than %v square", x.label, size, x.sz.touch)
			}
			for _, c := range test.WidgetRenderer(x).Objects() {
				visit(c, pos)
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				visit(c, pos)
			}
		case *container.Scroll:
			// Its content may be longer than the screen: that is what the
			// scroll is for.
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				visit(c, pos)
			}
		}
	}
	visit(root, fyne.Position{})
}

func describe(o fyne.CanvasObject) string {
	switch x := o.(type) {
	case *canvas.Text:
		return fmt.Sprintf("%q", x.Text)
	case *button:
		return fmt.Sprintf("%q", x.label)
	case *para:
		return fmt.Sprintf("%q", x.text)
	}
	return ""
}

// goldens are the sizes and modes TestGolden draws every screen at, with
// the theme sized for the panel: both languages on the 7-inch and
// 10.1-inch panels in either mode, and Chinese on the 21.5-inch one.
var goldens = []struct {
	size  fyne.Size
	large bool
	langs []string
}{
	{fyne.NewSize(800, 480), false, []string{"zh-CN", "en"}},
	{fyne.NewSize(800, 480), true, []string{"zh-CN", "en"}},
	{fyne.NewSize(1280, 800), false, []string{"zh-CN", "en"}},
	{fyne.NewSize(1280, 800), true, []string{"zh-CN", "en"}},
	{fyne.NewSize(1920, 1080), false, []string{"zh-CN"}},
	{fyne.NewSize(1920, 1080), true, []string{"zh-CN"}},
}

// Each screen drawn at the sizes and modes of goldens, compared with
// images in testdata (name_lang_size.png, name_lang_size_large.png). A
// missing or different image is written to testdata/failed; look at it,
// and if it is right move it to testdata. Under the race detector only
// the 7-inch panel's size is drawn: drawing is all on one goroutine, and
// the detector makes the whole set take minutes.
func TestGolden(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	withPrinter(r)
	for _, g := range goldens {
		if simui.RaceDetector && g.size.Width > 800 {
			continue
		}
		panelTheme(t, r, g.size, g.large)
		suffix := map[bool]string{true: "_large"}[g.large]
		for _, lang := range g.langs {
			r.app.lang = lang
			for _, name := range Names() {
				file := fmt.Sprintf("%s_%s_%.0fx%.0f%s.png", name, lang[:2], g.size.Width, g.size.Height, suffix)
				t.Run(file, func(t *testing.T) {
					if err := r.app.Show(name); err != nil {
						t.Fatal(err)
					}
					test.AssertImageMatches(t, file, r.win.Canvas().Capture())
				})
			}
		}
	}
}

// The done screen says the receipt is printing when there is a printer,
// and not when there is none or it cannot print.
func TestDonePrinter(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	tests := []struct{ state, want, not string }{
		{"absent", "", "回执"},
		{"ready", "回执正在打印，请从屏幕下方的出纸口取走", "打印不了"},
		{"present", "回执正在打印", "打印不了"},
		{"paper_out", "回执暂时打印不了", "正在打印"},
	}
	for _, tc := range tests {
		r.app.health.Peripherals = map[string]station.Peripheral{"printer": {State: tc.state}}
		if err := r.app.Show(scrDone); err != nil {
			t.Fatal(err)
		}
		if tc.want != "" && !r.shows(tc.want) || r.shows(tc.not) {
			t.Errorf("printer %s: %q", tc.state, texts(r.win.Content()))
		}
	}
}

// A receipt that stops half way (the paper ran out) is not said to be
// printing on the done screen already showing.
func TestDonePrinterStops(t *testing.T) {
	r := newRig(t, rigOptions{noCard: true})
	printer := func(state string) station.Health {
		h := r.app.health
		h.Peripherals = map[string]station.Peripheral{"printer": {State: state}}
		return h
	}
	r.app.setHealth(printer("ready"))
	if err := r.app.Show(scrDone); err != nil {
		t.Fatal(err)
	}
	if !r.shows("回执正在打印") {
		t.Fatalf("printer ready: %q", texts(r.win.Content()))
	}
	r.app.setHealth(printer("paper_out"))
	if !r.shows("回执暂时打印不了") || r.shows("正在打印") {
		t.Errorf("paper out during the receipt: %q", texts(r.win.Content()))
	}
}

// The colour pairs the screens use read at a contrast of at least 7:1,
// WCAG's AAA level, for old eyes in a bright hall.
func TestContrast(t *testing.T) {
	tests := []struct {
		name   string
		fg, bg color.Color
	}{
		{"ink on paper", ink, paper},
		{"ink on pale", ink, pale},
		{"muted on paper", muted, paper},
		{"muted on pale", muted, pale},
		{"paper on slate", paper, slate},
		{"paper on green", paper, green},
		{"green on paper", green, paper},
		{"paper on blue", paper, blue},
		{"paper on red", paper, red},
		{"red on paper", red, paper},
		{"amber on paper", amber, paper},
		{"paper on the idle question", paper, slate},
	}
	for _, tc := range tests {
		if c := contrast(tc.fg, tc.bg); c < 7 {
			t.Errorf("%s: contrast %.1f:1, want at least 7:1", tc.name, c)
		}
	}
}

// contrast is WCAG 2's contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.Color) float64 {
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
