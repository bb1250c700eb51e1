package keyboard

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
)

// Icons are drawn here rather than taken from a font: the bundled CJK font
// has no ⌫ or arrows, and a glyph found among the system's fonts would
// differ from machine to machine. Each is a 24×24 outline.
const (
	iconBackspace = "backspace"
	iconPrev      = "prev"
	iconNext      = "next"
	iconConfirm   = "confirm"
)

func iconPath(name string) string {
	switch name {
	case iconBackspace:
		return `<path d="M8 4H22V20H8L1.5 12Z" stroke-linejoin="round"/><path d="M11.5 8.5L18 15.5M18 8.5L11.5 15.5" stroke-linecap="round"/>`
	case iconPrev:
		return `<path d="M15 4L7 12L15 20" stroke-linecap="round" stroke-linejoin="round"/>`
	case iconNext:
		return `<path d="M9 4L17 12L9 20" stroke-linecap="round" stroke-linejoin="round"/>`
	case iconConfirm:
		return `<path d="M3.5 12.5L9.5 18.5L20.5 5.5" stroke-linecap="round" stroke-linejoin="round"/>`
	}
	return ""
}

// icon returns the named icon stroked in c. The colour is part of the
// resource's name because Fyne caches a drawn image by that name.
func icon(name string, c color.Color) fyne.Resource {
	r, g, b, _ := c.RGBA()
	hex := fmt.Sprintf("%02x%02x%02x", r>>8, g>>8, b>>8)
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">` +
		`<g fill="none" stroke="#` + hex + `" stroke-width="2.5">` + iconPath(name) + `</g></svg>`
	return fyne.NewStaticResource(name+"-"+hex+".svg", []byte(svg))
}
