// Package pinyin is the kiosk's Chinese input method: it turns the Latin
// letters a resident types on the touch keyboard into candidate characters,
// most common first.
//
// The engine knows single characters only: 7,905 of the 8,105 in the
// 通用规范汉字表 (Table of General Standard Chinese Characters, 2013),
// among them all 3,500 common characters of its level 1, with their
// Mandarin readings, ranked by how often each character is used with each
// reading. That suits a kiosk, where people type names and short addresses
// one character at a time, and keeps the table small (table.txt, embedded;
// see NOTICE.txt for its sources and licences). Input is toneless, and ü
// may be typed as v: "lü" and "lv" are one syllable, "lu" another.
package pinyin

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

//go:embed table.txt
var table string

// Engine looks up candidates. It is immutable once built, so one Engine may
// serve any number of keyboards and goroutines.
type Engine struct {
	bySyl map[string][]cand // canonical syllable -> characters by rank
	keys  []string          // every syllable spelling typed, sorted
	alias map[string]string // typed spelling -> canonical ("lve" -> "lue")
	syls  []string          // the canonical syllables, as reading.syl counts them
	// readings is every character's readings, by character and, for
	// each, most frequent first: a sorted slice rather than a map of
	// slices, a tenth of the memory on a board that keeps it for good.
	readings []reading
	chars    int // how many characters
	maxLen   int // the longest syllable, in letters
}

// reading is one of a character's syllables, an index into Engine.syls.
type reading struct {
	r   rune
	syl uint16
}

// cand is a character and the rank of one of its readings (0 is the most
// frequent reading of any character).
type cand struct {
	r    rune
	rank int32
}

// New returns an engine for the embedded table. It panics if the table is
// malformed, which the package's tests rule out.
func New() *Engine {
	e, err := parse(table)
	if err != nil {
		panic(fmt.Sprintf("pinyin: embedded table: %v", err))
	}
	return e
}

// Len is the number of characters the engine knows.
func (e *Engine) Len() int { return e.chars }

// Readings returns the syllables r is read as, toneless, most frequent
// first, or nil if r is not in the table. ü is written v, except in lue and
// nue, which need no mark.
func (e *Engine) Readings(r rune) []string {
	i, _ := slices.BinarySearchFunc(e.readings, r, func(x reading, r rune) int { return int(x.r - r) })
	var out []string
	for ; i < len(e.readings) && e.readings[i].r == r; i++ {
		out = append(out, e.syls[e.readings[i].syl])
	}
	return out
}

// Candidates returns the characters for the first syllable of input, most
// frequent first, at most max of them (all of them if max <= 0). Input is
// what has been typed so far, possibly several syllables run together; ü
// may be typed as ü or v, and upper-case letters count as lower-case.
//
// When input starts with a whole syllable, the candidates are that
// syllable's characters (see Split for which syllable). When it is only the
// start of one, still being typed ("zh", "xion"), they are the characters
// of every syllable it could become, merged by frequency. Input that can
// start no syllable, such as "u" or "ng", has no candidates, and nor does
// anything after the first character that is not a letter.
func (e *Engine) Candidates(input string, max int) []string {
	norm, _ := normalize(input)
	n, whole := e.split(norm)
	if n == 0 {
		return nil
	}
	var cs []cand
	if whole {
		cs = e.bySyl[e.canonical(norm[:n])]
		if max > 0 && max < len(cs) {
			cs = cs[:max]
		}
	} else {
		cs = e.merge(e.completions(norm[:n]), max)
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c.r)
	}
	return out
}

// Split cuts input after the letters that choosing one of its candidates
// consumes: first is the first syllable, or the letters typed when they are
// the start of a syllable still being typed; rest is what remains.
// first+rest is always input. first is empty when input has no candidates.
//
// Input that is a syllable, or the start of one, is taken whole ("xian",
// "xion"). Otherwise, of the syllables input starts with, the longest is
// taken that leaves a rest made of syllables ("xiulan" is xiu + lan,
// "zhuangu" zhuan + gu, since no syllable starts with u); if none does, the
// longest at all ("wangi" is wang + i).
func (e *Engine) Split(input string) (first, rest string) {
	norm, offs := normalize(input)
	n, _ := e.split(norm)
	return input[:offs[n]], input[offs[n]:]
}

