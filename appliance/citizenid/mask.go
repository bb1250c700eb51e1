package citizenid

import (
	"strings"
	"unicode"
)

// Mask hides most of a number for display and logs. An 18-character
// number keeps its first 4 and last 4 characters, enough for a person to
// recognise their own card: 1410**********123X. Anything else keeps at most
// a third of its characters, split between the start and the end, so that
// a mistyped or truncated number is not shown in full either. Mask
// normalises s first and always returns as many characters as that has;
// Mask("") is "".
func Mask(s string) string {
	r := []rune(Normalize(s))
	n := len(r)
	head, tail := 4, 4
	if n != Length {
		keep := n / 3
		head, tail = (keep+1)/2, keep/2
	}
	for i := head; i < n-tail; i++ {
		r[i] = '*'
	}
	return string(r)
}

// MaskName hides most of a person's name. A Chinese name keeps its first
// and last characters, or only the first if it has two: "张三" becomes "张*",
// "王小明" "王*明" and "欧阳小明" "欧**明". Other names keep the first letter
// of each word: "John Smith" becomes "J*** S****". A name of one character
// becomes "*". Surrounding white space is dropped. Only a name that was
// already masked comes back unchanged.
func MaskName(name string) string {
	name = strings.TrimFunc(name, unicode.IsSpace)
	if strings.ContainsFunc(name, isHan) {
		return maskHan(name)
	}
	return maskWords(name)
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func maskHan(name string) string {
	// A space inside a Chinese name would make the rules below reveal one
	// character more, so drop it.
	r := []rune(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, name))
	switch len(r) {
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	for i := 1; i < len(r)-1; i++ {
		r[i] = '*'
	}
	return string(r)
}

func maskWords(name string) string {
	r := []rune(name)
	if len(r) == 1 {
		return "*"
	}
	start, first := true, true
	for i, c := range r {
		if unicode.IsSpace(c) {
			start = true
			continue
		}
		// A one-letter word after the first is masked whole: otherwise
		// "A B" would come back unchanged.
		keep := start && (first || i+1 < len(r) && !unicode.IsSpace(r[i+1]))
		if !keep {
			r[i] = '*'
		}
		start, first = false, false
	}
	return string(r)
}
