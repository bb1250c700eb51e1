// Package fonts bundles the CJK font that the kiosk's screens and the
// receipt renderer draw Chinese with: Droid Sans Fallback (Apache-2.0,
// Google; from Debian's fonts-droid-fallback, licence in
// DroidSansFallback.COPYRIGHT). Fyne's own font has no Chinese glyphs and a
// kiosk cannot count on the system's fonts.
package fonts

import _ "embed"

//go:embed DroidSansFallbackFull.ttf
var droidSansFallback []byte

// CJKName is the bundled font's file name.
const CJKName = "DroidSansFallbackFull.ttf"

// CJK returns the bundled font's TrueType bytes. Callers must not modify
// them.
func CJK() []byte { return droidSansFallback }
