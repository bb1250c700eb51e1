package nation

import (
	"fmt"
	"testing"
)

func TestNationTable(t *testing.T) {
	seen := map[string]bool{}
	for i := 1; i <= 56; i++ {
		name, ok := Name(fmt.Sprintf("%02d", i))
		if !ok || name == "" || seen[name] {
			t.Fatalf("code %02d: %q %v (duplicate: %v)", i, name, ok, seen[name])
		}
		seen[name] = true
		if !Valid(name) {
			t.Errorf("Valid(%q) = false", name)
		}
	}
	tests := []struct {
		code, want string
		ok         bool
	}{
		{"01", "汉", true}, {"03", "回", true}, {"46", "德昂", true}, {"56", "基诺", true},
		{"97", "其他", true}, {"98", "外国血统中国籍人士", true},
		{"00", "", false}, {"57", "", false}, {"1", "", false}, {"ab", "", false}, {"99", "", false},
	}
	for _, tc := range tests {
		if got, ok := Name(tc.code); got != tc.want || ok != tc.ok {
			t.Errorf("Name(%q) = %q, %v; want %q, %v", tc.code, got, ok, tc.want, tc.ok)
		}
	}
	if Valid("德昴") {
		t.Error("the common typo 德昴 is accepted")
	}
}

// FuzzName checks that only the 58 canonical two-digit codes decode, and
// that every name decoded is one Valid accepts.
func FuzzName(f *testing.F) {
	for _, s := range []string{"01", "56", "57", "97", "98", "99", "00", "1", "", "０１", "a1", "011"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		name, ok := Name(code)
		if !ok {
			if name != "" {
				t.Fatalf("Name(%q) = %q with false", code, name)
			}
			return
		}
		if len(code) != 2 || !(("01" <= code && code <= "56") || code == "97" || code == "98") {
			t.Fatalf("Name(%q) accepted a code outside GB 3304", code)
		}
		if !Valid(name) {
			t.Fatalf("Name(%q) = %q, which Valid refuses", code, name)
		}
	})
}
