package pinyin

import (
	"fmt"
	"math"
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
	if len(syls) > math.MaxUint16 {
		return nil, fmt.Errorf("%d syllables, more than a reading can name", len(syls))
	}
	e := &Engine{
		bySyl:    make(map[string][]cand, len(syls)),
		keys:     slices.Clone(syls),
		alias:    map[string]string{},
		syls:     syls,
		readings: make([]reading, len(lines)),
	}
	for i, l := range lines {
		bySyl[l.sylIdx] = append(bySyl[l.sylIdx], cand{r: l.r, rank: int32(i)})
		e.readings[i] = reading{r: l.r, syl: uint16(l.sylIdx)}
	}
	// Stable: a character's readings stay in the table's order, by rank.
	slices.SortStableFunc(e.readings, func(a, b reading) int { return int(a.r - b.r) })
	for i, rd := range e.readings {
		if i == 0 || e.readings[i-1].r != rd.r {
			e.chars++
			continue
		}
		for j := i - 1; j >= 0 && e.readings[j].r == rd.r; j-- {
			if e.readings[j].syl == rd.syl {
				return nil, fmt.Errorf("%c %s listed twice", rd.r, syls[rd.syl])
			}
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
