package main

import (
	"testing"
	"time"
)

// The simulation's board clock can be set wrong, as a board's is after a
// power cut: the station learns the hub's offset and still registers a
// resident laid on the reader, whichever way the clock is off.
func TestSimulateClockSkew(t *testing.T) {
	s := startSim(t, "--clock-skew", "8h")
	for _, c := range []struct {
		name string
		skew time.Duration // the board's clock from the host's (and the hub's)
	}{
		{"+8h", 8 * time.Hour},
		{"-3d", -72 * time.Hour},
		{"+1y", 365 * 24 * time.Hour},
	} {
		if code := s.call("POST", "/v1/sim/clock", map[string]int64{"skew_seconds": int64(c.skew / time.Second)}, nil); code != 204 {
			t.Fatalf("%s: set the clock: %d", c.name, code)
		}
		var h struct {
			Clock struct {
				Trusted  bool   `json:"trusted"`
				Source   string `json:"source"`
				OffsetMS int64  `json:"hub_offset_ms"`
			} `json:"clock"`
		}
		// The station learns the new offset from its next answer from
		// the hub; a registration asks the hub nothing, so nudge it with
		// one the forwarder sends.
		s.submit("clock " + c.name)
		s.waitFor(c.name+": the hub's offset learned", func() bool {
			s.call("GET", "/healthz", nil, &h)
			off := time.Duration(h.Clock.OffsetMS) * time.Millisecond
			return h.Clock.Trusted && h.Clock.Source == "hub" && (off+c.skew).Abs() < time.Minute
		})
		s.call("POST", "/v1/sim/idcard/lay", map[string]string{"card": "resident"}, nil)
		var v struct{ State string }
		s.waitFor(c.name+": card session", func() bool { s.call("GET", "/v1/session", nil, &v); return v.State == "card" })
		var rc struct{ ID string }
		code := s.call("POST", "/v1/session/submit", map[string]any{"purpose": "certificate",
			"consent": map[string]any{"agreed": true, "version": "2026-01"}}, &rc)
		if code != 201 {
			t.Fatalf("%s: card registration: %d", c.name, code)
		}
		s.call("POST", "/v1/sim/idcard/lift", nil, nil)
		s.waitFor(c.name+": registration delivered", func() bool { return s.state(rc.ID) == "delivered" })
	}
	if code := s.call("POST", "/v1/sim/clock", map[string]int64{"skew_seconds": 100 * 365 * 24 * 3600}, nil); code != 400 {
		t.Errorf("a skew of a century: %d, want 400", code)
	}
}
