package update

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// usbSeen are the bundles on sticks already looked at, by path, with the
// size and time they had: each is offered once, and again only if it
// changes or its stick comes back.
type usbSeen map[string]usbFile

type usbFile struct {
	size int64
	mod  time.Time
}

// scanUSB looks for gridkiosk/update/*.raucb on each mounted stick and
// takes the newest new one as a technician's bundle: it skips the window
// but waits for an idle kiosk.
func (m *Manager) scanUSB(ctx context.Context, l *loop) {
	if m.opt.USBRoot == "" {
		return
	}
	found, _ := filepath.Glob(filepath.Join(m.opt.USBRoot, "*", "gridkiosk", "update", "*.raucb"))
	now := map[string]usbFile{}
	var fresh []string
	for _, p := range found {
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		f := usbFile{size: st.Size(), mod: st.ModTime()}
		now[p] = f
		if old, ok := l.usb[p]; !ok || old != f {
			fresh = append(fresh, p)
		}
	}
	// A stick pulled out is forgotten: put back, it is looked at again.
	for p := range l.usb {
		if _, ok := now[p]; !ok {
			delete(l.usb, p)
		}
	}
	for p, f := range now {
		l.usb[p] = f
	}
	if len(fresh) == 0 || (l.job != nil && l.job.installed) {
		return
	}
	var best *job
	for _, p := range fresh {
		m.log.Info("update: bundle found on a USB stick", "path", p)
		j, err := m.check(ctx, p, SourceUSB, false)
		if err != nil {
			continue // check recorded why
		}
		if best == nil {
			best = j
		} else if c, _ := wire.CompareVersions(j.version, best.version); c > 0 {
			best = j
		}
	}
	if best != nil {
		best.technician = true
		m.take(l, best)
	}
}
