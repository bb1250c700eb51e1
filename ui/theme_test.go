package ui_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/mm"
)

// On each panel the kiosk is made for, at scale 1 and 1.5, in both modes,
// every text and target size is at least its millimetres and less than
// one unit more.
func TestThemeSizesInMM(t *testing.T) {
	th := ui.NewTheme()
	for _, res := range [][2]int{{800, 480}, {1280, 800}, {1920, 1080}} {
		inches, known := mm.DefaultInches(res[0], res[1])
		if !known {
			t.Fatalf("%dx%d has no default diagonal", res[0], res[1])
		}
		p := mm.Panel{Width: res[0], Height: res[1], Inches: inches}
		for _, scale := range []float32{1, 1.5} {
			for _, large := range []bool{false, true} {
				th.SetPanel(p, scale)
				th.SetLarge(large)
				want := ui.ModeMM(large)
				for _, s := range []struct {
					name fyne.ThemeSizeName
					mm   float64
				}{
					{theme.SizeNameCaptionText, want.Caption},
					{ui.SizeNameBody, want.Body},
					{theme.SizeNameText, want.Staff},
					{theme.SizeNameSubHeadingText, want.Subheading},
					{theme.SizeNameHeadingText, want.Title},
					{ui.SizeNameTarget, want.Target},
				} {
					u := th.Size(s.name)
					got := p.MM(u, scale)
					if got < s.mm || p.MM(u-1, scale) >= s.mm {
						t.Errorf("%dx%d %.1f\" scale %v large %v: %s is %v units = %.2f mm, want the least whole units ≥ %.1f mm",
							res[0], res[1], inches, scale, large, s.name, u, got, s.mm)
					}
				}
			}
		}
	}
}

// The mode's figures are the issue's: body 5 mm, titles 8 mm, captions
// 4 mm, targets 15 mm; in the large mode body 8 mm and targets 18 mm.
func TestModeMM(t *testing.T) {
	n, l := ui.ModeMM(false), ui.ModeMM(true)
	if n.Body < 5 || n.Title < 8 || n.Caption < 4 || n.Target < 15 {
		t.Errorf("normal mode %+v is below body 5, title 8, caption 4, target 15 mm", n)
	}
	if l.Body < 8 || l.Target < 18 || l.Title < n.Title || l.Caption < n.Caption || l.Subheading < n.Subheading {
		t.Errorf("large mode %+v is below body 8, target 18 mm, or smaller than the normal mode", l)
	}
}

// SetPanel and SetLarge say whether the sizes changed, so the caller
// knows to apply the theme again.
func TestThemeChanged(t *testing.T) {
	th := ui.NewTheme()
	p7 := mm.Panel{Width: 800, Height: 480, Inches: 7}
	if th.SetPanel(p7, 1) {
		t.Error("the default panel set again changed the sizes")
	}
	if !th.SetPanel(mm.Panel{Width: 1280, Height: 800, Inches: 10.1}, 1) {
		t.Error("the 10.1-inch panel did not change the sizes")
	}
	if !th.SetLarge(true) || !th.Large() || th.SetLarge(true) {
		t.Error("switching the large mode on did not change the sizes once")
	}
	if p, s := th.Panel(); p.Inches != 10.1 || s != 1 {
		t.Errorf("Panel() = %+v, %v", p, s)
	}
}

// A bold title is drawn from the bold face: its pixels differ from the
// regular title's and it lays more ink, on Chinese and on Latin text.
func TestBoldRendersBold(t *testing.T) {
	app := test.NewTempApp(t)
	app.Settings().SetTheme(ui.NewTheme())
	for _, s := range []string{"确认信息", "您的回执正在打印", "Confirm 123"} {
		t.Run(s, func(t *testing.T) {
			regular, bold := draw(t, s, false), draw(t, s, true)
			ri, bi := ink(regular), ink(bold)
			if bi < ri*115/100 {
				t.Errorf("bold lays %d of ink, regular %d: want at least 15%% more", bi, ri)
			}
			if regular.Bounds() == bold.Bounds() && string(regular.(*image.NRGBA).Pix) == string(bold.(*image.NRGBA).Pix) {
				t.Error("bold and regular draw the same pixels")
			}
		})
	}
}

