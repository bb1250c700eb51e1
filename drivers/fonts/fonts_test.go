package fonts

import (
	"math"
	"path/filepath"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/gridkiosk/gridkiosk/drivers/fonts/internal/subset"
)

// The bold face keeps what the subset's recipe says it keeps: every fixed
// character (ASCII, punctuation, GB 2312 level 1) and all of GB 2312, so
// that a name typed into a field box is bold: the image has no system
// face behind it; the regular face has the hanzi too (its Latin comes from
// Fyne's own font).
func TestBoldKeepsFixed(t *testing.T) {
	level1 := string(subset.GB2312Level1())
	if n := len([]rune(level1)); n != 3755 {
		t.Fatalf("GB 2312 level 1 has %d hanzi, want 3755", n)
	}
	for _, tc := range []struct {
		name, want string
		face       []byte
	}{
		{BoldName, string(subset.Fixed()), Bold()},
		{BoldName + " (GB 2312)", string(subset.GB2312()), Bold()},
		{CJKName, level1, CJK()},
	} {
		missing, err := Missing(tc.face, tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) > 0 {
			t.Errorf("%s has no glyph for %d characters: %q", tc.name, len(missing), string(missing))
		}
	}
}

// Every character written in the screens' sources is in the bold face:
// the subset was cut after the last of them was added.
func TestBoldCoversSources(t *testing.T) {
	for _, dir := range subset.Sources() {
		rs, err := subset.Literals(filepath.Join("..", "..", dir))
		if err != nil {
			t.Fatal(err)
		}
		missing, err := Missing(Bold(), string(rs))
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) > 0 {
			t.Errorf("the bold face has no glyph for %q, written under %s; rebuild it (see the package doc)", string(missing), dir)
		}
	}
}

// A face that is not a font is an error, not an empty answer.
func TestMissingBadFace(t *testing.T) {
	if _, err := Missing([]byte("not a font"), "国"); err == nil {
		t.Error("no error for bytes that are not a font")
	}
}

func BenchmarkMissing(b *testing.B) {
	s := string(subset.GB2312Level1())
	for b.Loop() {
		if _, err := Missing(Bold(), s); err != nil {
			b.Fatal(err)
		}
	}
}

// A bold line is as tall as a regular one: the bold face carries the
// regular face's ascent and descent, so a screen laid out in one fits in
// the other.
func TestBoldLineHeight(t *testing.T) {
	metrics := func(face []byte) (asc, desc float64) {
		f, err := sfnt.Parse(face)
		if err != nil {
			t.Fatal(err)
		}
		const ppem = 1000
		m, err := f.Metrics(nil, fixed.I(ppem), font.HintingNone)
		if err != nil {
			t.Fatal(err)
		}
		return float64(m.Ascent) / 64 / ppem, float64(m.Descent) / 64 / ppem
	}
	ra, rd := metrics(CJK())
	ba, bd := metrics(Bold())
	if math.Abs(ra-ba) > 0.002 || math.Abs(rd-bd) > 0.002 {
		t.Errorf("bold ascent %.3f descent %.3f em, regular %.3f and %.3f", ba, bd, ra, rd)
	}
}
