package idcard

import (
	"fmt"
	"testing"
)

func TestNationTable(t *testing.T) {
	seen := map[string]bool{}
	for i := 1; i <= 56; i++ {
		name, ok := Nation(fmt.Sprintf("%02d", i))
		if !ok || name == "" || seen[name] {
			t.Fatalf("code %02d: %q %v (duplicate: %v)", i, name, ok, seen[name])
		}
		seen[name] = true
		if !ValidNationName(name) {
			t.Errorf("ValidNationName(%q) = false", name)
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
		if got, ok := Nation(tc.code); got != tc.want || ok != tc.ok {
			t.Errorf("Nation(%q) = %q, %v; want %q, %v", tc.code, got, ok, tc.want, tc.ok)
		}
	}
	if ValidNationName("德昴") {
		t.Error("the common typo 德昴 is accepted")
	}
}

func TestGender(t *testing.T) {
	for code, want := range map[string]string{"1": "male", "2": "female", "0": "unknown", "9": "unknown"} {
		if got, ok := Gender(code); !ok || got != want {
			t.Errorf("Gender(%q) = %q %v", code, got, ok)
		}
	}
	if _, ok := Gender("3"); ok {
		t.Error("Gender(3) accepted")
	}
}
