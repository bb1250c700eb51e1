package printer

import (
	"strings"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/internal/linebreak"
)

// Width returns the number of columns s takes on the printer: two for a
// non-ASCII character, which the printer prints from its 24-dot GB18030
// font, and one for an ASCII character.
func Width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	return 2
}

// Wrap breaks s into lines of at most columns columns, as a Text block is
// printed. Each '\n' ends a line (a final '\n' adds no empty line), so
// Wrap returns at least one line, perhaps empty.
//
// Lines break where package linebreak allows, as the kiosk's screens do:
// at spaces in Latin text, after a hyphen inside a word, and between any
// two Chinese (East Asian wide) characters, but not before a closing mark
// like "，" or "）" nor after an opening one like "《". The spaces where a
// line breaks are dropped; leading spaces are kept as
// indentation. A word longer than a line is split where the line is full.
// Columns less than 2, too few for a Chinese character, are taken as 2.
func Wrap(s string, columns int) []string {
	columns = max(columns, 2)
	s = strings.TrimSuffix(s, "\n")
	var lines []string
	for para := range strings.SplitSeq(s, "\n") {
		lines = wrapParagraph(lines, []rune(para), columns)
	}
	return lines
}

func wrapParagraph(dst []string, rs []rune, cols int) []string {
	if len(rs) == 0 {
		return append(dst, "")
	}
	for start := 0; start < len(rs); {
		end, next := fitLine(rs, start, cols)
		dst = append(dst, string(rs[start:end]))
		start = next
	}
	return dst
}

// fitLine returns the end of the line that starts at rs[start] and the
// start of the line after it, which is past end by the spaces dropped at
// the break. next is always greater than start.
func fitLine(rs []rune, start, cols int) (end, next int) {
	w := 0
	brk := -1    // where the line may end: before rs[brk]
	ink := false // seen a non-space: spaces before it are indentation
	for i := start; i < len(rs); i++ {
		r := rs[i]
		if r == ' ' {
			if ink && rs[i-1] != ' ' && spaceBreaks(rs, i) {
				brk = i
			}
			if w+1 > cols {
				if brk < 0 {
					// Indentation alone, or a full line with no
					// place to break: cut it at this space.
					brk = i
				}
				return brk, skipSpaces(rs, brk)
			}
			w++
			continue
		}
		if ink && rs[i-1] != ' ' && linebreak.Allowed(rs[i-1], r, false) {
			brk = i
		}
		rw := runeWidth(r)
		if w+rw > cols {
			if brk > start {
				return brk, skipSpaces(rs, brk)
			}
			// No place to break: split the word where the line is full.
			// cols ≥ 2 lets any character fit on an empty line, so
			// i > start here; the max is for safety's sake.
			i = max(i, start+1)
			end := i
			for end > start+1 && rs[end-1] == ' ' {
				end-- // a space a closing mark kept from being a break
			}
			return end, i
		}
		w += rw
		ink = true
	}
	return len(rs), len(rs)
}

func skipSpaces(rs []rune, i int) int {
	for i < len(rs) && rs[i] == ' ' {
		i++
	}
	return i
}

// spaceBreaks reports whether a line may break at the spaces that start
// at rs[i], after a character that is not a space: not if a closing mark
// follows them or an opening one precedes them.
func spaceBreaks(rs []rune, i int) bool {
	j := skipSpaces(rs, i)
	return j == len(rs) || linebreak.Allowed(rs[i-1], rs[j], true)
}

// separatorLine is a line of ch as wide as cols allows.
func separatorLine(ch rune, cols int) string {
	return strings.Repeat(string(ch), cols/runeWidth(ch))
}

// kvLines lays out a KV block: "key:" then the value right-aligned on the
// same line if there is room for both and a space between, else the value
// right-aligned on lines of its own.
func kvLines(key, value string, cols int) []string {
	left := key + ":"
	if value == "" {
		return Wrap(left, cols)
	}
	if !strings.Contains(left, "\n") && !strings.Contains(value, "\n") {
		if pad := cols - Width(left) - Width(value); pad >= 1 {
			return []string{left + strings.Repeat(" ", pad) + value}
		}
	}
	lines := Wrap(left, cols)
	for _, l := range Wrap(value, cols) {
		lines = append(lines, strings.Repeat(" ", max(cols-Width(l), 0))+l)
	}
	return lines
}
