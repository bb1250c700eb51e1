package record

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckText checks a one-line free-text field (a name, an address, a staff
// member's name) of min to max characters, counted in runes without the
// surrounding white space. Besides its length it refuses what would make
// the stored text mean something other than what the resident saw: bytes
// that are not UTF-8 and U+FFFD, which is what a JSON decoder makes of
// them; control characters, which a receipt printer takes as commands (a
// name starting with ESC could never be printed); bidi overrides and
// isolates, which make text display in another order than it is stored;
// and line or paragraph separators. Private-use characters are allowed:
// some ID cards carry rare characters of names there.
func CheckText(field, s string, min, max int) error {
	return checkText(field, s, min, max, false)
}

// CheckLines is CheckText for a field that may hold several lines (a
// matter's description, a receipt's next step): '\n' is allowed there and
// nowhere else; '\r' and tabs are refused like any control character.
func CheckLines(field, s string, min, max int) error {
	return checkText(field, s, min, max, true)
}

func checkText(field, s string, minRunes, maxRunes int, lines bool) error {
	if i := badChar(s, lines); i >= 0 {
		return fieldErr(field, "%s at character %d", describeChar(s[i:]), utf8.RuneCountInString(s[:i])+1)
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case n < minRunes && minRunes == 1:
		return fieldErr(field, "is required")
	case n < minRunes:
		return fieldErr(field, "has %d characters, want at least %d", n, minRunes)
	case n > maxRunes:
		return fieldErr(field, "has %d characters, want at most %d", n, maxRunes)
	}
	return nil
}

// badChar returns the byte offset of the first character a text field may
// not hold, or -1.
func badChar(s string, lines bool) int {
	for i, r := range s {
		switch {
		case r == utf8.RuneError: // invalid UTF-8, or U+FFFD that stands for it
			return i
		case r == '\n' && lines:
		case unicode.IsControl(r), isBidiControl(r), r == '\u2028', r == '\u2029':
			return i
		case r&0xfffe == 0xfffe, r >= 0xfdd0 && r <= 0xfdef: // noncharacters
			return i
		}
	}
	return -1
}

// isBidiControl reports the explicit directional formatting characters of
// Unicode's bidi algorithm (UAX #9): embeddings, overrides, isolates and
// the marks. Chinese and Latin text never needs them; in a name they can
// make "王秀兰" be stored as one thing and shown as another.
func isBidiControl(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case r >= '\u202a' && r <= '\u202e':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// describeChar says what the first character of s is, without echoing the
// text around it.
func describeChar(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size == 1:
		return fmt.Sprintf("is not valid UTF-8 (byte 0x%02X)", s[0])
	case r == utf8.RuneError:
		return "holds U+FFFD, the mark of text that was not valid UTF-8"
	case r == '\n':
		return "holds a line break (U+000A), not allowed in a one-line field"
	case unicode.IsControl(r):
		return fmt.Sprintf("holds the control character U+%04X", r)
	case isBidiControl(r):
		return fmt.Sprintf("holds the bidi formatting character U+%04X, which would show the text in another order", r)
	case r == '\u2028', r == '\u2029':
		return fmt.Sprintf("holds the separator U+%04X, not allowed in a one-line field", r)
	}
	return fmt.Sprintf("holds the noncharacter U+%04X", r)
}

// MaskDigits hides most of a phone number or other personal number for an
// error message or a log: it keeps a third of the characters but at
// most four, split between the start and the end, and stars the rest, so
// that "13835712345" becomes "13********5". Characters other than digits
// are starred too, whatever they are.
func MaskDigits(s string) string {
	r := []rune(s)
	keep := min(len(r)/3, 4)
	head, tail := (keep+1)/2, keep/2
	for i := head; i < len(r)-tail; i++ {
		r[i] = '*'
	}
	return string(r)
}
