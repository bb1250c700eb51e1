package sim

import (
	"testing"
	"time"
)

func TestParseSkew(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "", want: 0},
		{in: "0", want: 0},
		{in: "8h", want: 8 * time.Hour},
		{in: "-3d", want: -72 * time.Hour},
		{in: "+1y", want: 365 * 24 * time.Hour},
		{in: "3d", want: 72 * time.Hour},
		{in: "-90m", want: -90 * time.Minute},
		{in: "x", bad: true},
		{in: "1.5d", bad: true},
		{in: "d", bad: true},
		{in: "+-3d", bad: true},
	} {
		got, err := ParseSkew(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("ParseSkew(%q) = %v, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseSkew(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}
