package appliance

import (
	"testing"
	"time"
)

func TestClockTrust(t *testing.T) {
	local := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) // booted on the day of the last shutdown
	ntp := false
	c := &clockTrust{ntpSynced: func() bool { return ntp }}
	steps := []struct {
		name    string
		hub     time.Duration // hub minus local; 0 = no observation
		ntp     bool
		trusted bool
		source  string
		stamp   time.Time
	}{
		{"boot, nothing known", 0, false, false, "", local},
		{"hub six days ahead", 6 * 24 * time.Hour, false, true, "hub", local.Add(6 * 24 * time.Hour)},
		{"hub agrees within tolerance", 3 * time.Second, false, true, "hub", local},
		{"hub an hour behind", -time.Hour, false, true, "hub", local.Add(-time.Hour)},
		{"ntp synced", 0, true, true, "ntp", local},
		{"ntp outranks the hub", time.Hour, true, true, "ntp", local},
	}
	for _, s := range steps {
		ntp = s.ntp
		if s.hub != 0 {
			c.observeHub(local.Add(s.hub), local)
		}
		st := c.state()
		at, trusted := c.stamp(local)
		if st.Trusted != s.trusted || st.Source != s.source || trusted != s.trusted || !at.Equal(s.stamp) {
			t.Fatalf("%s: state = %+v, stamp %v %v", s.name, st, at, trusted)
		}
	}
	if st := c.state(); !st.HubSeen || st.OffsetMS != time.Hour.Milliseconds() {
		t.Fatalf("offset not kept: %+v", st)
	}
}
