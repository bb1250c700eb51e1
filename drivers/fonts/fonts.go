// Package fonts bundles the CJK faces that the kiosk's screens and the
// receipt renderer draw Chinese with. Fyne's own font has no Chinese
// glyphs and a kiosk cannot count on the system's fonts.
//
// CJK is Droid Sans Fallback (Apache-2.0, Google; from Debian's
// fonts-droid-fallback, licence in DroidSansFallback.COPYRIGHT): 28,601
// characters, every hanzi of the URO and of Extension A. Receipts are drawn
// with it.
//
// Regular, the screens' face, is a subset of it: printable ASCII and
// Latin-1, CJK and full-width punctuation, the whole of GB 2312 (6,763
// hanzi and its symbols) and every character in the string literals of the
// screens' packages and the demo data (subset.Sources): 1.0 MB instead of
// 4 MB, its glyphs unchanged. Fyne parses a screen face once per text
// style, keeping every glyph's outline, about 16 MiB for the full face and
// 4 MiB for the subset; the full face stands behind the subset once, as
// the fallback Fyne looks for among the system's fonts (InstallFallback),
// so that a name with a character outside GB 2312 still shows it. To
// rebuild the subset after the screens gain characters (TestRegularCoversSources
// says which are missing), with Debian's fonttools installed, run from the
// module's root:
//
//	drivers/fonts/internal/subset/regular.sh
//
// Bold is a subset of Noto Sans CJK SC Bold (SIL OFL 1.1, Adobe and
// Google; from Debian's fonts-noto-cjk, licence in NotoSansCJK.COPYRIGHT),
// 1.5 MB instead of the collection's 20 MB: printable ASCII and Latin-1,
// CJK and full-width punctuation, all of GB 2312 (its 6,763 hanzi, so
// that a name typed into a field box, which is drawn bold, is bold) and
// every character in the string literals of the screens' packages and the
// demo data (subset.Sources). The kiosk's tests check that every character
// a resident screen shows is in it. A character outside it falls back, in
// Fyne, to the system's fonts, where InstallFallback put the rest of the
// full regular face: the appliance image has no system fonts, since Fyne
// loads one for the locale's language at start whether it draws with it
// or not (fonts-noto-cjk's two faces: 42 MB of heap).
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

//go:embed DroidSansFallback-subset.ttf
var droidSansFallbackSubset []byte

//go:embed DroidSansFallback-rest.ttf
var droidSansFallbackRest []byte

// CJKName is the bundled full face's file name.
const CJKName = "DroidSansFallbackFull.ttf"

// RegularName is the screens' regular face's file name.
const RegularName = "DroidSansFallback-subset.ttf"

// RestName is the file name of the face that holds the rest of the full
// face's characters, those not in the screens' regular face.
const RestName = "DroidSansFallback-rest.ttf"

// BoldName is the bundled bold face's file name.
const BoldName = "NotoSansSC-Bold-subset.otf"

// CJK returns the bundled full face's TrueType bytes. Callers must not
// modify them.
func CJK() []byte { return droidSansFallback }

// Regular returns the screens' regular face's TrueType bytes, a subset of
// CJK's. Callers must not modify them.
func Regular() []byte { return droidSansFallbackSubset }

// Rest returns the TrueType bytes of the face holding CJK's characters
// that Regular lacks; InstallFallback puts it where Fyne finds it. Callers
// must not modify them.
func Rest() []byte { return droidSansFallbackRest }

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