// draw returns s drawn at a title's size, black on white.
func draw(t *testing.T, s string, bold bool) image.Image {
	tx := canvas.NewText(s, color.Black)
	tx.TextSize = 40
	tx.TextStyle.Bold = bold
	w := test.NewTempWindow(t, container.NewStack(canvas.NewRectangle(color.White), container.NewCenter(tx)))
	w.SetPadded(false)
	w.Resize(fyne.NewSize(520, 80))
	img := w.Canvas().Capture()
	if _, ok := img.(*image.NRGBA); !ok {
		t.Fatalf("capture is %T", img)
	}
	return img
}

// ink sums how dark each pixel is.
func ink(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			n += int(0xffff*3-r-g-bl) >> 8
		}
	}
	return n
}

func ExampleTheme_SetPanel() {
	th := ui.NewTheme()
	// The 10.1-inch 1280×800 panel, at Fyne's scale 1.
	th.SetPanel(mm.ForWindow(1280, 800, 1, 0), 1)
	s := th.Sizes()
	fmt.Printf("body %v, title %v, target %v units\n", s.Body, s.Title, s.Target)
	th.SetLarge(true)
	s = th.Sizes()
	fmt.Printf("large: body %v, target %v units\n", s.Body, s.Target)
	// Output:
	// body 30, title 48, target 89 units
	// large: body 48, target 106 units
}

// The Makefile builds and tests with -tags no_emoji: Fyne would otherwise
// parse its 4 MB colour emoji font for every text style the screens use,
// though no screen draws an emoji. A build without the tag still works;
// this says why its memory figures differ.
func TestBuiltWithoutEmojiFont(t *testing.T) {
	if f := theme.DefaultEmojiFont(); f != nil {
		t.Fatalf("Fyne's emoji font %q is built in: build and test through make, or go with -tags no_emoji (the Makefile exports GOFLAGS=-tags=no_emoji)", f.Name())
	}
}

// The kiosk's theme reads its faces from the files fonts.InstallFaces
// wrote, not from the binary's copies (whose pages would then stay
// resident), draws as the embedded theme does, and falls back to the
// binary's copy of a face whose file has gone.
func TestThemeFacesFromFiles(t *testing.T) {
	faces, err := fonts.InstallFaces(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	th := ui.NewThemeFaces(faces)
	for _, tc := range []struct {
		style    fyne.TextStyle
		name     string
		embedded []byte
	}{
		{fyne.TextStyle{}, fonts.RegularName, fonts.Regular()},
		{fyne.TextStyle{Bold: true}, fonts.BoldName, fonts.Bold()},
	} {
		res := th.Font(tc.style)
		b := res.Content()
		if res.Name() != tc.name || !bytes.Equal(b, tc.embedded) {
			t.Fatalf("%s: the theme's face is %q, %d bytes; want %q, the embedded face's bytes", tc.name, res.Name(), len(b), tc.name)
		}
		if &b[0] == &tc.embedded[0] {
			t.Errorf("%s: the theme gave the binary's copy while the file was there", tc.name)
		}
	}
	app := test.NewTempApp(t)
	app.Settings().SetTheme(ui.NewTheme())
	want := []image.Image{draw(t, "确认信息 Confirm", false), draw(t, "确认信息 Confirm", true)}
	app.Settings().SetTheme(th)
	for i, got := range []image.Image{draw(t, "确认信息 Confirm", false), draw(t, "确认信息 Confirm", true)} {
		if string(got.(*image.NRGBA).Pix) != string(want[i].(*image.NRGBA).Pix) {
			t.Errorf("text (bold %v) drawn from the installed faces differs from the embedded faces'", i == 1)
		}
	}
	if err := os.Remove(faces.Bold); err != nil {
		t.Fatal(err)
	}
	if b := th.Font(fyne.TextStyle{Bold: true}).Content(); &b[0] != &fonts.Bold()[0] {
		t.Error("with its file gone, the bold face is not the binary's copy")
	}
}
