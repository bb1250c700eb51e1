package maintwindow

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Window
		wantErr string
	}{
		{"02:00-05:00", Window{120, 300}, ""},
		{" 23:30-04:00 ", Window{23*60 + 30, 240}, ""},
		{"2:00-5:00", Window{120, 300}, ""},
		{"00:00-24:00", Window{0, 1440}, ""},
		{"22:00-24:00", Window{1320, 1440}, ""},
		{"02:00", Window{}, "not HH:MM-HH:MM"},
		{"02:00-02:00", Window{}, "empty"},
		{"00:00-00:00", Window{}, "empty"},
		{"24:00-02:00", Window{}, "not a time of day"},
		{"02:60-05:00", Window{}, "not a time of day"},
		{"2-5", Window{}, "not HH:MM"},
		{"+2:00-05:00", Window{}, "not HH:MM"},
		{"02:-1-05:00", Window{}, "not HH:MM"},
		{"", Window{}, "not HH:MM-HH:MM"},
	} {
		got, err := Parse(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) = %v, %v; want error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// The station's zones have no daylight saving (Asia/Shanghai, Asia/Urumqi
// as fixed zones here so the test does not need tzdata), and a window is
// read in the zone of the time it is given.
func TestContainsAndNext(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	urumqi := time.FixedZone("XJT", 6*3600)
	day := func(loc *time.Location, d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, loc) }
	for _, tt := range []struct {
		name string
		w    string
		at   time.Time
		in   bool
		next time.Time
	}{
		{"before", "02:00-05:00", day(shanghai, 7, 1, 59), false, day(shanghai, 7, 2, 0)},
		{"at start", "02:00-05:00", day(shanghai, 7, 2, 0), true, day(shanghai, 7, 2, 0)},
		{"inside", "02:00-05:00", day(shanghai, 7, 4, 59), true, day(shanghai, 7, 4, 59)},
		{"at end", "02:00-05:00", day(shanghai, 7, 5, 0), false, day(shanghai, 8, 2, 0)},
		{"afternoon", "02:00-05:00", day(shanghai, 7, 14, 0), false, day(shanghai, 8, 2, 0)},
		{"month end", "02:00-05:00", day(shanghai, 31, 23, 0), false, time.Date(2027, 1, 1, 2, 0, 0, 0, shanghai)},
		{"crossing, evening", "23:30-04:00", day(shanghai, 7, 23, 45), true, day(shanghai, 7, 23, 45)},
		{"crossing, after midnight", "23:30-04:00", day(shanghai, 8, 3, 59), true, day(shanghai, 8, 3, 59)},
		{"crossing, at end", "23:30-04:00", day(shanghai, 8, 4, 0), false, day(shanghai, 8, 23, 30)},
		{"crossing, noon", "23:30-04:00", day(shanghai, 8, 12, 0), false, day(shanghai, 8, 23, 30)},
		{"to midnight", "22:00-24:00", day(shanghai, 8, 23, 59), true, day(shanghai, 8, 23, 59)},
		{"to midnight, after", "22:00-24:00", day(shanghai, 9, 0, 0), false, day(shanghai, 9, 22, 0)},
		{"whole day", "00:00-24:00", day(shanghai, 9, 13, 0), true, day(shanghai, 9, 13, 0)},
		// The same instant is 02:30 in Shanghai and 00:30 in Urumqi.
		{"zone of the time", "02:00-05:00", day(shanghai, 7, 2, 30).In(urumqi), false, day(urumqi, 7, 2, 0)},
		{"UTC", "02:00-05:00", day(time.UTC, 7, 2, 30), true, day(time.UTC, 7, 2, 30)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Parse(tt.w)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Contains(tt.at); got != tt.in {
				t.Errorf("%s.Contains(%s) = %v, want %v", w, tt.at, got, tt.in)
			}
			if got := w.Next(tt.at); !got.Equal(tt.next) {
				t.Errorf("%s.Next(%s) = %s, want %s", w, tt.at, got, tt.next)
			}
			if n := w.Next(tt.at); !w.Contains(n) {
				t.Errorf("%s.Next(%s) = %s is not in the window", w, tt.at, n)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"02:00-05:00", "23:30-04:00", "00:00-24:00", "2:0-5:00", "24:00-24:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := Parse(s)
		if err != nil {
			return
		}
		// What parses prints in the form it reads, and reads back the same.
		again, err := Parse(w.String())
		if err != nil || again != w {
			t.Fatalf("Parse(%q) = %v; Parse(%q) = %v, %v", s, w, w.String(), again, err)
		}
		at := time.Date(2026, 12, 7, 13, 7, 0, 0, time.UTC)
		if n := w.Next(at); !w.Contains(n) || n.Before(at) {
			t.Fatalf("%v.Next(%s) = %s", w, at, n)
		}
	})
}
