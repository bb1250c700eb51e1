package sim

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

// boardClock is the simulated board's own clock: the host's, moved by a
// skew that the control panel or --clock-skew sets, as on a board whose
// RTC keeps local time or lost its battery. The simulated board has no
// NTP, so only the hub's answers can correct it, as in the field.
type boardClock struct{ skew atomic.Int64 }

func (c *boardClock) Now() time.Time { return time.Now().Add(time.Duration(c.skew.Load())) }

// SetClockSkew moves the simulated board's clock to skew from the host's.
func (w *World) SetClockSkew(skew time.Duration) error {
	if skew.Abs() > MaxClockSkew {
		return fmt.Errorf("simulate: clock skew %v is beyond ±%v", skew, MaxClockSkew)
	}
	w.clock.skew.Store(int64(skew))
	return nil
}

// ClockSkew is how far the simulated board's clock is from the host's.
func (w *World) ClockSkew() time.Duration { return time.Duration(w.clock.skew.Load()) }

// MaxClockSkew bounds the skew a simulation accepts: a board's clock
// after a power cut is years off at worst, not centuries.
const MaxClockSkew = 20 * 365 * 24 * time.Hour

// ParseSkew reads a skew as Go writes durations, with days added: "8h",
// "-3d", "+1y" (365 days), "0".
func ParseSkew(s string) (time.Duration, error) {
	if s == "" || s == "0" {
		return 0, nil
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'y': 365 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("clock skew %q: want e.g. 8h, -3d or +1y", s)
		}
		return d, nil
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil {
		return 0, fmt.Errorf("clock skew %q: want e.g. 8h, -3d or +1y", s)
	}
	return time.Duration(n) * unit, nil
}
