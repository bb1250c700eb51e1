package appliance

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestClockTrust(t *testing.T) {
	local := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) // booted on the day of the last shutdown
	ntp := false
	var logs bytes.Buffer
	c := &clockTrust{local: func() time.Time { return local }, ntpSynced: func() bool { return ntp },
		log: slog.New(slog.NewTextHandler(&logs, nil))}
	steps := []struct {
		name    string
		hub     time.Duration // hub minus local; 0 = no observation
		ntp     bool
		trusted bool
		source  string
		now     time.Time
		warn    string // in the log after this step, "" = nothing logged
	}{
		{"boot, nothing known", 0, false, false, "", local, ""},
		{"hub six days ahead", 6 * 24 * time.Hour, false, true, "hub", local.Add(6 * 24 * time.Hour), "this station's clock is off"},
		{"a second of jitter keeps the offset", 6*24*time.Hour - time.Second, false, true, "hub", local.Add(6 * 24 * time.Hour), ""},
		{"hub agrees within tolerance", 3 * time.Second, false, true, "hub", local, "old_offset=144h0m0s new_offset=3s"},
		{"hub an hour behind", -time.Hour, false, true, "hub", local.Add(-time.Hour), "jumped"},
		{"ntp synced", 0, true, true, "ntp", local, ""},
		{"ntp outranks the hub", time.Hour, true, true, "ntp", local, "jumped"},
	}
	for _, s := range steps {
		logs.Reset()
		ntp = s.ntp
		if s.hub != 0 {
			c.observeHub(local.Add(s.hub), local)
		}
		st := c.state()
		at, trusted := c.now()
		if st.Trusted != s.trusted || st.Source != s.source || trusted != s.trusted || !at.Equal(s.now) || !c.Now().Equal(s.now) {
			t.Fatalf("%s: state = %+v, now %v %v", s.name, st, at, trusted)
		}
		if got := logs.String(); s.warn == "" && got != "" || s.warn != "" && !(strings.Contains(got, "level=WARN") && strings.Contains(got, s.warn)) {
			t.Fatalf("%s: logged %q; want a warning with %q", s.name, got, s.warn)
		}
	}
	if st := c.state(); !st.HubSeen || st.OffsetMS != time.Hour.Milliseconds() {
		t.Fatalf("offset not kept: %+v", st)
	}
}

// With NTP, a hub whose clock is off is the one to check, and the
// technician is told so.
func TestClockNTPDisagreesWithHub(t *testing.T) {
	local := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	c := &clockTrust{local: func() time.Time { return local }, ntpSynced: func() bool { return true },
		log: slog.New(slog.NewTextHandler(&logs, nil))}
	c.observeHub(local.Add(-8*time.Hour), local)
	if got := logs.String(); !strings.Contains(got, "check the hub's clock") || !strings.Contains(got, "hub_offset=-8h0m0s") {
		t.Fatalf("logged %q", got)
	}
	if !c.Now().Equal(local) {
		t.Fatalf("now %v; NTP's clock is the station's", c.Now())
	}
}
