package update

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/rauc"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

const (
	// idleRecheck is how often a job held by a busy kiosk looks again:
	// a resident who walks away ends their session by its idle timer,
	// which tells nobody.
	idleRecheck = 30 * time.Second
	// trialRecheck is how often a slot on trial is asked whether it was
	// marked good yet.
	trialRecheck = 30 * time.Second
	// notFoundPause is how long a hub without releases (404) is left
	// alone (PROTOCOL.md).
	notFoundPause = 6 * time.Hour
	// retryMin is the first wait after a broken download; it doubles up
	// to the check interval.
	retryMin = 30 * time.Second
)

// loop is Run's state: what is wanted and what is under way.
type loop struct {
	job       *job              // a bundle to install, or installed
	offer     *wire.UpdateOffer // a release to download
	dl        *fetch            // the download under way
	nextCheck time.Time
	retryAt   time.Time
	retry     time.Duration
	nextUSB   time.Time
	trial     bool
	rebooted  bool
	usb       usbSeen
}

// Run works until ctx ends: checks, downloads, installs and reboots.
func (m *Manager) Run(ctx context.Context) error {
	l := &loop{usb: usbSeen{}}
	m.boot(ctx, l)
	defer func() {
		if l.dl != nil {
			l.dl.cancel()
			<-l.dl.done
		}
	}()
	for {
		// The channel first: a change after idle was read then still
		// wakes the wait below.
		idleCh := m.idleChanged()
		now := m.opt.Clock.Now()
		idle := m.idle()
		m.update(func(s *Status) { s.Busy = !idle })
		m.step(ctx, l, now, idle)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if l.rebooted {
			// The machine is going down; nothing more to do.
			m.whileRebooting(ctx, l.job.version)
			return ctx.Err()
		}
		if m.idle() != idle {
			// The kiosk changed while step worked, perhaps untold (a
			// session that times out): the wait below would be planned
			// on what step saw, so step again on what is true now.
			continue
		}
		// The deadlines are those of the instant step acted on, not of
		// the clock now: were the clock to pass one while step worked
		// (the window opening during an install), a wait planned on the
		// later instant would never see it and sleep past it.
		wait := max(m.nextWake(l, now, idle).Sub(m.opt.Clock.Now()), 0)
		var dlDone <-chan fetchResult
		if l.dl != nil {
			dlDone = l.dl.done
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-m.opt.Clock.After(wait):
		case <-idleCh:
		case r := <-m.reqs:
			r.reply <- m.take(l, r.job)
		case <-m.checks:
			l.nextCheck = m.opt.Clock.Now()
		case res := <-dlDone:
			m.downloaded(l, res)
		}
	}
}

// whileRebooting refuses technicians' bundles until the machine is down.
func (m *Manager) whileRebooting(ctx context.Context, version string) {
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-m.reqs:
			r.reply <- &Refusal{Reason: ReasonInstall, Msg: fmt.Sprintf("the station is rebooting into %s; install again after it", version)}
		}
	}
}

// step does what is due now. It returns with nothing under way but a
// download.
func (m *Manager) step(ctx context.Context, l *loop, now time.Time, idle bool) {
	if l.rebooted {
		return
	}
	if l.trial {
		m.watchTrial(ctx, l)
	}
	if l.dl != nil && !idle {
		// A resident came: the download stops and resumes later.
		l.dl.cancel()
	}
	if !now.Before(l.nextUSB) {
		l.nextUSB = now.Add(m.opt.USBPoll)
		m.scanUSB(ctx, l)
	}
	if j := l.job; j != nil {
		mayGo := (idle || j.force) && (j.technician || m.inWindow(now))
		switch {
		case !mayGo && !j.installed:
			m.setState(wire.UpdateWaiting, j)
		case !mayGo:
			m.setState(wire.UpdateRebooting, j)
		case !j.installed:
			m.install(ctx, l)
			if l.job != nil && l.job.installed && ctx.Err() == nil {
				// Straight on to the reboot when it may go now.
				m.step(ctx, l, m.opt.Clock.Now(), m.idle())
			}
		default:
			m.reboot(ctx, l)
		}
		return
	}
	if l.offer != nil && l.dl == nil && idle && !now.Before(l.retryAt) {
		l.dl = m.startFetch(ctx, *l.offer)
		return
	}
	if l.offer == nil && m.opt.Hub != nil && !now.Before(l.nextCheck) {
		m.checkHub(ctx, l, now)
		if l.offer != nil && idle {
			l.dl = m.startFetch(ctx, *l.offer)
		}
	}
}

