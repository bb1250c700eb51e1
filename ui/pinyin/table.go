package pinyin

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// aliases are spellings typists use for a syllable the table spells
// otherwise: lüe and nüe are written lue and nue, but a keyboard without ü
// offers lve and nve too.
var aliases = [...]struct{ typed, canonical string }{{"lve", "lue"}, {"nve", "nue"}}

// parse reads a table: comment lines start with #, every other line is a
// character, a space and a syllable of lower-case letters, most frequent
// first.
func parse(data string) (*Engine, error) {
	lines, err := entries(data)
	if err != nil {
		return nil, err
	}
	// Two passes, so that every list is allocated once at its final size:
	// New runs at start-up, on a small board.
	sylIdx := map[string]int{}
	var syls []string
	var count []int
	for i, l := range lines {
		k, ok := sylIdx[l.syl]
		if !ok {
			k = len(syls)
			sylIdx[l.syl] = k
			syls = append(syls, l.syl)
			count = append(count, 0)
		}
		count[k]++
		lines[i].sylIdx = k
	}
	bySyl := make([][]cand, len(syls))
	backing := make([]cand, len(lines))
	at := 0
	for k, n := range count {
		bySyl[k] = backing[at : at : at+n]
		at += n
	}
	e := &Engine{
		bySyl:    make(map[string][]cand, len(syls)),
		keys:     syls,
		alias:    map[string]string{},
		readings: make(map[rune][]string, len(lines)),
	}
	single := make([]string, len(lines))
	for i, l := range lines {
		bySyl[l.sylIdx] = append(bySyl[l.sylIdx], cand{r: l.r, rank: int32(i)})
		if rs, ok := e.readings[l.r]; ok {
			if slices.Contains(rs, l.syl) {
				return nil, fmt.Errorf("%c %s listed twice", l.r, l.syl)
			}
			// Cap 1 below makes this append copy, not overwrite a neighbour.
			e.readings[l.r] = append(rs, l.syl)
		} else {
			single[i] = l.syl
			e.readings[l.r] = single[i : i+1 : i+1]
		}
	}
	for k, syl := range syls {
		e.bySyl[syl] = bySyl[k]
		e.maxLen = max(e.maxLen, len(syl))
	}
	for _, a := range aliases {
		if e.bySyl[a.canonical] != nil {
			e.alias[a.typed] = a.canonical
			e.keys = append(e.keys, a.typed)
		}
	}
	sort.Strings(e.keys)
	return e, nil
}

type entry struct {
	r      rune
	syl    string
	sylIdx int // filled in by parse
}

// entries returns the table's lines in order.
func entries(data string) ([]entry, error) {
	out := make([]entry, 0, strings.Count(data, "\n")+1)
	for n := 1; data != ""; n++ {
		var line string
		line, data, _ = strings.Cut(data, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		r, syl, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, entry{r: r, syl: syl})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no characters")
	}
	return out, nil
}

func parseLine(line string) (rune, string, error) {
	r, size := utf8.DecodeRuneInString(line)
	if r == utf8.RuneError || r < 0x80 || len(line) < size+2 || line[size] != ' ' {
		return 0, "", fmt.Errorf("%q is not a character, a space and a syllable", line)
	}
	syl := line[size+1:]
	for i := 0; i < len(syl); i++ {
		if syl[i] < 'a' || syl[i] > 'z' {
			return 0, "", fmt.Errorf("syllable %q is not lower-case letters", syl)
		}
	}
	return r, syl, nil
}
