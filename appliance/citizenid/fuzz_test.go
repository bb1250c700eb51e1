package citizenid

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "110105194912310021",
		"１１０１０５１９４９１２３１００２Ｘ", "141029 19850315 1230",
		"81000019900101003", "91484019800101005X", "", "\xff", "9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason < BadLength || e.Reason > BadCheck {
				t.Fatalf("Parse(%q) error %v has no valid Reason", s, err)
			}
			// A message may quote one character, so
			// only inputs made of ID characters can be checked for leaks.
			if norm := Normalize(s); strings.Trim(norm, "0123456789X") == "" && leaks(err.Error(), norm) {
				t.Fatalf("error reveals the number: %v", err)
			}
			return
		}
		if Mask(n.ID) == n.ID {
			t.Fatalf("Mask(%q) returned it unchanged", n.ID)
		}
		c, err := CheckChar(n.ID[:17])
		if err != nil || c != n.ID[17] {
			t.Fatalf("CheckChar(%q) = %q, %v; ID ends in %q", n.ID[:17], c, err, n.ID[17])
		}
		if n.ID != Normalize(n.ID) || n.Division != n.ID[:6] || n.Gender != Gender(n.Sequence%2) {
			t.Fatalf("inconsistent Number %#v", n)
		}
		if again, err := Parse(n.ID); err != nil || again != n {
			t.Fatalf("Parse(n.ID) = %#v, %v; want %#v", again, err, n)
		}
	})
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "", "1", "abc", "１２３", " x ", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Mask(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Mask(%q) = %q, not UTF-8", s, got)
		}
		norm := []rune(Normalize(s))
		out := []rune(got)
		if len(out) != len(norm) {
			t.Fatalf("Mask(%q) = %q has %d characters, want %d", s, got, len(out), len(norm))
		}
		limit := len(norm) / 3
		if len(norm) == Length {
			limit = 8
		}
		shown, hidden := 0, 0
		for i, r := range out {
			switch {
			case r != '*':
				shown++
				if r != norm[i] {
					t.Fatalf("Mask(%q) = %q changes character %d", s, got, i+1)
				}
			case norm[i] != '*':
				hidden++
			}
		}
		if shown > limit {
			t.Fatalf("Mask(%q) = %q shows %d characters, at most %d allowed", s, got, shown, limit)
		}
		if len(norm) > 0 && !strings.ContainsRune(string(norm), '*') && hidden == 0 {
			t.Fatalf("Mask(%q) = %q hides nothing", s, got)
		}
	})
}

func FuzzMaskName(f *testing.F) {
	for _, s := range []string{"张三", "王小明", "欧阳小明", "John Smith", "A B", " 张 ", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := MaskName(s)
		if !utf8.ValidString(got) {
			t.Fatalf("MaskName(%q) = %q, not UTF-8", s, got)
		}
		trimmed := strings.TrimFunc(s, unicode.IsSpace)
		if utf8.RuneCountInString(trimmed) > 1 && !strings.ContainsRune(trimmed, '*') && got == trimmed {
			t.Fatalf("MaskName(%q) returned the name unchanged", s)
		}
		if got == s && s != "" && !strings.ContainsRune(s, '*') {
			t.Fatalf("MaskName(%q) returned its input", s)
		}
	})
}
