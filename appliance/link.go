package appliance

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// networkBack ends the forwarder's backoff: the network is known to be
// back. answered says the hub itself answered, which makes the station
// online even with nothing to send.
func (s *Station) networkBack(why string, answered bool) {
	if s.fwd == nil {
		return
	}
	if !s.fwd.State().Online {
		s.log.Info("appliance: network back; sending now", "why", why)
		if answered {
			s.fwd.Reached()
		} else {
			s.fwd.Retry()
		}
	}
}

// upstreamWord is what the screens and lamps show of the forwarder's
// state.
type upstreamWord struct {
	online         bool
	alert          string
	sent, rejected uint64
}

// upstreamShown is the forwarder's state as last told to SessionChanged's
// waiters.
type upstreamShown struct {
	mu   sync.Mutex
	word upstreamWord
}

// upstreamChanged is the forwarder's Changed hook: it tells
// SessionChanged's waiters when the forwarder comes online, goes offline,
// or raises or clears an alert, so that the start screen's 在线 / 离线
// follows the hub, and when records are delivered or refused, so that the
// staff's list of the day follows them; none of them polls the forwarder.
func (s *Station) upstreamChanged() {
	st := s.fwd.State()
	cur := upstreamWord{st.Online, st.Alert, st.Sent, st.Rejected}
	s.upShown.mu.Lock()
	same := cur == s.upShown.word
	s.upShown.word = cur
	s.upShown.mu.Unlock()
	if !same {
		s.notify()
	}
}