// nextWake is when Run must wake, for step acting at now: only what
// step would act on counts, so a deadline past is never one step cannot
// act on (which would spin).
func (m *Manager) nextWake(l *loop, now time.Time, idle bool) time.Time {
	var at []time.Time
	if m.opt.USBRoot != "" {
		at = append(at, l.nextUSB)
	}
	if m.opt.Hub != nil && l.offer == nil && l.job == nil {
		at = append(at, l.nextCheck)
	}
	if l.offer != nil && l.dl == nil && idle {
		at = append(at, l.retryAt)
	}
	if l.trial {
		at = append(at, now.Add(trialRecheck))
	}
	if (l.job != nil || l.offer != nil) && !idle {
		at = append(at, now.Add(idleRecheck))
	}
	if l.job != nil && !l.job.technician && !m.inWindow(now) {
		at = append(at, m.opt.Window.Next(now.In(m.opt.Location)))
	}
	if len(at) == 0 {
		return now.Add(m.opt.CheckInterval)
	}
	return slices.MinFunc(at, time.Time.Compare)
}

// boot reads the running version, the booted slot and what the manager
// kept from before the restart: an update it rebooted into, a finished
// download.
func (m *Manager) boot(ctx context.Context, l *loop) {
	version, err := readVersion(m.opt.VersionFile)
	if err != nil {
		m.log.Warn("update: running version unknown; hub updates wait for it", "err", err)
	}
	m.update(func(s *Status) { s.Version = version })
	m.load()
	m.mu.Lock()
	k := m.kept
	m.mu.Unlock()
	m.update(func(s *Status) { s.Reason, s.Last, s.LastAt = k.Reason, k.Last, k.LastAt })
	if m.opt.RAUC == nil {
		m.log.Info("update: no RAUC; updates are not installed here", "why", m.opt.NoRAUC)
	} else {
		m.readSlots(ctx, l)
	}
	if k.Installed != "" {
		m.afterReboot(l, version, k)
	}
	if j := m.keptDownload(version); j != nil {
		l.job = j
		m.setState(wire.UpdateWaiting, j)
	}
	l.nextCheck = m.opt.Clock.Now()
}

// readSlots asks RAUC which slot booted and whether it is on trial.
func (m *Manager) readSlots(ctx context.Context, l *loop) {
	slot, err := m.opt.RAUC.BootSlot(ctx)
	if err != nil {
		m.log.Warn("update: booted slot unknown", "err", err)
	}
	m.update(func(s *Status) { s.Slot = slot })
	slots, err := m.opt.RAUC.SlotStatus(ctx)
	if err != nil {
		m.log.Warn("update: slot status unknown", "err", err)
		return
	}
	for _, s := range slots {
		if s.Booted() && s.BootStatus != "" && s.BootStatus != "good" {
			l.trial = true
			m.setState(wire.UpdateTrial, &job{version: m.Status().Version})
		}
	}
}

// watchTrial ends the trial once the image's trial unit marked the
// booted slot good.
func (m *Manager) watchTrial(ctx context.Context, l *loop) {
	slots, err := m.opt.RAUC.SlotStatus(ctx)
	if err != nil {
		return
	}
	for _, s := range slots {
		if s.Booted() && s.BootStatus == "good" {
			l.trial = false
			m.setState(wire.UpdateIdle, nil)
			m.result(ReasonOK, "ok %s (slot %s marked good)", m.Status().Version, s.Bootname)
			m.mu.Lock()
			m.kept.Installed, m.kept.From, m.kept.InstalledSHA = "", "", ""
			m.mu.Unlock()
			m.save()
		}
	}
}

// afterReboot tells what became of the update installed before the
// restart: running it (on trial until marked good), or rolled back.
func (m *Manager) afterReboot(l *loop, running string, k kept) {
	if c, err := wire.CompareVersions(running, k.Installed); err == nil && c == 0 {
		if !l.trial {
			m.result(ReasonOK, "ok %s", running)
			m.mu.Lock()
			m.kept.Installed, m.kept.From, m.kept.InstalledSHA = "", "", ""
			m.mu.Unlock()
			m.save()
		}
		return
	}
	rebooted := k.Rebooted
	if k.Boot != "" {
		rebooted = k.Boot != bootID()
	}
	if !rebooted {
		// Installed in this boot by a station that restarted since: the
		// reboot into it is still to come.
		l.job = &job{version: k.Installed, installed: true}
		m.setState(wire.UpdateRebooting, l.job)
		return
	}
	m.setState(wire.UpdateFailed, nil)
	again := ""
	if k.InstalledSHA != "" {
		again = "; the hub's offer of it is not fetched again"
	}
	m.result(ReasonRolledBack, "%s did not come up healthy; back on %s (slot %s)%s", k.Installed, running, m.Status().Slot, again)
	m.mu.Lock()
	m.kept.Installed, m.kept.From, m.kept.Rebooted, m.kept.Boot, m.kept.InstalledSHA = "", "", false, "", ""
	m.mu.Unlock()
	m.rememberRefused(k.InstalledSHA)
	m.save()
}

