package fonts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/gridkiosk/gridkiosk/drivers/fonts/internal/subset"
)

// has returns which of rs face has a glyph for.
func has(t *testing.T, face []byte, rs []rune) map[rune]bool {
	t.Helper()
	f, err := sfnt.Parse(face)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	out := map[rune]bool{}
	for _, r := range rs {
		g, err := f.GlyphIndex(&buf, r)
		if err != nil {
			t.Fatal(err)
		}
		if g != 0 {
			out[r] = true
		}
	}
	return out
}

// cjkRange is every code point of the planes the full face draws from.
func cjkRange() []rune {
	var rs []rune
	for r := rune(0x20); r <= 0xffff; r++ {
		if !unicode.Is(unicode.Cs, r) {
			rs = append(rs, r)
		}
	}
	for r := rune(0x20000); r <= 0x2ffff; r++ {
		rs = append(rs, r)
	}
	return rs
}

// The screens' regular face keeps every character of GB 2312 and of the
// screens' sources that the full face has, and the rest face holds every
// other character of the full face: between them nothing is lost. The
// rest face holds none of GB 2312's hanzi, so that go-text's font scan
// does not take it for a Chinese face, which Fyne would parse at start
// for every text style; it is read only for a character the subset lacks.
func TestRegularAndRestCoverTheFullFace(t *testing.T) {
	all := cjkRange()
	full, reg, rest := has(t, CJK(), all), has(t, Regular(), all), has(t, Rest(), all)
	want := append(subset.Fixed(), subset.GB2312()...)
	for _, dir := range subset.Sources() {
		rs, err := subset.Literals(filepath.Join("..", "..", dir))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, rs...)
	}
	var lostReg []rune
	for _, r := range want {
		if full[r] && !reg[r] {
			lostReg = append(lostReg, r)
		}
	}
	if len(lostReg) > 0 {
		t.Errorf("the regular face lacks %d characters it should keep: %q; rebuild it (see the package doc)", len(lostReg), string(lostReg[:min(len(lostReg), 40)]))
	}
	var lost []rune
	for r := range full {
		if !reg[r] && !rest[r] {
			lost = append(lost, r)
		}
	}
	if len(lost) > 0 {
		slices.Sort(lost)
		t.Errorf("%d characters of the full face are in neither the regular nor the rest face: %q", len(lost), string(lost[:min(len(lost), 40)]))
	}
	var hanzi []rune
	for _, r := range subset.GB2312() {
		if unicode.Is(unicode.Han, r) && rest[r] {
			hanzi = append(hanzi, r)
		}
	}
	if len(hanzi) > 0 {
		t.Errorf("the rest face holds %d of GB 2312's hanzi, e.g. %q", len(hanzi), string(hanzi[:min(len(hanzi), 20)]))
	}
	if len(reg) >= len(full)/2 {
		t.Errorf("the regular face keeps %d of the full face's %d characters: it is no lighter", len(reg), len(full))
	}
}

// The subsets change no glyph they keep: each character is drawn from
// the same outline and advance as from the full face, so that a screen is
// the same, pixel for pixel, with them.
func TestSubsetsKeepTheGlyphs(t *testing.T) {
	parse := func(b []byte) *sfnt.Font {
		f, err := sfnt.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	fullFace := parse(CJK())
	ppem := fixed.I(256)
	glyph := func(f *sfnt.Font, r rune) (string, fixed.Int26_6) {
		var buf sfnt.Buffer
		g, err := f.GlyphIndex(&buf, r)
		if err != nil || g == 0 {
			t.Fatalf("no glyph for %q: %v", r, err)
		}
		segs, err := f.LoadGlyph(&buf, g, ppem, nil)
		if err != nil {
			t.Fatal(err)
		}
		adv, err := f.GlyphAdvance(&buf, g, ppem, font.HintingNone)
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, s := range segs {
			sb.WriteString(string(rune('0' + s.Op)))
			for _, p := range s.Args {
				sb.WriteString(p.X.String() + "," + p.Y.String() + ";")
			}
		}
		return sb.String(), adv
	}
	for _, tc := range []struct {
		name string
		face []byte
		text string
	}{
		{RegularName, Regular(), "请刷身份证登记王秀兰张伟国，。《》：（）"},
		{RestName, Rest(), "㐀龘堃喆䶮"},
	} {
		f := parse(tc.face)
		for _, r := range tc.text {
			if gs, ga := glyph(f, r); true {
				ws, wa := glyph(fullFace, r)
				if gs != ws || ga != wa {
					t.Errorf("%s: %q is drawn otherwise than in the full face", tc.name, r)
				}
			}
		}
	}
}

// The digests the installed faces are checked against are the embedded
// faces': a face rebuilt without its digest set again would be written at
// every start.
func TestDigests(t *testing.T) {
	for _, tc := range []struct {
		name, digest string
		face         []byte
	}{
		{RestName, restSHA256, Rest()},
		{RegularName, regularSHA256, Regular()},
		{BoldName, boldSHA256, Bold()},
	} {
		sum := sha256.Sum256(tc.face)
		if got := hex.EncodeToString(sum[:]); got != tc.digest {
			t.Errorf("SHA-256 of %s is %s; its digest in the source says %s: set it to the new face's", tc.name, got, tc.digest)
		}
	}
}

// InstallFallback writes the rest face where go-text's font scan looks,
// writes it again when it is not what it should be, and puts its
// directory first in XDG_DATA_DIRS.
func TestInstallFallback(t *testing.T) {
	dir := t.TempDir()
	dirs, err := InstallFallback(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := dir + ":/usr/local/share:/usr/share"; dirs != want {
		t.Errorf("XDG_DATA_DIRS = %q; want %q", dirs, want)
	}
	path := filepath.Join(dir, "fonts", RestName)
	if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, Rest()) {
		t.Fatalf("the installed face is not the rest face (%v)", err)
	}
	if err := os.WriteFile(path, Rest()[:100], 0o644); err != nil { // cut short
		t.Fatal(err)
	}
	if dirs, err = InstallFallback(dir, "/opt/share"); err != nil || dirs != dir+":/opt/share" {
		t.Fatalf("second install: %q, %v", dirs, err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, Rest()) {
		t.Error("a face cut short was not written again")
	}
	flipped := bytes.Clone(Rest())
	flipped[len(flipped)/2] ^= 1 // the right size, one bit wrong
	if err := os.WriteFile(path, flipped, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallFallback(dir, ""); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, Rest()) {
		t.Error("a face of the right size with a wrong byte was not written again")
	}
	before, _ := os.Stat(path)
	if _, err := InstallFallback(dir, ""); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(path); !os.SameFile(before, after) {
		t.Error("a face already installed was written again")
	}
	if again, err := InstallFallback(dir, dirs); err != nil || again != dirs {
		t.Errorf("installing into %q again: %q, %v; want it once", dirs, again, err)
	}
	if _, err := InstallFallback(filepath.Join(path, "not-a-dir"), ""); err == nil || !strings.Contains(err.Error(), "fonts: install") {
		t.Errorf("a directory that cannot be made: %v", err)
	}
}
