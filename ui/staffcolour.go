package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// Colours of the staff and technician screens where Fyne's own fall short
// of 4.5:1: white on Fyne's primary blue #296ff6 is 4.47:1 and on its
// error red #f44336 3.68:1, and a list's selected row (#bfdaff) leaves
// the grey, green and amber of a row's state under 4.5:1.
var (
	staffPrimary   = color.NRGBA{R: 0x1f, G: 0x5f, B: 0xd1, A: 0xff} // white on it 5.8:1
	staffError     = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff} // white on it 5.6:1
	staffSelection = color.NRGBA{R: 0xd6, G: 0xe6, B: 0xfd, A: 0xff} // ink 14.9:1, touch.Grey 4.8:1
	// A disabled button's text: Fyne's #e3e3e3 on its disabled face
	// #f5f5f5 is 1.1:1, unreadable; this is 4.2:1, above the 3:1 a
	// disabled control is held to and still greyer than a working one's.
	staffDisabled = color.NRGBA{R: 0x76, G: 0x76, B: 0x76, A: 0xff}
)

// StaffColours puts o under the staff and technician screens' colours:
// the app's theme (the kiosk's faces and sizes) with a darker primary and
// error colour, a paler selection and a darker disabled text. The
// resident screens keep the app's theme as it is.
func StaffColours(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(o, staffTheme{})
}

// staffTheme is the app's theme, asked each time so that a change of
// panel or mode reaches the staff screens too, with the staff colours.
type staffTheme struct{}

func (staffTheme) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (t staffTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary:
		return staffPrimary
	case theme.ColorNameError:
		return staffError
	case theme.ColorNameSelection:
		return staffSelection
	case theme.ColorNameDisabled:
		return staffDisabled
	}
	return t.base().Color(n, v)
}

func (t staffTheme) Font(s fyne.TextStyle) fyne.Resource { return t.base().Font(s) }

func (t staffTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base().Icon(n) }

func (t staffTheme) Size(n fyne.ThemeSizeName) float32 { return t.base().Size(n) }
