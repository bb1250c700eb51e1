package agefit

import (
	"image/color"
	"os"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui/mm"
)

func TestMain(m *testing.M) {
	test.NewApp()
	os.Exit(m.Run())
}

// panel7 is the 7-inch 800×480 panel: 5.247 units a millimetre at scale 1.
var panel7 = mm.Panel{Width: 800, Height: 480, Inches: 7}

// u is mm millimetres in units on panel7, a hair over so that float32
// rounding does not take it under.
func u(mm float64) float32 { return panel7.Units(mm, 1) + 1e-3 }

var (
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	black = color.NRGBA{0x11, 0x11, 0x11, 0xff}
	grey  = color.NRGBA{0x99, 0x99, 0x99, 0xff} // 2.8:1 on white
	green = color.NRGBA{0x0f, 0x5c, 0x2a, 0xff}
)

// at places o at x, y with size w×h, in units.
func at(o fyne.CanvasObject, x, y, w, h float32) fyne.CanvasObject {
	o.Move(fyne.NewPos(x, y))
	o.Resize(fyne.NewSize(w, h))
	return o
}

func txt(s string, mmSize float64, c color.Color) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = u(mmSize)
	return t
}

// sized is a text in a box exactly its size, at x, y.
func sized(t *canvas.Text, x, y float32) fyne.CanvasObject {
	m := t.MinSize()
	return at(t, x, y, m.Width, m.Height)
}

func rectOf(c color.Color, x, y, w, h float32) fyne.CanvasObject {
	return at(canvas.NewRectangle(c), x, y, w, h)
}

// tap is a tappable face with a label in title type.
type tap struct {
	widget.BaseWidget
	label string
}

func (b *tap) Tapped(*fyne.PointEvent) {}

func (b *tap) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(canvas.NewRectangle(green), container.NewCenter(txt(b.label, 8, white))))
}

func tappable(label string, x, y, w, h float32) fyne.CanvasObject {
	b := &tap{label: label}
	b.ExtendBaseWidget(b)
	return at(b, x, y, w, h)
}

