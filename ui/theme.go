// Package ui is what the kiosk's screens share: the theme (the bundled CJK
// font, large type), Station (all the screens ask of the appliance) and
// the two-language helpers Tr and Pick. The screens themselves are its
// subpackages: kiosk (residents), staff and tech (the simulation's control
// panel, sim/simpanel, is built on it too); they read state from the
// appliance and touch their widgets only through fyne.Do.
package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
)

// Theme is the kiosk's look: the bundled CJK font for every text style,
// large type for elderly residents, and high contrast.
type Theme struct {
	base fyne.Theme
	font fyne.Resource
}

// NewTheme returns the kiosk theme.
func NewTheme() *Theme {
	return &Theme{
		base: theme.DefaultTheme(),
		font: fyne.NewStaticResource(fonts.CJKName, fonts.CJK()),
	}
}

// Font implements fyne.Theme.
func (t *Theme) Font(fyne.TextStyle) fyne.Resource { return t.font }

// Color implements fyne.Theme. The kiosk stays light whatever the desktop
// prefers: dark screens are hard to read in a bright service hall.
func (t *Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameForeground:
		return color.NRGBA{R: 0x11, G: 0x11, B: 0x11, A: 0xff}
	case theme.ColorNameBackground:
		return color.White
	}
	return t.base.Color(n, theme.VariantLight)
}

// Icon implements fyne.Theme.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

// Size implements fyne.Theme: text half again as large as Fyne's default.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 22
	case theme.SizeNameHeadingText:
		return 40
	case theme.SizeNameSubHeadingText:
		return 28
	case theme.SizeNameCaptionText:
		return 16
	}
	return t.base.Size(n)
}
