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

// MaskAddress keeps an address down to its compound (小区, 院, village or
// street) and hides the building, entrance, floor and door after it, so a
// passer-by who reads it cannot find the door: "…幸福湾社区7号院7号楼2单元301"
// becomes "…幸福湾社区7号院**". The cut is at the first number (Arabic,
// full-width or Chinese numerals) that a building, entrance, room, house
// or group unit follows, or that ends the address; a number of a 号院 or
// 院 is the compound and stays. An address with no such number comes back
// unchanged, without its surrounding white space.
func MaskAddress(addr string) string {
	r := []rune(strings.TrimFunc(addr, unicode.IsSpace))
	for i := 0; i < len(r); i++ {
		if !isNumeral(r[i]) {
			continue
		}
		j := i
		for j < len(r) && (isNumeral(r[j]) || r[j] == '-' || r[j] == '－') {
			j++
		}
		rest := string(r[j:])
		switch {
		case strings.HasPrefix(rest, "号院"), strings.HasPrefix(rest, "院"), strings.HasPrefix(rest, "号大院"):
			i = j - 1 // the compound's own number
			continue
		case rest == "" || startsWithUnit(rest) || r[i] >= '0' && r[i] <= '9' || r[i] >= '０' && r[i] <= '９':
			if i == 0 {
				return "**"
			}
			return string(r[:i]) + "**"
		}
		i = j - 1 // a Chinese numeral in a name: 三里屯, 十字街
	}
	return string(r)
}

// addressUnits follow the number of what lies inside a compound, or of a
// house on a street.
var addressUnits = []string{"号", "栋", "幢", "楼", "单元", "室", "层", "组", "排", "户", "门"}

func startsWithUnit(s string) bool {
	for _, u := range addressUnits {
		if strings.HasPrefix(s, u) {
			return true
		}
	}
	return false
}

func isNumeral(r rune) bool {
	return r >= '0' && r <= '9' || r >= '０' && r <= '９' || strings.ContainsRune("一二三四五六七八九十零〇百", r)
}
