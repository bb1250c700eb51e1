package kiosk

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// The start screen's 在线 / 离线 follows the county hub as the forwarder
// finds it, without a tap and without the once-a-second tick (the test
// sends none): the station tells the screens when the hub comes or goes.
func TestStartScreenFollowsTheHub(t *testing.T) {
	hub := simui.StartHub(t)
	hub.Set(simui.HubDown)
	r := newRig(t, rigOptions{noCard: true, setup: func(o *appliance.Options) {
		o.Config.Upstream.URL, o.Config.Upstream.TokenFile = hub.URL, hub.TokenFile
		o.Timing = appliance.Timing{MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Idle: 50 * time.Millisecond}
	}})
	submit := func() {
		t.Helper()
		raw, _ := json.Marshal(map[string]any{"category": "repair", "description": "7号楼楼道灯不亮"})
		if _, err := r.st.Submit(t.Context(), station.Submission{Kind: "matter", Payload: raw}); err != nil {
			t.Fatal(err)
		}
	}
	upstream := func() station.UpstreamState { return r.st.Health().Upstream }

	submit()
	r.waitStation("the hub to refuse a batch", func() bool { u := upstream(); return !u.Online && u.LastError != "" })
	r.loop.until(t, "离线 on the start screen", func() bool { return r.shows("离线") })

	hub.Set(simui.HubAccept)
	r.waitStation("the record to reach the hub", func() bool { return len(hub.Taken()) == 1 && upstream().Online })
	r.loop.until(t, "在线 on the start screen", func() bool { return r.shows("在线") && !r.shows("离线") })

	hub.Set(simui.HubDown)
	submit()
	r.waitStation("the hub to go away", func() bool { return !upstream().Online })
	r.loop.until(t, "离线 again", func() bool { return r.shows("离线") && !r.shows("在线") })
	if r.app.Screen() != scrAttract {
		t.Fatalf("screen %s, want the start screen", r.app.Screen())
	}
}
