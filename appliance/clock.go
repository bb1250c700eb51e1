package appliance

import (
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// hubClockTolerance is how far the local clock may be from the hub's time
// and still be used as it is. HTTP dates have one-second resolution and
// the request takes time, so a few seconds of slack are needed; beyond two
// minutes (a clock that came up in 1970, on the day of the last shutdown,
// or an RTC keeping local time) the station's time is the local clock with
// the hub's offset added.
const hubClockTolerance = 2 * time.Minute

// offsetJitter is how much a new observation may differ from the offset in
// use without replacing it: the Date header's one-second resolution and the
// request's time would otherwise make the corrected clock step back and
// forth by a second at every answer.
const offsetJitter = 2 * time.Second

// clockJump is an offset change between two observations that a
// technician should hear about: someone set the board's clock or the
// hub's, or the answers come from two machines that disagree.
const clockJump = 5 * time.Minute

// clockTrust is the station's one wall clock. A board without a
// battery-backed clock boots with a wrong time until NTP sets it or the
// county hub tells the station how far off it is; records made before
// then say so. Everything the station writes or compares as a time of day
// (records, consent, signed codes, volunteers, badges, metrics) comes from
// now; intervals (idle timers, lockouts, uptime) stay on the local clock,
// which an offset learned meanwhile must not stretch or cut short.
//
// The offset lives in memory only. After a restart the station waits to
// hear from the hub again: the RTC may have been set meanwhile, and an
// offset from yesterday would then be the error.
type clockTrust struct {
	local     func() time.Time // the board's clock as it is
	ntpSynced func() bool
	log       *slog.Logger

	mu     sync.Mutex
	offset time.Duration // hub time minus local time, in use
	seen   bool          // the hub was heard from since start
}

// observeHub takes the hub's time from an authenticated answer (see
// upstream.Client.ObserveDate) and the local clock when it came.
func (c *clockTrust) observeHub(hub, local time.Time) {
	off := hub.Sub(local)
	c.mu.Lock()
	prev, seen := c.offset, c.seen
	if !seen || (off-prev).Abs() > offsetJitter {
		c.offset = off
	}
	c.seen = true
	c.mu.Unlock()

	ntp := c.ntpSynced != nil && c.ntpSynced()
	switch {
	case !seen && off.Abs() > hubClockTolerance && ntp:
		c.log.Warn("appliance: the hub's clock differs from this station's NTP-set clock; records keep the NTP time, check the hub's clock",
			"hub_offset", off.Round(time.Second).String())
	case !seen && off.Abs() > hubClockTolerance:
		c.log.Warn("appliance: this station's clock is off; records and code checks use the hub's time until the board's clock is set",
			"hub_offset", off.Round(time.Second).String(), "local", local.Format(time.RFC3339), "hub", hub.Format(time.RFC3339))
	case seen && (off-prev).Abs() > clockJump:
		c.log.Warn("appliance: the hub's time jumped against this station's clock; someone set one of the two clocks",
			"old_offset", prev.Round(time.Second).String(), "new_offset", off.Round(time.Second).String(), "ntp_synced", ntp)
	}
}

// now is the station's time and whether it can be believed: the local
// clock once NTP has set it (NTP outranks a hub whose own clock may be
// wrong); the local clock corrected by the hub's offset once the hub has
// been heard from (a board that booted on the day of its last shutdown
// still says today); otherwise the local clock, marked untrusted.
func (c *clockTrust) now() (time.Time, bool) {
	local := c.local()
	if c.ntpSynced != nil && c.ntpSynced() {
		return local, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.seen:
		return local, false
	case c.offset.Abs() <= hubClockTolerance:
		// Within the Date header's resolution and the request's
		// time: the local clock is as good as the hub's.
		return local, true
	}
	return local.Add(c.offset), true
}

// Now is the station's time (see now), for callers that need no trust flag.
func (c *clockTrust) Now() time.Time {
	t, _ := c.now()
	return t
}

func (c *clockTrust) state() station.ClockState {
	ntp := c.ntpSynced != nil && c.ntpSynced()
	c.mu.Lock()
	defer c.mu.Unlock()
	st := station.ClockState{OffsetMS: c.offset.Milliseconds(), HubSeen: c.seen}
	switch {
	case ntp:
		st.Source = "ntp"
	case c.seen:
		st.Source = "hub"
	}
	st.Trusted = st.Source != ""
	return st
}

// kernelNTPSynced asks the kernel whether a time daemon has disciplined
// the clock (adjtimex reports TIME_ERROR or STA_UNSYNC until one has).
func kernelNTPSynced() bool {
	var tx unix.Timex
	state, err := unix.Adjtimex(&tx)
	return err == nil && state != unix.TIME_ERROR && tx.Status&unix.STA_UNSYNC == 0
}
