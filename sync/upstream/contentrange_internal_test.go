package upstream

import (
	"fmt"
	"testing"
)

func TestContentRange(t *testing.T) {
	for _, tt := range []struct {
		in           string
		start, total int64
		ok           bool
	}{
		{"bytes 7-19/20", 7, 20, true},
		{"bytes 0-0/1", 0, 1, true},
		{"bytes 5-9/*", 5, -1, true},
		{"bytes 7-19/19", 0, 0, false},
		{"bytes 9-7/20", 0, 0, false},
		{"bytes -1-7/20", 0, 0, false},
		{"items 0-1/2", 0, 0, false},
		{"bytes 0-1", 0, 0, false},
		{"", 0, 0, false},
	} {
		s, tot, err := contentRange(tt.in)
		if (err == nil) != tt.ok || tt.ok && (s != tt.start || tot != tt.total) {
			t.Errorf("contentRange(%q) = %d, %d, %v", tt.in, s, tot, err)
		}
	}
}

func FuzzContentRange(f *testing.F) {
	f.Add("bytes 7-19/20")
	f.Add("bytes 5-9/*")
	f.Fuzz(func(t *testing.T, v string) {
		start, total, err := contentRange(v)
		if err != nil {
			return
		}
		if start < 0 || total != -1 && total <= start {
			t.Fatalf("contentRange(%q) = %d, %d", v, start, total)
		}
		if _, _, err := contentRange(fmt.Sprintf("bytes %d-%d/%d", start, start, start+1)); err != nil {
			t.Fatal(err)
		}
	})
}
