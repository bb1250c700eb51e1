// Package ui is what the kiosk's screens share: the theme (the bundled CJK
// faces, type and targets sized in millimetres on the panel) and the
// two-language helpers Tr and Pick. The screens themselves are its
// subpackages, each with the Station it asks of: kiosk (residents),
// staff and tech (the simulation's control panel, sim/simpanel, is built
// on it too); they read state from the appliance and touch their widgets
// only through fyne.Do.
package ui

import (
	"image/color"
	"math"
	"os"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
	"github.com/gridkiosk/gridkiosk/ui/mm"
)

// Sizes of the kiosk's own, beside Fyne's: the resident screens' body
// text and targets. Fyne's SizeNameText is what Fyne's own widgets
// (the staff's and technician's buttons and labels) are drawn in: 4 mm in
// either mode. Staff read their screens daily and close to, and at the
// residents' 5 mm their screens' English ran off the 7-inch panel.
const (
	// SizeNameBody is a resident screen's sentences: 5 mm, 8 mm in the
	// large mode.
	SizeNameBody fyne.ThemeSizeName = "gridkiosk-body"
	// SizeNameTarget is the least width and height of anything a
	// resident taps: 15 mm, 18 mm in the large mode.
	SizeNameTarget fyne.ThemeSizeName = "gridkiosk-target"
)

// Millimetres are the kiosk's sizes on the panel, whatever its resolution
// and diagonal: the smallest each kind of text and target may be.
type Millimetres struct {
	Caption, Body, Subheading, Title, Target float64
	// Staff is Fyne's own text size, the staff's and technician's.
	Staff float64
}

// ModeMM returns a mode's sizes. The normal mode follows the MIIT's
// age-friendly rules (2021) for a kiosk read from arm's length; the large
// mode (大字) is the one an elderly resident switches to: body text 8 mm
// and targets of 18 mm.
func ModeMM(large bool) Millimetres {
	if large {
		return Millimetres{Caption: 6, Body: 8, Subheading: 9.5, Title: 11, Target: 18, Staff: 4}
	}
	return Millimetres{Caption: 4, Body: 5, Subheading: 6.5, Title: 8, Target: 15, Staff: 4}
}

// Theme is the kiosk's look: the bundled CJK faces (bold from its own
// face), type and targets sized in millimetres on the panel, and high
// contrast. Its panel and mode may change while the kiosk runs; apply the
// change with the app's Settings().SetTheme, which redraws every window.
type Theme struct {
	base          fyne.Theme
	regular, bold fyne.Resource

	mu    sync.RWMutex
	panel mm.Panel
	scale float32
	large bool
	units Sizes
}

// Sizes are a mode's sizes in Fyne units on the theme's panel, each at
// least its Millimetres.
type Sizes struct {
	Caption, Body, Subheading, Title, Target, Staff float32
}

// NewTheme returns the kiosk theme for the 7-inch 800×480 panel at scale
// 1, the normal mode, with the faces embedded in the binary; SetPanel
// gives it the real panel.
func NewTheme() *Theme {
	return newTheme(fyne.NewStaticResource(fonts.RegularName, fonts.Regular()),
		fyne.NewStaticResource(fonts.BoldName, fonts.Bold()))
}

// NewThemeFaces is NewTheme with its faces read from the files
// fonts.InstallFaces put them in, as the kiosk runs: each time Fyne parses
// one, so that the embedded copies' pages are never read (see
// fonts.InstallFaces).
func NewThemeFaces(f fonts.Faces) *Theme {
	return newTheme(&faceFile{name: fonts.RegularName, path: f.Regular, embedded: fonts.Regular()},
		&faceFile{name: fonts.BoldName, path: f.Bold, embedded: fonts.Bold()})
}

func newTheme(regular, bold fyne.Resource) *Theme {
	t := &Theme{base: theme.DefaultTheme(), regular: regular, bold: bold}
	t.SetPanel(mm.Panel{Width: 800, Height: 480, Inches: 7}, 1)
	return t
}

// faceFile is a face Fyne reads from a file. Fyne asks for a face's bytes
// only to parse it, once per text style and again when the theme changes,
// and keeps nothing of them but what its parser copied.
type faceFile struct {
	name, path string
	embedded   []byte
}

func (f *faceFile) Name() string { return f.name }

// Content reads the file. A file that cannot be read or is not the size
// of the embedded face (removed or cut short since the kiosk started,
// which checked it) gives the embedded face: text is drawn either way,
// and the next start installs the face again.
func (f *faceFile) Content() []byte {
	b, err := os.ReadFile(f.path)
	if err != nil || len(b) != len(f.embedded) {
		return f.embedded
	}
	return b
}

// SetPanel sizes the theme for a panel at a canvas scale. It reports
// whether the sizes changed.
func (t *Theme) SetPanel(p mm.Panel, scale float32) bool {
	if scale <= 0 {
		scale = 1
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.panel, t.scale = p, scale
	return t.resize()
}

// SetLarge switches the large-type mode on or off. It reports whether the
// sizes changed.
func (t *Theme) SetLarge(on bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.large = on
	return t.resize()
}

// Large reports whether the large-type mode is on.
func (t *Theme) Large() bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.large
}

// Panel returns the panel and canvas scale the theme is sized for.
func (t *Theme) Panel() (mm.Panel, float32) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.panel, t.scale
}

// Sizes returns the mode's sizes in Fyne units.
func (t *Theme) Sizes() Sizes {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.units
}

// resize computes the sizes for the panel and mode; t.mu is held.
func (t *Theme) resize() bool {
	m := ModeMM(t.large)
	// Whole units, rounded up, so that no size falls short of its mm.
	u := func(v float64) float32 { return float32(math.Ceil(float64(t.panel.Units(v, t.scale)) - 1e-3)) }
	s := Sizes{Caption: u(m.Caption), Body: u(m.Body), Subheading: u(m.Subheading), Title: u(m.Title),
		Target: u(m.Target), Staff: u(m.Staff)}
	changed := s != t.units
	t.units = s
	return changed
}

// Font implements fyne.Theme: bold text from the bold face, the rest from
// the regular one.
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Bold {
		return t.bold
	}
	return t.regular
}

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

// Size implements fyne.Theme: text and targets in millimetres on the
// panel, the rest as Fyne has it.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	s := t.Sizes()
	switch n {
	case theme.SizeNameText:
		return s.Staff
	case SizeNameBody:
		return s.Body
	case theme.SizeNameHeadingText:
		return s.Title
	case theme.SizeNameSubHeadingText:
		return s.Subheading
	case theme.SizeNameCaptionText:
		return s.Caption
	case SizeNameTarget:
		return s.Target
	}
	return t.base.Size(n)
}
