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

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
	"github.com/gridkiosk/gridkiosk/ui"
)

// TestMain puts the full face's other characters where Fyne looks among
// the system's fonts, as gridkiosk run does, before any test draws text:
// Fyne reads the system's fonts once per process.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ui-fonts-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dirs, err := fonts.InstallFallback(dir, os.Getenv("XDG_DATA_DIRS"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_DATA_DIRS", dirs)
	os.Setenv("XDG_CACHE_HOME", dir) // go-text's index of the fonts it found
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// A name may hold any character of the full face, not only those of the
// screens' subset: each is drawn with the full face's glyph, the same
// pixels as text drawn from the full face itself, and not as the box of a
// missing glyph.
func TestRareNameCharacterDrawn(t *testing.T) {
	app := test.NewTempApp(t)
	app.Settings().SetTheme(ui.NewTheme())
	full := fyne.NewStaticResource(fonts.CJKName, fonts.CJK())
	missing := drawWith(t, "\U0002A6D6", nil) // CJK Extension B: in no bundled face
	for _, s := range []string{
		"㐀", // U+3400, CJK Extension A
		"龘", // U+9F98, outside GB 2312
		"堃", // U+5803, a name's character outside GB 2312
		"喆", // U+5586, likewise
		"䶮", // U+4DAE, Extension A, in a name many know
	} {
		t.Run(s, func(t *testing.T) {
			if got, err := fonts.Missing(fonts.Regular(), s); err != nil || len(got) == 0 {
				t.Fatalf("%s is in the screens' subset (%v): the test proves nothing", s, err)
			}
			got, want := drawWith(t, s, nil), drawWith(t, s, full)
			if ink(got) == 0 || same(got, missing) {
				t.Fatalf("%s drawn as a missing glyph", s)
			}
			if !same(got, want) {
				t.Errorf("%s drawn otherwise than from the full face", s)
			}
		})
	}
}

// drawWith returns s drawn at body size, black on white, from the theme's
// faces, or from source when it is not nil.
func drawWith(t *testing.T, s string, source fyne.Resource) image.Image {
	tx := canvas.NewText(s, color.Black)
	tx.TextSize = 40
	tx.FontSource = source
	w := test.NewTempWindow(t, container.NewStack(canvas.NewRectangle(color.White), container.NewCenter(tx)))
	w.SetPadded(false)
	w.Resize(fyne.NewSize(120, 80))
	return w.Canvas().Capture()
}

func same(a, b image.Image) bool {
	na, ok1 := a.(*image.NRGBA)
	nb, ok2 := b.(*image.NRGBA)
	return ok1 && ok2 && na.Bounds() == nb.Bounds() && bytes.Equal(na.Pix, nb.Pix)
}
