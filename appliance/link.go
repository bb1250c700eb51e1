package appliance

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// linkEvery is how often the network interfaces are looked at. Reading a
// few sysfs files costs microseconds; a cable plugged back in shows
// within this.
const linkEvery = 2 * time.Second

// linkStates reads the operational state of each network interface but
// the loopback from a sysfs net directory (/sys/class/net).
func linkStates(dir string) map[string]bool {
	up := map[string]bool{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return up
	}
	for _, e := range ents {
		if e.Name() == "lo" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "operstate"))
		if err != nil {
			continue
		}
		up[e.Name()] = strings.TrimSpace(string(b)) == "up"
	}
	return up
}

// watchLinks calls onUp whenever an interface comes up (a cable plugged
// in, a 4G modem attached, Wi-Fi back), so the forwarder need not wait out
// a long backoff once the network is back.
func watchLinks(ctx context.Context, dir string, every time.Duration, onUp func(iface string)) {
	prev := linkStates(dir)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur := linkStates(dir)
		for name, up := range cur {
			if up && !prev[name] {
				onUp(name)
			}
		}
		prev = cur
	}
}

// networkBack ends the forwarder's backoff and refreshes the reference
// data: the network is known to be back.
func (s *Station) networkBack(why string) {
	if s.fwd == nil {
		return
	}
	if !s.fwd.State().Online {
		s.log.Info("appliance: network back; sending now", "why", why)
		s.fwd.Retry()
	}
}

// upstreamEvery is how often the forwarder's state is looked at for a
// change the screens show. Reading it is a lock and a copy.
const upstreamEvery = 250 * time.Millisecond

// watchUpstream tells SessionChanged's waiters when the forwarder comes
// online, goes offline, or raises or clears an alert, so that the start
// screen's 在线 / 离线 follows the hub rather than staying as it was when
// the screen was drawn, and when records are delivered or refused, so
// that the staff's list of the day follows them without polling. The
// forwarder announces nothing itself.
func (s *Station) watchUpstream(ctx context.Context, every time.Duration) {
	type word struct {
		online         bool
		alert          string
		sent, rejected uint64
	}
	look := func() word { st := s.fwd.State(); return word{st.Online, st.Alert, st.Sent, st.Rejected} }
	prev := look()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if cur := look(); cur != prev {
			prev = cur
			s.notify()
		}
	}
}
