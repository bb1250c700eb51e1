package appliance

import (
	"strings"
	"testing"
)

func TestParseTicket(t *testing.T) {
	for _, tc := range []struct {
		in     string
		letter string
		n      int
		ok     bool
	}{
		{"0042", "", 42, true},
		{"R0042", "R", 42, true},
		{" m9999 ", "M", 9999, true},
		{"0000", "", 0, true},
		{"42", "", 0, false},
		{"R42", "", 0, false},
		{"00042", "", 0, false},
		{"+042", "", 0, false},
		{"-042", "", 0, false},
		{"R-042", "", 0, false},
		{"R 042", "", 0, false},
		{"号0042", "", 0, false},
		{"", "", 0, false},
	} {
		l, n, err := parseTicket(tc.in)
		if (err == nil) != tc.ok || tc.ok && (l != tc.letter || n != tc.n) {
			t.Errorf("parseTicket(%q) = %q, %d, %v", tc.in, l, n, err)
		}
	}
}

// FuzzParseTicket: whatever is typed, a ticket is refused with the text
// in the error, or read as a letter and a number a ticket can show.
func FuzzParseTicket(f *testing.F) {
	for _, s := range []string{"0042", "R0042", "m0001", "", "R", "٠٠٤٢", "Ｒ0042"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, n, err := parseTicket(s)
		if err != nil {
			if !strings.Contains(err.Error(), "ticket") {
				t.Fatalf("error %v does not say what was wrong", err)
			}
			return
		}
		if n < 0 || n > 9999 || len(l) > 1 || l != "" && (l[0] < 'A' || l[0] > 'Z') {
			t.Fatalf("parseTicket(%q) = %q, %d", s, l, n)
		}
	})
}
