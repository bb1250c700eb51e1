package appliance

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// hubClockTolerance is how far the local clock may be from the hub's Date
// header and still count as right. HTTP dates have one-second resolution
// and the request takes time, so a few seconds of slack are needed; two
// minutes is still far tighter than a clock that came up in 1970 or on the
// day of the last shutdown.
const hubClockTolerance = 2 * time.Minute

// clockTrust decides whether the station's clock can be believed. A board
// without a battery-backed clock boots with a wrong time until NTP or the
// hub confirms it; records made before then say so.
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
	switch {
	case c.offset.Abs() <= hubClockTolerance:
		if c.source == "" {
			c.source = "hub"
		}
	case c.source == "hub":
		// The hub now disagrees: stop trusting what it once confirmed.
		c.source = ""
	}
}

func (c *clockTrust) state() ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.source != "ntp" && c.ntpSynced != nil && c.ntpSynced() {
		c.source = "ntp"
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