// normalize returns the letters input starts with, lower-case and with ü as
// v, and for each of them its byte offset in input; offs has one more entry,
// the offset just past them.
func normalize(input string) (norm string, offs []int) {
	b := make([]byte, 0, len(input))
	offs = make([]int, 0, len(input)+1)
	i := 0
	for i < len(input) {
		r, size := utf8.DecodeRuneInString(input[i:])
		switch {
		case r >= 'a' && r <= 'z':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r == 'ü' || r == 'Ü':
			r = 'v'
		default:
			return string(b), append(offs, i)
		}
		b = append(b, byte(r))
		offs = append(offs, i)
		i += size
	}
	return string(b), append(offs, i)
}

// split returns how many letters of s the first candidate consumes and
// whether they are a whole syllable (rather than the start of one).
func (e *Engine) split(s string) (n int, whole bool) {
	// Input that is itself a syllable, or could still become one, is taken
	// whole: "xian" is not xi + an, and "xion" is on its way to xiong.
	if len(s) <= e.maxLen {
		if e.isSyllable(s) {
			return len(s), true
		}
		if s != "" && e.isStart(s) {
			return len(s), false
		}
	}
	longest := min(len(s), e.maxLen)
	for l := longest; l > 0; l-- {
		if e.isSyllable(s[:l]) && e.segments(s[l:]) {
			return l, true
		}
	}
	for l := longest; l > 0; l-- {
		if e.isSyllable(s[:l]) {
			return l, true
		}
	}
	return 0, false
}

// segments reports whether s is a run of whole syllables, the last of which
// may still be being typed.
func (e *Engine) segments(s string) bool {
	// ok[i] says whether s[i:] segments; filled from the end, so the cost
	// stays linear however long the input.
	ok := make([]bool, len(s)+1)
	ok[len(s)] = true
	for i := len(s) - 1; i >= 0; i-- {
		if len(s)-i <= e.maxLen && e.isStart(s[i:]) {
			ok[i] = true
			continue
		}
		for l := 1; l <= e.maxLen && i+l <= len(s) && !ok[i]; l++ {
			ok[i] = ok[i+l] && e.isSyllable(s[i:i+l])
		}
	}
	return ok[0]
}

func (e *Engine) isSyllable(s string) bool {
	_, ok := e.alias[s]
	return ok || e.bySyl[s] != nil
}

func (e *Engine) canonical(s string) string {
	if c, ok := e.alias[s]; ok {
		return c
	}
	return s
}

// isStart reports whether some syllable starts with s.
func (e *Engine) isStart(s string) bool {
	i := sort.SearchStrings(e.keys, s)
	return i < len(e.keys) && strings.HasPrefix(e.keys[i], s)
}

// completions returns the canonical syllables that start with prefix.
func (e *Engine) completions(prefix string) []string {
	var out []string
	seen := map[string]bool{}
	for i := sort.SearchStrings(e.keys, prefix); i < len(e.keys) && strings.HasPrefix(e.keys[i], prefix); i++ {
		if c := e.canonical(e.keys[i]); !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// merge interleaves the syllables' candidate lists by rank, keeping each
// character once, at its best rank, and stopping after max (if max > 0).
func (e *Engine) merge(syls []string, max int) []cand {
	lists := make([][]cand, 0, len(syls))
	for _, s := range syls {
		lists = append(lists, e.bySyl[s])
	}
	var out []cand
	seen := map[rune]bool{}
	for len(lists) > 0 && (max <= 0 || len(out) < max) {
		// A linear scan of the heads: a prefix has at most a few dozen
		// syllables, and the keyboard asks for a page at a time.
		best := 0
		for i := range lists {
			if lists[i][0].rank < lists[best][0].rank {
				best = i
			}
		}
		c := lists[best][0]
		if lists[best] = lists[best][1:]; len(lists[best]) == 0 {
			lists = slices.Delete(lists, best, best+1)
		}
		if !seen[c.r] {
			seen[c.r] = true
			out = append(out, c)
		}
	}
	return out
}
