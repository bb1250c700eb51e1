package kiosk

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
)

// Icons are drawn here as 24×24 outlines: the bundled CJK font has no
// pictographs, Fyne's theme icons have nothing for a dispute or a
// certificate, and a glyph found among the system's fonts would differ
// from machine to machine.

// categoryGlyph returns the drawing for one of the hub's category codes.
// A code the kiosk does not know gets docGlyph: the hub may add
// categories at any time, and a plain sheet of paper suits any matter.
func categoryGlyph(code string) string {
	switch code {
	case "dispute": // two speech bubbles: people who disagree
		return `<path d="M2.5 4.5h11v7h-6l-3 3v-3h-2z" stroke-linejoin="round"/><path d="M10.5 13.5v3h6l3 3v-3h2v-7h-5" stroke-linejoin="round"/>`
	case "hazard": // a warning triangle
		return `<path d="M12 2.8L22 20.5H2z" stroke-linejoin="round"/><path d="M12 9v5.5M12 17.2v.3" stroke-linecap="round"/>`
	case "sanitation": // a rubbish bin
		return `<path d="M4 6.5h16M9.5 6.5V4h5v2.5M6 6.5l1.2 14h9.6l1.2-14" stroke-linejoin="round" stroke-linecap="round"/><path d="M10 10v7.5M14 10v7.5" stroke-linecap="round"/>`
	case "repair": // a wrench
		return `<path d="M14.5 3.5a5 5 0 0 0-4.6 6.9L3.2 17.1a2.1 2.1 0 0 0 3 3l6.7-6.7a5 5 0 0 0 6.9-4.6l-3 3-3.2-.6-.6-3.2z" stroke-linejoin="round"/>`
	case "livelihood": // a heart
		return `<path d="M12 20.5s-8.5-5.2-8.5-11a4.6 4.6 0 0 1 8.5-2.5 4.6 4.6 0 0 1 8.5 2.5c0 5.8-8.5 11-8.5 11z" stroke-linejoin="round"/>`
	case "policy": // a question in a circle
		return `<circle cx="12" cy="12" r="9.5"/><path d="M9.2 9.3a2.9 2.9 0 1 1 4.1 2.6c-.9.4-1.3 1.1-1.3 2v.6M12 17.3v.3" stroke-linecap="round"/>`
	case "certificate": // a sheet with a seal
		return `<path d="M5 2.5h10l4 4v15H5z" stroke-linejoin="round"/><path d="M8 8h7M8 11.5h8" stroke-linecap="round"/><circle cx="14.5" cy="16.5" r="2.3"/>`
	case "returnee": // a house with an arrow coming home
		return `<path d="M3 11.5L12 4l9 7.5M5.5 9.5v11h13v-11" stroke-linejoin="round" stroke-linecap="round"/><path d="M8 15.5h6.5M12 13l2.5 2.5L12 18" stroke-linecap="round" stroke-linejoin="round"/>`
	}
	return docGlyph
}

// docGlyph is a sheet of paper, for categories without their own icon.
const docGlyph = `<path d="M5 2.5h10l4 4v15H5z" stroke-linejoin="round"/><path d="M8 9h8M8 12.5h8M8 16h5" stroke-linecap="round"/>`

// Glyphs of the screens themselves.
const (
	// An ID card.
	cardGlyph = `<rect x="2" y="5" width="20" height="14" rx="2"/><circle cx="8" cy="11" r="2.2"/><path d="M4.8 16.3c.6-1.8 1.8-2.6 3.2-2.6s2.6.8 3.2 2.6M14 10h5M14 13.5h4" stroke-linecap="round"/>`
	// A tick, for a number typed right.
	tickGlyph = `<path d="M3.5 12.5L9.5 18.5L20.5 5.5" stroke-linecap="round" stroke-linejoin="round"/>`
	// A cross in a circle, for one typed wrong.
	crossGlyph = `<circle cx="12" cy="12" r="9.5"/><path d="M8.5 8.5l7 7M15.5 8.5l-7 7" stroke-linecap="round"/>`
)

// categoryIcon returns the drawing for a category code.
func categoryIcon(code string) func(color.Color) fyne.Resource {
	g := categoryGlyph(code)
	if g == docGlyph {
		code = "doc"
	}
	return func(c color.Color) fyne.Resource { return glyph(code, g, c) }
}

// glyph returns a drawing stroked in c. The colour is part of the
// resource's name because Fyne caches a drawn image by that name.
func glyph(name, paths string, c color.Color) fyne.Resource {
	r, g, b, _ := c.RGBA()
	hex := fmt.Sprintf("%02x%02x%02x", r>>8, g>>8, b>>8)
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">` +
		`<g fill="none" stroke="#` + hex + `" stroke-width="1.8">` + paths + `</g></svg>`
	return fyne.NewStaticResource("kiosk-"+name+"-"+hex+".svg", []byte(svg))
}
