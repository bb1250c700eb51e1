package idcard

import "testing"

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
