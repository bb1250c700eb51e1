package kiosk

import (
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// The start screen's clock is the station's: on a board whose clock runs
// 8 h ahead (an RTC kept in local time), it shows the hub's time once the
// hub has answered, not the board's.
func TestStartScreenShowsTheStationsClock(t *testing.T) {
	hub := simui.StartHub(t)
	board := func() time.Time { return time.Now().Add(8 * time.Hour) } // the hub's is time.Now
	r := newRig(t, rigOptions{noCard: true,
		setup: func(o *appliance.Options) {
			o.Config.Upstream.URL, o.Config.Upstream.TokenFile = hub.URL, hub.TokenFile
			o.Now = board
		},
		// The kiosk as cmd/gridkiosk builds it, on the board's clock.
		app: func(o *Options) { o.Now, o.Wall = board, nil },
	})
	r.waitStation("the hub's offset", func() bool { return r.st.Health().Clock.Source == "hub" })
	r.loop.until(t, "the hub's time on the start screen", func() bool {
		r.app.Tick()
		now := time.Now()
		hubs := r.shows(now.Format("15:04")) || r.shows(now.Add(-time.Minute).Format("15:04"))
		return hubs && !r.shows(board().Format("15:04"))
	})
}
