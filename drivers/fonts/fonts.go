// Package fonts bundles the CJK faces that the kiosk's screens and the
// receipt renderer draw Chinese with. Fyne's own font has no Chinese
// glyphs and a kiosk cannot count on the system's fonts.
//
// Regular is Droid Sans Fallback (Apache-2.0, Google; from Debian's
// fonts-droid-fallback, licence in DroidSansFallback.COPYRIGHT).
//
// Bold is a subset of Noto Sans CJK SC Bold (SIL OFL 1.1, Adobe and
// Google; from Debian's fonts-noto-cjk, licence in NotoSansCJK.COPYRIGHT),
// 0.82 MB instead of the collection's 20 MB: printable ASCII and Latin-1,
// CJK and full-width punctuation, the 3,755 hanzi of GB 2312 level 1 and
// every character in the string literals of the screens' packages and the
// demo data (subset.Sources). The kiosk's tests check that every character
// a resident screen shows is in it. A character outside it falls back, in
// Fyne, to the system's fonts: on the appliance image that is
// fonts-noto-cjk's full bold face.
//
// The bold face's line metrics are the regular face's, so that a bold
// line is as tall as a regular one. To rebuild it after the screens gain
// characters (TestBoldCoversSources says which are missing), with Debian's
// fonttools and fonts-noto-cjk installed, run from the module's root:
//
//	drivers/fonts/internal/subset/build.sh /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
package fonts

import (
	_ "embed"
	"fmt"
	"unicode"

	"golang.org/x/image/font/sfnt"
)

//go:embed DroidSansFallbackFull.ttf
var droidSansFallback []byte

//go:embed NotoSansSC-Bold-subset.otf
var notoSansSCBold []byte

// CJKName is the bundled regular face's file name.
const CJKName = "DroidSansFallbackFull.ttf"

// BoldName is the bundled bold face's file name.
const BoldName = "NotoSansSC-Bold-subset.otf"

// CJK returns the bundled regular face's TrueType bytes. Callers must not
// modify them.
func CJK() []byte { return droidSansFallback }

// Bold returns the bundled bold face's OpenType (CFF) bytes. Callers must
// not modify them.
func Bold() []byte { return notoSansSCBold }

// Missing returns the characters of s, each once in the order met, that
// face (a TrueType or OpenType font's bytes) has no glyph for. Spaces and
// control characters are not asked for.
func Missing(face []byte, s string) ([]rune, error) {
	f, err := sfnt.Parse(face)
	if err != nil {
		return nil, fmt.Errorf("fonts: parse face: %w", err)
	}
	var buf sfnt.Buffer
	seen := map[rune]bool{}
	var out []rune
	for _, r := range s {
		if seen[r] || unicode.IsSpace(r) || unicode.IsControl(r) {
			continue
		}
		seen[r] = true
		g, err := f.GlyphIndex(&buf, r)
		if err != nil {
			return nil, fmt.Errorf("fonts: glyph of %q: %w", r, err)
		}
		if g == 0 {
			out = append(out, r)
		}
	}
	return out, nil
}
