package appliance

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// hubClockTolerance is how far the local clock may be from the hub's Date
// header and still be used as it is. HTTP dates have one-second resolution
// and the request takes time, so a few seconds of slack are needed; beyond
// two minutes (a clock that came up in 1970 or on the day of the last
// shutdown) records are stamped with the hub's offset added.
const hubClockTolerance = 2 * time.Minute

// clockTrust decides whether the station's clock can be believed. A board
// without a battery-backed clock boots with a wrong time until NTP sets it
// or the hub's Date header tells the station how far off it is; records
// made before then say so.
type clockTrust struct {
	ntpSynced func() bool

	mu     sync.Mutex
	source string        // "ntp", "hub" or ""
	offset time.Duration // hub time minus local time, at the last observation
	seen   bool
}

// ClockState is the clock's trust for /healthz.
type ClockState struct {
	Trusted  bool   `json:"trusted"`
	Source   string `json:"source,omitempty"` // ntp, hub
	OffsetMS int64  `json:"hub_offset_ms"`    // hub minus local, last seen
	HubSeen  bool   `json:"hub_seen"`
}

func (c *clockTrust) observeHub(hub, local time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = true
	c.offset = hub.Sub(local)
}

// stamp returns the time to put on a record made at local, and whether it
// can be believed: the local clock once NTP has set it; the local clock
// corrected by the hub's offset once the hub has been heard from (a board
// that booted on the day of its last shutdown still stamps today's date);
// otherwise the local clock, marked untrusted.
func (c *clockTrust) stamp(local time.Time) (time.Time, bool) {
	st := c.state()
	switch st.Source {
	case "ntp":
		return local, true
	case "hub":
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.offset.Abs() <= hubClockTolerance {
			// Within the Date header's resolution and the request's
			// time: the local clock is as good as the hub's.
			return local, true
		}
		return local.Add(c.offset), true
	}
	return local, false
}

func (c *clockTrust) state() ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.ntpSynced != nil && c.ntpSynced():
		c.source = "ntp"
	case c.seen:
		c.source = "hub"
	default:
		c.source = ""
	}
	return ClockState{Trusted: c.source != "", Source: c.source, OffsetMS: c.offset.Milliseconds(), HubSeen: c.seen}
}

// kernelNTPSynced asks the kernel whether a time daemon has disciplined
// the clock (adjtimex reports TIME_ERROR or STA_UNSYNC until one has).
func kernelNTPSynced() bool {
	var tx unix.Timex
	state, err := unix.Adjtimex(&tx)
	return err == nil && state != unix.TIME_ERROR && tx.Status&unix.STA_UNSYNC == 0
}