// Each rule, a tree that meets it and one that does not.
func TestRules(t *testing.T) {
	win := fyne.NewSize(800, 480)
	minimum := Min{Text: 4, Body: 5, Title: 8, Target: 15, Contrast: 4.5}
	tests := []struct {
		name string
		root fyne.CanvasObject
		want []Rule // findings expected, by rule; nil: none
		obj  string // a finding's object must contain this
	}{
		{"text meets", container.NewWithoutLayout(
			sized(txt("请确认", 8, black), 10, 10), sized(txt("您的信息", 5, black), 10, 100),
			sized(txt("说明", 4, black), 10, 200)), nil, ""},
		{"caption too small", container.NewWithoutLayout(
			sized(txt("请确认", 8, black), 10, 10), sized(txt("您的信息您的信息", 5, black), 10, 100),
			sized(txt("小字", 3.5, black), 10, 200)), []Rule{RuleText}, "text '小字'"},
		{"body too small", container.NewWithoutLayout(
			sized(txt("请确认", 8, black), 10, 10), sized(txt("大部分的文字都在这里", 4.5, black), 10, 100)),
			[]Rule{RuleBody}, "body text '大部分的文字都在这里'"},
		{"no title size", container.NewWithoutLayout(
			sized(txt("请确认", 6, black), 10, 10), sized(txt("您的信息您的信息", 5, black), 10, 100)),
			[]Rule{RuleTitle}, "largest text '请确认'"},
		{"target meets", container.NewWithoutLayout(
			sized(txt("请确认", 8, black), 10, 10), tappable("好", 10, 100, u(15), u(15))), nil, ""},
		{"target too low", container.NewWithoutLayout(
			sized(txt("请确认", 8, black), 10, 10), tappable("下一步", 10, 100, u(40), u(12))),
			[]Rule{RuleTarget}, "target '下一步'"},
		{"contrast meets on a filled face", container.NewWithoutLayout(
			rectOf(green, 0, 0, 400, 200), sized(txt("同意", 8, white), 10, 10)), nil, ""},
		{"contrast too low", container.NewWithoutLayout(
			sized(txt("请确认", 8, grey), 10, 10)), []Rule{RuleContrast}, "text '请确认'"},
		{"contrast of white on the white behind a face it is not on", container.NewWithoutLayout(
			rectOf(green, 0, 0, 50, 50), sized(txt("同意", 8, white), 100, 100)), []Rule{RuleContrast}, "#ffffff on #ffffff"},
		{"contrast of dark grey on white", container.NewWithoutLayout(
			sized(txt("请确认", 8, color.NRGBA{0x55, 0x55, 0x55, 0xff}), 10, 10)), nil, ""},
		{"contrast of dark grey under a dark translucent shade", container.NewWithoutLayout(
			rectOf(color.NRGBA{0, 0, 0, 0xa0}, 0, 0, 800, 480), sized(txt("请确认", 8, color.NRGBA{0x55, 0x55, 0x55, 0xff}), 10, 10)),
			[]Rule{RuleContrast}, "on #5f5f5f"},
		{"clipped across", container.NewWithoutLayout(
			at(txt("一个很长的标题", 8, black), 10, 10, 60, u(12))), []Rule{RuleClipped}, "its box has 60"},
		{"clipped by the window", container.NewWithoutLayout(
			sized(txt("请确认", 8, black), 700, 10)), []Rule{RuleClipped}, "beyond the 800×480 window"},
		{"in a scroll, past the window is not clipped", container.NewWithoutLayout(
			at(container.NewVScroll(container.NewWithoutLayout(sized(txt("请确认", 8, black), 10, 600))), 0, 0, 800, 480)), nil, ""},
		{"overlap", container.NewWithoutLayout(
			sized(txt("请确认", 8, black), 10, 10), sized(txt("您的信息", 8, black), 40, 20)),
			[]Rule{RuleOverlap}, "drawn over text '您的信息'"},
		{"side by side is no overlap", container.NewWithoutLayout(
			sized(txt("请确认", 8, black), 10, 10), sized(txt("您的信息", 8, black), 10+txt("请确认", 8, black).MinSize().Width, 10)),
			nil, ""},
		{"a text under a question's shade is not audited", container.NewWithoutLayout(
			sized(txt("小字", 2, black), 10, 10), tappable("好", 10, 100, u(5), u(5)),
			rectOf(color.NRGBA{0, 0, 0, 0xc0}, 0, 0, 800, 480),
			rectOf(white, 100, 100, 600, 300), sized(txt("还要继续吗", 8, black), 120, 120),
			sized(txt("还要继续吗", 8, black), 120, 125)), []Rule{RuleOverlap}, "drawn over text '还要继续吗'"},
		{"a text under a faint shade is audited", container.NewWithoutLayout(
			sized(txt("小字", 2, black), 10, 10), rectOf(color.NRGBA{0, 0, 0, 0x20}, 0, 0, 800, 480),
			sized(txt("还要继续吗", 8, black), 120, 120)), []Rule{RuleText}, "text '小字'"},
		{"hidden text is not audited", container.NewWithoutLayout(
			sized(txt("请确认", 8, black), 10, 10), hidden(sized(txt("小", 1, grey), 10, 100))), nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Audit("test", tc.root, win, Options{Panel: panel7, Min: minimum})
			if got := r.Rules(); !slices.Equal(got, tc.want) {
				t.Fatalf("findings by rule %v, want %v:\n%s", got, tc.want, findings(r))
			}
			if tc.obj != "" && !strings.Contains(findings(r), tc.obj) {
				t.Errorf("no finding names %q:\n%s", tc.obj, findings(r))
			}
		})
	}
}

func hidden(o fyne.CanvasObject) fyne.CanvasObject { o.Hide(); return o }

