// Command gen writes ui/pinyin/table.txt, the character table the pinyin
// input method ranks its candidates by. It is not part of the kiosk; run it
// only to regenerate the table:
//
//	apt-get install unicode-data libgooglepinyin0
//	go run ./ui/pinyin/internal/gen -o ui/pinyin/table.txt
//
// (from the repository's root, so that -font finds the bundled font).
// It reads two files that those Debian (bookworm) packages install:
//
//   - The Unihan database of Unicode 15.0.0, from unicode-data 15.0.0-1
//     (/usr/share/unicode/Unihan_OtherMappings.txt.bz2 and
//     Unihan_Readings.txt.bz2; Unicode License Agreement for Data Files and
//     Software). Field kTGH chooses the characters: the 8,105 characters of
//     the 通用规范汉字表 (Table of General Standard Chinese Characters,
//     2013), whose level 1 is the 3,500 common characters. Fields kTGHZ2013
//     (通用规范汉字字典), kXHC1983 (现代汉语词典) and kMandarin give each
//     character's readings; tones are dropped and ü is written v.
//
//   - The compiled dictionary of Google's Android Pinyin IME, from
//     libgooglepinyin0 0.1.2-8 (/usr/lib/<triplet>/googlepinyin/data/
//     dict_pinyin.dat; Apache License 2.0, © The Android Open Source
//     Project). It was built from rawdict_utf16_65105_freq.txt and scores
//     every single-character entry (character and reading) by how often
//     it occurs in a corpus. That score orders the table.
//
// The table has one character reading per line, most frequent first, so a
// line's position is its rank. Readings the Google dictionary does not know
// follow all that it does, by the character's best score, and characters it
// lacks altogether follow those, in 通用规范汉字表 order (level 1 first).
// The interjection syllables m, n, ng, hm and hng are left out: with them a
// lone "n" or "m" would be a whole syllable rather than the start of one.
// A character left with no reading takes the Google dictionary's (嗯 en);
// one that has none there either (呣) is left out, and so is any character
// the kiosk's bundled font (drivers/fonts) has no glyph for, which would
// show as blank boxes: 3 of level 2 and 196 of level 3, mostly in CJK
// extensions B to F. That leaves 7,905 characters, all 3,500 of level 1.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

func main() {
	unihan := flag.String("unihan", "/usr/share/unicode", "directory with Unihan_*.txt.bz2 (Debian unicode-data)")
	dict := flag.String("googlepinyin", "", "dict_pinyin.dat (Debian libgooglepinyin0); default: found under /usr/lib")
	font := flag.String("font", "drivers/fonts/DroidSansFallbackFull.ttf", "the kiosk's CJK font: characters it cannot draw are left out")
	out := flag.String("o", "table.txt", "output file")
	flag.Parse()
	if err := run(*unihan, *dict, *font, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(unihanDir, dictPath, fontPath, out string) error {
	if dictPath == "" {
		m, _ := filepath.Glob("/usr/lib/*/googlepinyin/data/dict_pinyin.dat")
		if len(m) == 0 {
			return fmt.Errorf("no dict_pinyin.dat under /usr/lib: apt-get install libgooglepinyin0, or pass -googlepinyin")
		}
		dictPath = m[0]
	}
	chars, err := readUnihan(unihanDir)
	if err != nil {
		return err
	}
	canDraw, err := drawable(fontPath)
	if err != nil {
		return err
	}
	chars = keep(chars, canDraw)
	scores, err := readGoogleDict(dictPath)
	if err != nil {
		return err
	}
	pairs := rank(chars, scores)
	nchars := map[rune]bool{}
	for _, p := range pairs {
		nchars[p.r] = true
	}
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	if err := write(f, pairs, len(nchars)); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

// keep returns the characters the font can draw and says on stderr how
// many of each level of the 通用规范汉字表 remain.
func keep(chars []char, canDraw func(rune) bool) []char {
	var out []char
	var kept, all [3]int
	for _, c := range chars {
		level := 0
		switch {
		case c.tghIdx > 6500:
			level = 2
		case c.tghIdx > 3500:
			level = 1
		}
		all[level]++
		if canDraw(c.r) {
			kept[level]++
			out = append(out, c)
		}
	}
	for l := range all {
		fmt.Fprintf(os.Stderr, "level %d: %d of %d characters drawable\n", l+1, kept[l], all[l])
	}
	return out
}

// pair is one reading of one character with the key it is ranked by.
type pair struct {
	r       rune
	syl     string
	known   bool // the Google dictionary scores this reading
	score   int  // lower is more frequent
	best    int  // the character's best score, for unknown readings
	tghIdx  int  // position in the 通用规范汉字表
	readIdx int  // position among the character's Unihan readings
}

// unknownScore ranks characters the Google dictionary lacks after all it has.
const unknownScore = 1 << 30

func rank(chars []char, scores map[rune]map[string]int) []pair {
	var pairs []pair
	for _, c := range chars {
		best := unknownScore
		for _, s := range scores[c.r] {
			best = min(best, s)
		}
		readings := c.readings
		if len(readings) == 0 {
			readings = googleOnly(scores[c.r])
		}
		for i, syl := range readings {
			s, ok := scores[c.r][syl]
			pairs = append(pairs, pair{r: c.r, syl: syl, known: ok, score: s, best: best, tghIdx: c.tghIdx, readIdx: i})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		a, b := pairs[i], pairs[j]
		if a.known != b.known {
			return a.known
		}
		if a.known && a.score != b.score {
			return a.score < b.score
		}
		if a.best != b.best {
			return a.best < b.best
		}
		if a.tghIdx != b.tghIdx {
			return a.tghIdx < b.tghIdx
		}
		return a.readIdx < b.readIdx
	})
	return pairs
}

// googleOnly gives the readings of a character whose Unihan readings were
// all dropped, such as 嗯 (ng, n), that the Google dictionary also files
// under a syllable typists use (en).
func googleOnly(scores map[string]int) []string {
	var out []string
	for syl := range scores {
		if !dropped[syl] {
			out = append(out, syl)
		}
	}
	sort.Strings(out)
	return out
}

func write(w io.Writer, pairs []pair, nchars int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `# Pinyin readings of %d characters of the 通用规范汉字表 (2013), one
# character reading per line, most frequent first: a line's position is its
# rank. Generated by ui/pinyin/internal/gen; do not edit. Characters and
# readings: Unicode 15.0.0 Unihan database (kTGH, kTGHZ2013, kXHC1983,
# kMandarin), © Unicode, Inc., modified: tones dropped, ü written v.
# Frequency: the Android Pinyin IME dictionary (libgooglepinyin 0.1.2),
# © The Android Open Source Project, Apache License 2.0. See NOTICE.txt.
`, nchars)
	for _, p := range pairs {
		fmt.Fprintf(bw, "%c %s\n", p.r, p.syl)
	}
	return bw.Flush()
}
