// Package linebreak says where a line of Chinese, or of Chinese mixed with
// Latin, may break: the one rule the kiosk's screens and the receipt
// printer both follow, so that a text breaks the same way on the screen a
// resident reads and on the paper they take home.
//
// Chinese is written without spaces, so a line may break between any two
// Chinese (East Asian wide) characters; Latin breaks at spaces and after a
// hyphen inside a word. Over both stand the line-breaking prohibitions of
// Chinese typesetting (禁则, GB/T 15834 and the W3C's Requirements for
// Chinese Text Layout): no line starts with a closing mark (。，、；：？！
// ）】」』》〉” … and their kind, see [NoStart]), no line ends with an
// opening one (（【「『《〈“ and their kind, see [NoEnd]), and a two-em
// dash —— is not split.
//
// The package measures nothing: a caller fills its lines in its own unit
// (printer columns, screen pixels) and breaks only where [Allowed] says,
// or cuts a piece too wide for a whole line where it must.
package linebreak

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// closing are the marks no line may start with: the Chinese stops and
// pauses, closing brackets and quotes, the ellipsis, the middle dots of
// foreign names and the per cent sign, in full width, half width and
// ASCII, since Chinese text mixes them in.
const closing = "。，、；：？！．｡､" + // stops and pauses
	"）］｝》」』】〕〉〗〙〛｠｣" + // closing brackets
	"”’〞〟" + // closing quotes
	"…‥‼⁇⁈⁉·・％" + // ellipsis, doubled stops, middle dots, per cent
	",.;:?!)]}%"

// opening are the marks no line may end with: opening brackets and quotes.
const opening = "（［｛《「『【〔〈〖〘〚｟｢" + "“‘〝" + "([{"

// dashes are not split from a dash like them: a Chinese dash is written
// as two, ——, and reads as one mark.
const dashes = "—―⸺"

// NoStart reports whether r may not start a line: a closing mark.
func NoStart(r rune) bool { return strings.ContainsRune(closing, r) }

// NoEnd reports whether r may not end a line: an opening mark.
func NoEnd(r rune) bool { return strings.ContainsRune(opening, r) }

// Wide reports whether r is written without spaces, so that a line may
// break on either side of it: Chinese and the other East Asian wide and
// full-width characters.
func Wide(r rune) bool {
	if r < 0x1100 { // the first wide character, Hangul Jamo
		return false
	}
	k := width.LookupRune(r).Kind()
	return k == width.EastAsianWide || k == width.EastAsianFullwidth
}

// Allowed reports whether a line may break between before, the last
// character that is not a space before the break, and after, the first
// one after it; spaced says whether spaces stand between them (they are
// dropped at a break). Neither before nor after is a space.
func Allowed(before, after rune, spaced bool) bool {
	switch {
	case NoStart(after), NoEnd(before):
		return false
	case spaced:
		return true
	case before == after && strings.ContainsRune(dashes, before):
		return false
	case before == '-' && unicode.IsLetter(after):
		return true
	}
	return Wide(before) || Wide(after)
}

// Segments splits s at every place a line may break, each piece keeping
// the spaces that follow it, so that the pieces joined are s again.
// Spaces that start s belong to the first piece: a line's indentation is
// not a place to break. A piece holds no place where a line may break;
// one too wide for a whole line is the caller's to cut.
func Segments(s string) []string {
	var out []string
	start := 0
	var prev rune // the last character that is not a space
	have, spaced := false, false
	for i, r := range s {
		if r == ' ' {
			spaced = have
			continue
		}
		if have && Allowed(prev, r, spaced) {
			out = append(out, s[start:i])
			start = i
		}
		prev, have, spaced = r, true, false
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
