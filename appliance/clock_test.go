package appliance

import (
	"testing"
	"time"
)

func TestClockTrust(t *testing.T) {
	local := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	ntp := false
	c := &clockTrust{ntpSynced: func() bool { return ntp }}
	steps := []struct {
		name    string
		hub     time.Duration // hub minus local; 0 = no observation
		ntp     bool
		trusted bool
		source  string
	}{
		{"boot, nothing known", 0, false, false, ""},
		{"hub far off (clock from last shutdown)", 26 * time.Hour, false, false, ""},
		{"hub agrees", 3 * time.Second, false, true, "hub"},
		{"hub later disagrees", -time.Hour, false, false, ""},
		{"ntp synced", 0, true, true, "ntp"},
		{"ntp outranks a disagreeing hub", time.Hour, true, true, "ntp"},
	}
	for _, s := range steps {
		ntp = s.ntp
		if s.hub != 0 {
			c.observeHub(local.Add(s.hub), local)
		}
		st := c.state()
		if st.Trusted != s.trusted || st.Source != s.source {
			t.Fatalf("%s: state = %+v", s.name, st)
		}
	}
	if st := c.state(); !st.HubSeen || st.OffsetMS != time.Hour.Milliseconds() {
		t.Fatalf("offset not kept: %+v", st)
	}
}
