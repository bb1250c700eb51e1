package main

import (
	"bufio"
	"compress/bzip2"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// char is one character of the 通用规范汉字表 with its toneless readings,
// the standard dictionary's first.
type char struct {
	r        rune
	tghIdx   int
	readings []string
}

// dropped are syllables the table leaves out; see the package comment.
var dropped = map[string]bool{"m": true, "n": true, "ng": true, "hm": true, "hng": true}

// readingFields are the Unihan fields read, most authoritative first.
var readingFields = []string{"kTGHZ2013", "kXHC1983", "kMandarin"}

func readUnihan(dir string) ([]char, error) {
	idx := map[rune]int{}
	err := eachField(filepath.Join(dir, "Unihan_OtherMappings.txt.bz2"), func(r rune, field, value string) error {
		if field != "kTGH" {
			return nil
		}
		// "2013:1234": the character's number in the table.
		_, n, ok := strings.Cut(value, ":")
		i, err := strconv.Atoi(n)
		if !ok || err != nil {
			return fmt.Errorf("kTGH %q", value)
		}
		idx[r] = i
		return nil
	})
	if err != nil {
		return nil, err
	}
	raw := map[rune]map[string][]string{}
	err = eachField(filepath.Join(dir, "Unihan_Readings.txt.bz2"), func(r rune, field, value string) error {
		if _, ok := idx[r]; !ok {
			return nil
		}
		if raw[r] == nil {
			raw[r] = map[string][]string{}
		}
		raw[r][field] = append(raw[r][field], readingsOf(value)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return assemble(idx, raw)
}

func assemble(idx map[rune]int, raw map[rune]map[string][]string) ([]char, error) {
	var chars []char
	for r, i := range idx {
		c := char{r: r, tghIdx: i}
		seen := map[string]bool{}
		for _, f := range readingFields {
			for _, rd := range raw[r][f] {
				syl, err := toneless(rd)
				if err != nil {
					return nil, fmt.Errorf("%U %s: %w", r, f, err)
				}
				if !seen[syl] && !dropped[syl] {
					seen[syl] = true
					c.readings = append(c.readings, syl)
				}
			}
		}
		chars = append(chars, c)
	}
	if len(chars) < 8000 {
		return nil, fmt.Errorf("only %d characters in kTGH: wrong Unihan files?", len(chars))
	}
	sort.Slice(chars, func(i, j int) bool { return chars[i].tghIdx < chars[j].tghIdx })
	return chars, nil
}

// readingsOf splits a reading field's value: "wáng" (kMandarin),
// "0684.060:le 0711.150:liǎo" (kXHC1983) or "223.010,223.020:liǎo"
// (kTGHZ2013).
func readingsOf(value string) []string {
	var out []string
	for _, f := range strings.Fields(value) {
		if _, after, ok := strings.Cut(f, ":"); ok {
			f = after
		}
		out = append(out, strings.Split(f, ",")...)
	}
	return out
}

func eachField(path string, fn func(r rune, field, value string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("unihan: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(bzip2.NewReader(f))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for line := 1; sc.Scan(); line++ {
		t := sc.Text()
		if t == "" || t[0] == '#' {
			continue
		}
		parts := strings.SplitN(t, "\t", 3)
		cp, err := strconv.ParseUint(strings.TrimPrefix(parts[0], "U+"), 16, 32)
		if len(parts) != 3 || err != nil {
			return fmt.Errorf("%s:%d: malformed line", path, line)
		}
		if err := fn(rune(cp), parts[1], parts[2]); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// toneless turns a pinyin syllable with tone marks into the letters typed
// for it: "lǜ" becomes "lv", "ê̄" becomes "e".
func toneless(s string) (string, error) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r == 0x308: // combining diaeresis: u + ̈ is ü
			if !strings.HasSuffix(b.String(), "u") {
				return "", fmt.Errorf("diaeresis after %q in %q", b.String(), s)
			}
			str := b.String()
			b.Reset()
			b.WriteString(str[:len(str)-1] + "v")
		case r >= 0x300 && r <= 0x36f: // other combining marks are tones
		default:
			base, ok := plainLetter(r)
			if !ok {
				return "", fmt.Errorf("unexpected %q at %d in %q", r, i, s)
			}
			b.WriteRune(base)
		}
	}
	if b.Len() == 0 || !utf8.ValidString(s) {
		return "", fmt.Errorf("empty reading %q", s)
	}
	// Typists and the Google dictionary write lüe and nüe as lue and nue:
	// no other syllable is spelt that way.
	switch t := b.String(); t {
	case "lve", "nve":
		return t[:1] + "ue", nil
	default:
		return t, nil
	}
}

// plainLetter maps a precomposed letter of Hanyu Pinyin to the key typed
// for it.
func plainLetter(r rune) (rune, bool) {
	for _, v := range []struct {
		base   rune
		marked string
	}{
		{'a', "āáǎà"}, {'e', "ēéěèêếề"}, {'i', "īíǐì"}, {'o', "ōóǒò"},
		{'u', "ūúǔù"}, {'v', "üǖǘǚǜ"}, {'m', "ḿ"}, {'n', "ńňǹ"},
	} {
		if strings.ContainsRune(v.marked, r) {
			return v.base, true
		}
	}
	return 0, false
}
