package keyboard

import (
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
)

// cjkTheme is Fyne's test theme drawing text in the kiosk's bundled CJK
// font, as ui.Theme does; importing ui here would tie these tests to the
// appliance packages the screens need.
type cjkTheme struct {
	fyne.Theme
	font, bold fyne.Resource
}

// Font is the kiosk's choice: bold text from its bold face, which has
// Latin letters as well (the mode tag's).
func (t cjkTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Bold {
		return t.bold
	}
	return t.font
}

// TestMain makes one test app for all the tests: each new app or theme
// makes Fyne parse the 4 MB font again, which under -race takes a second.
func TestMain(m *testing.M) {
	test.NewApp().Settings().SetTheme(cjkTheme{
		Theme: test.Theme(),
		font:  fyne.NewStaticResource(fonts.CJKName, fonts.CJK()),
		bold:  fyne.NewStaticResource(fonts.BoldName, fonts.Bold()),
	})
	os.Exit(m.Run())
}

// field stands for the text field a keyboard types into.
type field struct {
	text []rune
	done int
}

func (f *field) commit(s string) { f.text = append(f.text, []rune(s)...) }

func (f *field) backspace() {
	if len(f.text) > 0 {
		f.text = f.text[:len(f.text)-1]
	}
}

func (f *field) String() string { return string(f.text) }
