package simpanel

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/ui"
)

// touch is the least height of a key. The panel is used with a mouse on a
// developer's desktop, so it is smaller than the kiosk's 80.
const touch = 56

var (
	unlit = color.NRGBA{R: 0xd6, G: 0xd8, B: 0xdb, A: 0xff}
	edge  = color.NRGBA{R: 0x5f, G: 0x63, B: 0x68, A: 0xff}
)

// outputs in the order shown: the four lamps, the buzzer and the relay,
// each with its lit colour.
func outputs() []struct {
	key, zh, en string
	lit         color.NRGBA
} {
	return []struct {
		key, zh, en string
		lit         color.NRGBA
	}{
		{"ready", "就绪", "Ready", color.NRGBA{R: 0x1b, G: 0xa8, B: 0x4a, A: 0xff}},
		{"offline", "离线", "Offline", color.NRGBA{R: 0xf0, G: 0x9a, B: 0x00, A: 0xff}},
		{"attention", "注意", "Attention", color.NRGBA{R: 0xe0, G: 0x24, B: 0x24, A: 0xff}},
		{"busy", "忙碌", "Busy", color.NRGBA{R: 0x1f, G: 0x6f, B: 0xeb, A: 0xff}},
		{"buzzer", "蜂鸣器", "Buzzer", color.NRGBA{R: 0x7b, G: 0x3f, B: 0xc4, A: 0xff}},
		{"relay", "呼叫铃", "Call bell", color.NRGBA{R: 0xe0, G: 0x24, B: 0x24, A: 0xff}},
	}
}

// lamps shows the emulated panel's outputs.
type lamps struct {
	dots    map[string]*canvas.Circle
	lit     map[string]color.NRGBA
	beeps   *widget.Label
	content fyne.CanvasObject
}

func newLamps(lang string) *lamps {
	l := &lamps{dots: map[string]*canvas.Circle{}, lit: map[string]color.NRGBA{}, beeps: widget.NewLabel("")}
	row := container.NewHBox()
	for _, o := range outputs() {
		d := canvas.NewCircle(unlit)
		d.StrokeColor, d.StrokeWidth = edge, 1
		l.dots[o.key], l.lit[o.key] = d, o.lit
		row.Add(container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(24), d)))
		row.Add(widget.NewLabel(ui.Tr(lang, o.zh, o.en)))
	}
	row.Add(l.beeps)
	l.content = row
	return l
}

// show lights the lamps as PanelOutputs reports them: {"leds": {name:
// bool}, "buzzer": bool, "relay": bool, "beeps": int}, or the same
// decoded from JSON.
func (l *lamps) show(out map[string]any) {
	on := map[string]bool{}
	if leds, ok := out["leds"].(map[string]bool); ok {
		for k, v := range leds {
			on[k] = v
		}
	} else if leds, ok := out["leds"].(map[string]any); ok {
		for k, v := range leds {
			on[k], _ = v.(bool)
		}
	}
	on["buzzer"], _ = out["buzzer"].(bool)
	on["relay"], _ = out["relay"].(bool)
	for k, d := range l.dots {
		c := unlit
		if on[k] {
			c = l.lit[k]
		}
		if d.FillColor != c {
			d.FillColor = c
			d.Refresh()
		}
	}
	switch n := out["beeps"].(type) {
	case int:
		setText(l.beeps, "♪ "+strconv.Itoa(n))
	case float64:
		setText(l.beeps, "♪ "+strconv.Itoa(int(n)))
	}
}

// compact is the app's theme with smaller type, so the panel's keys fit a
// window beside the kiosk's.
type compact struct{}

func (compact) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (c compact) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return c.base().Color(n, v)
}

func (c compact) Font(s fyne.TextStyle) fyne.Resource { return c.base().Font(s) }

func (c compact) Icon(n fyne.ThemeIconName) fyne.Resource { return c.base().Icon(n) }

func (c compact) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return 16
	}
	return c.base().Size(n)
}

// atLeast lays its object full size and asks for at least h of height.
type atLeast float32

func (a atLeast) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (a atLeast) MinSize(objs []fyne.CanvasObject) fyne.Size {
	min := fyne.NewSize(0, float32(a))
	for _, o := range objs {
		min = min.Max(o.MinSize())
	}
	return min
}

// fixedWidth asks for exactly its width and centres its object on the
// height: a heading level with the keys beside it.
type fixedWidth float32

func (f fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		h := min(o.MinSize().Height, size.Height)
		o.Move(fyne.NewPos(0, (size.Height-h)/2))
		o.Resize(fyne.NewSize(size.Width, h))
	}
}

func (f fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(f), h)
}
