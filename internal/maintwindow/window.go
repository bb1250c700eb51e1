// Package maintwindow is the station's maintenance window (update.window):
// the local hours in which an installed update may reboot the station,
// written "02:00-05:00". A window may cross midnight ("23:30-04:00").
// It is a leaf so that the config can check the key with the same rule
// the update manager keeps.
package maintwindow

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is a span of local time of day: Start included, End not, in
// minutes after midnight. End 24:00 is the end of the day.
type Window struct {
	Start, End int
}

// Default is 02:00-05:00, when no resident comes to a community station.
var Default = Window{Start: 2 * 60, End: 5 * 60}

// Parse reads "HH:MM-HH:MM". The two ends differ; the end may be 24:00.
func Parse(s string) (Window, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Window{}, fmt.Errorf("window %q is not HH:MM-HH:MM (e.g. 02:00-05:00)", s)
	}
	start, err := clock(a, false)
	if err != nil {
		return Window{}, fmt.Errorf("window %q: start: %w", s, err)
	}
	end, err := clock(b, true)
	if err != nil {
		return Window{}, fmt.Errorf("window %q: end: %w", s, err)
	}
	if start == end {
		return Window{}, fmt.Errorf("window %q is empty: start and end are the same time", s)
	}
	return Window{Start: start, End: end}, nil
}

// clock reads "HH:MM" as minutes after midnight; "24:00" only for an end.
func clock(s string, end bool) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || h[0] == '+' || h[0] == '-' || m[0] == '+' || m[0] == '-' {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	switch {
	case end && hh == 24 && mm == 0:
		return 24 * 60, nil
	case hh > 23 || mm > 59:
		return 0, fmt.Errorf("%q is not a time of day (00:00 to 23:59)", s)
	}
	return hh*60 + mm, nil
}

func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// crosses reports whether the window runs over midnight.
func (w Window) crosses() bool { return w.End <= w.Start }

// Contains reports whether t's local time of day (in t's location) lies
// in the window.
func (w Window) Contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if w.crosses() {
		return m >= w.Start || m < w.End
	}
	return m >= w.Start && m < w.End
}

// Next returns when the window next opens at or after t: t itself when
// it is open. In a zone with daylight saving a start inside the skipped
// hour is the first instant after it (time.Date's rule).
func (w Window) Next(t time.Time) time.Time {
	if w.Contains(t) {
		return t
	}
	y, mo, d := t.Date()
	open := time.Date(y, mo, d, w.Start/60, w.Start%60, 0, 0, t.Location())
	if !open.After(t) {
		open = time.Date(y, mo, d+1, w.Start/60, w.Start%60, 0, 0, t.Location())
	}
	return open
}