// take accepts a technician's job; a download under way gives way to it.
func (m *Manager) take(l *loop, j *job) error {
	if l.job != nil && l.job.installed {
		return &Refusal{Reason: ReasonInstall, Msg: fmt.Sprintf("%s is installed and waits for its reboot; reboot first", l.job.version)}
	}
	if l.dl != nil {
		l.dl.cancel()
	}
	l.job, l.offer = j, nil
	m.setState(wire.UpdateWaiting, j)
	m.log.Info("update: technician's bundle taken", "version", j.version, "source", j.source, "force", j.force)
	return nil
}

// install has RAUC write the job's bundle to the other slot.
func (m *Manager) install(ctx context.Context, l *loop) {
	j := l.job
	if m.opt.RAUC == nil {
		l.job = nil
		m.setState(wire.UpdateFailed, nil)
		m.result(ReasonNoRAUC, "no RAUC on this machine to install %s with: %s", j.version, m.opt.NoRAUC)
		return
	}
	m.setState(wire.UpdateInstalling, j)
	err := m.opt.RAUC.Install(ctx, j.path, rauc.InstallOptions{}, func(p rauc.Progress) {
		m.update(func(s *Status) { s.Percent = min(max(p.Percent, 0), 100) })
	})
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		reason := raucReason(err)
		if j.ours {
			os.Remove(j.path)
			if reason == ReasonSignature || reason == ReasonArch {
				m.rememberRefused(j.sha256)
			}
		}
		l.job = nil
		m.setState(wire.UpdateFailed, nil)
		m.result(reason, "%s not installed: %v", j.version, err)
		return
	}
	if j.ours {
		os.Remove(j.path)
	}
	j.installed = true
	m.mu.Lock()
	m.kept.Installed, m.kept.From, m.kept.Rebooted, m.kept.Boot = j.version, m.st.Version, false, bootID()
	m.kept.InstalledSHA = ""
	if j.source == SourceHub {
		m.kept.InstalledSHA = j.sha256
	}
	m.mu.Unlock()
	m.save()
	m.setState(wire.UpdateRebooting, j)
	m.result(ReasonOK, "%s installed to the other slot; reboots %s", j.version, m.whenReboot(j))
}

func (m *Manager) whenReboot(j *job) string {
	if j.technician {
		return "as soon as the kiosk is idle"
	}
	return "in the window " + m.opt.Window.String()
}

// reboot restarts the station into the new slot.
func (m *Manager) reboot(ctx context.Context, l *loop) {
	m.setState(wire.UpdateRebooting, l.job)
	m.mu.Lock()
	m.kept.Rebooted = true
	m.mu.Unlock()
	m.save()
	m.log.Info("update: rebooting into the new slot", "version", l.job.version)
	if err := m.opt.Reboot(ctx); err != nil {
		m.result(ReasonReboot, "reboot into %s failed: %v", l.job.version, err)
		// Tried again at the next wake in the window.
		return
	}
	l.rebooted = true
}

// checkHub asks the hub which release to run and decides whether to
// fetch it.
func (m *Manager) checkHub(ctx context.Context, l *loop, now time.Time) {
	l.nextCheck = now.Add(m.opt.CheckInterval)
	m.update(func(s *Status) { t := l.nextCheck; s.NextCheck = &t })
	running := m.Status().Version
	if running == "" || m.opt.RAUC == nil {
		// Nothing could be installed: a developer's machine.
		return
	}
	o, err := m.opt.Hub.UpdateOffer(ctx, m.opt.Arch, running)
	var he *upstream.HTTPError
	switch {
	case errors.As(err, &he) && he.Status == http.StatusNotFound:
		l.nextCheck = now.Add(max(notFoundPause, m.opt.CheckInterval))
		m.update(func(s *Status) { t := l.nextCheck; s.NextCheck = &t })
		m.log.Info("update: the hub has no releases (404); asked again later", "at", l.nextCheck)
		return
	case err != nil:
		// Offline is normal: asked again at the next check.
		m.log.Info("update: hub not asked", "err", err)
		return
	case o == nil:
		return
	}
	if err := o.Check(); err != nil {
		m.result(ReasonVersion, "the hub's offer is unusable: %v", err)
		return
	}
	if o.Arch != m.opt.Arch {
		m.setState(wire.UpdateFailed, nil)
		m.result(ReasonArch, "the hub offers %s for %s; this station is %s", o.Version, o.Arch, m.opt.Arch)
		return
	}
	c, _ := wire.CompareVersions(o.Version, running)
	if c <= 0 {
		if c < 0 && m.Status().Reason != ReasonOlder {
			m.result(ReasonOlder, "the hub offers %s, older than the running %s: not installed (a downgrade is a technician's, from a USB stick)", o.Version, running)
		}
		return
	}
	if m.refused(o.SHA256) {
		return
	}
	l.offer, l.retryAt, l.retry = o, time.Time{}, 0
	m.setState(wire.UpdateDownloading, &job{version: o.Version, source: SourceHub})
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