func findings(r Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

// The figures: sizes in mm on the panel, the smallest of each kind, and a
// finding written as a developer reads it.
func TestFigures(t *testing.T) {
	root := container.NewWithoutLayout(
		rectOf(white, 0, 0, 800, 480),
		sized(txt("确认信息", 3.9, black), 10, 10),
		sized(txt("标题", 8, black), 10, 100),
		tappable("下一步", 10, 300, u(30), u(16)),
		tappable("返回", 300, 300, u(30), u(15)),
	)
	r := Audit("confirm", root, fyne.NewSize(800, 480), Options{Panel: panel7, Min: Min{Text: 5}})
	// The buttons' labels are 8 mm white on green (8.1:1).
	small, ok := r.SmallestText()
	if !ok || small.Label != "确认信息" || small.EmMM < 3.85 || small.EmMM > 3.95 {
		t.Errorf("smallest text %+v", small)
	}
	tg, ok := r.SmallestTarget()
	if !ok || tg.Label != "返回" || tg.HeightMM < 14.9 || tg.HeightMM > 15.1 {
		t.Errorf("smallest target %+v", tg)
	}
	low, ok := r.LowestContrast()
	if !ok || low.Label != "下一步" || low.Contrast < 8 || low.Contrast > 8.2 {
		t.Errorf("lowest contrast %+v: white on green is 8.1:1", low)
	}
	if len(r.Findings) != 1 || r.Findings[0].String() != "screen confirm, text '确认信息': 3.9 mm < 5 mm" {
		t.Errorf("findings:\n%s", findings(r))
	}
	want := "confirm: text 3.9 mm '确认信息'; target 30.0×15.0 mm '返回'; contrast 8.1:1 '下一步'"
	if got := r.Summary(); got != want {
		t.Errorf("Summary() = %q\nwant        %q", got, want)
	}
}

// The canvas scale counts: at scale 2 a unit is two pixels, so the same
// text is twice as large on the panel.
func TestScale(t *testing.T) {
	root := sized(txt("字", 3, black), 0, 0)
	r := Audit("s", root, fyne.NewSize(400, 240), Options{Panel: panel7, Scale: 2, Min: Min{Text: 5}})
	if s, _ := r.SmallestText(); s.EmMM < 5.9 || s.EmMM > 6.1 || len(r.Findings) != 0 {
		t.Errorf("a 3 mm text at scale 2 is %.2f mm; findings:\n%s", s.EmMM, findings(r))
	}
}

// A disabled button's text is held to DisabledContrast, a working one's
// and every other text to Contrast; without DisabledContrast a disabled
// one is held to Contrast too.
func TestDisabledContrast(t *testing.T) {
	mid := color.NRGBA{0x8a, 0x8a, 0x8a, 0xff}   // 3.4:1 on white
	faint := color.NRGBA{0xb0, 0xb0, 0xb0, 0xff} // 2.1:1 on white
	build := func(fg color.Color, disabled bool) fyne.CanvasObject {
		box := &disabledBox{disabled: disabled}
		box.ExtendBaseWidget(box)
		box.content = container.NewWithoutLayout(sized(txt("页", 5, fg), 0, 0))
		return container.NewWithoutLayout(at(box, 10, 10, 200, 60))
	}
	for _, tc := range []struct {
		name     string
		fg       color.Color
		disabled bool
		min      Min
		want     int
	}{
		{"enabled at 3.4:1", mid, false, Min{Contrast: 4.5, DisabledContrast: 3}, 1},
		{"disabled at 3.4:1", mid, true, Min{Contrast: 4.5, DisabledContrast: 3}, 0},
		{"disabled at 2.1:1", faint, true, Min{Contrast: 4.5, DisabledContrast: 3}, 1},
		{"disabled, no disabled rule", mid, true, Min{Contrast: 4.5}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Audit("s", build(tc.fg, tc.disabled), fyne.NewSize(400, 240), Options{Panel: panel7, Min: tc.min})
			if len(r.Findings) != tc.want {
				t.Errorf("%d findings, want %d:\n%s", len(r.Findings), tc.want, findings(r))
			}
			if tx, _ := r.LowestContrast(); tx.Disabled != tc.disabled {
				t.Errorf("text '页' Disabled = %v, want %v", tx.Disabled, tc.disabled)
			}
		})
	}
}

// disabledBox is a control that may be disabled, showing content.
type disabledBox struct {
	widget.BaseWidget
	content  fyne.CanvasObject
	disabled bool
}

func (d *disabledBox) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(d.content)
}
func (d *disabledBox) Disabled() bool { return d.disabled }
func (d *disabledBox) Disable()       { d.disabled = true }
func (d *disabledBox) Enable()        { d.disabled = false }

// WCAG's own examples: black on white 21:1, white on white 1:1, and
// #777 on white about 4.48:1, just under AA.
func TestContrast(t *testing.T) {
	for _, tc := range []struct {
		a, b     color.Color
		lo, high float64
	}{
		{color.Black, color.White, 21, 21},
		{color.White, color.White, 1, 1},
		{color.NRGBA{0x77, 0x77, 0x77, 0xff}, color.White, 4.47, 4.49},
	} {
		if c := Contrast(tc.a, tc.b); c < tc.lo-1e-9 || c > tc.high+1e-9 {
			t.Errorf("Contrast(%v, %v) = %.3f, want %.2f..%.2f", tc.a, tc.b, c, tc.lo, tc.high)
		}
	}
}

// BenchmarkAudit audits a screen of 40 texts on faces and 12 targets,
// about what a resident screen holds.
func BenchmarkAudit(b *testing.B) {
	root := container.NewWithoutLayout(rectOf(white, 0, 0, 800, 480))
	for i := range 40 {
		x, y := float32(i%4)*200, float32(i/4)*48
		root.Add(rectOf(green, x, y, 190, 44))
		root.Add(sized(txt("请核对您的信息", 4, white), x+4, y+2))
	}
	for i := range 12 {
		root.Add(tappable("好", float32(i%6)*130, 400+float32(i/6)*40, u(15), u(15)))
	}
	o := Options{Panel: panel7, Min: Min{Text: 4, Body: 5, Title: 8, Target: 15, Contrast: 4.5}}
	for b.Loop() {
		Audit("bench", root, fyne.NewSize(800, 480), o)
	}
}
