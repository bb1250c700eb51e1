// Package update is the station's system updater: it asks the county hub
// which release the station should run, downloads a newer one in the
// background (resuming a broken download with an HTTP range), and has
// RAUC install it to the other root slot when nobody is using the kiosk;
// the station reboots into it only inside the maintenance window
// (update.window) and only when idle. A technician's bundle, from a USB
// stick or `gridkiosk update install`, skips the window but not the idle
// rule, unless forced.
//
// Everything the manager does, and why it refused a bundle, is its
// Status: the health report's update part, the technician screen and
// `gridkiosk update status` show it.
//
// The manager never marks a slot good: the image's trial unit does that
// once gridkiosk is healthy (see the README's "Updates"). The manager
// only reads the slot's state, to report a trial.
package update

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/rauc"
	"github.com/gridkiosk/gridkiosk/internal/maintwindow"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// Hub is what the manager asks of the county hub (upstream.Client).
type Hub interface {
	UpdateOffer(ctx context.Context, arch, version string) (*wire.UpdateOffer, error)
	Bundle(ctx context.Context, src string, from int64, etag string) (*upstream.Download, error)
}

// Installer is what the manager asks of RAUC (rauc.Client).
type Installer interface {
	Install(ctx context.Context, source string, opt rauc.InstallOptions, progress func(rauc.Progress)) error
	Info(ctx context.Context, bundle string) (compatible, version string, err error)
	SlotStatus(ctx context.Context) ([]rauc.Slot, error)
	BootSlot(ctx context.Context) (string, error)
}

// Clock is the manager's time: Now for the time of day (the window) and
// After for its waits. Tests pass a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Options configure a Manager.
type Options struct {
	// Dir is where bundles are downloaded (/var/lib/gridkiosk/update),
	// on the data partition an update never touches.
	Dir string
	// VersionFile holds the running system's version, one line
	// (/usr/lib/gridkiosk/system-version, written by the image).
	VersionFile string
	// Arch is the station's architecture (amd64, arm64); its RAUC
	// compatible is "gridkiosk-" and Arch.
	Arch string
	// Window is when an installed update may reboot the station, in
	// Location's time of day (default time.Local).
	Window   maintwindow.Window
	Location *time.Location
	// CheckInterval is how often the hub is asked (default 1h).
	CheckInterval time.Duration
	// USBRoot holds one directory per mounted stick; each is searched
	// for gridkiosk/update/*.raucb. "" looks for none.
	USBRoot string
	// USBPoll is how often USBRoot is looked at (default 3s).
	USBPoll time.Duration
	// Hub is the county hub; nil when the station has no upstream.
	Hub Hub
	// RAUC installs bundles; nil on a machine without RAUC (a
	// developer's), where every install is refused and says why.
	RAUC Installer
	// NoRAUC is why RAUC is nil, for the status.
	NoRAUC string
	// Idle reports whether nobody is using the kiosk (no resident's
	// session, no staff logged in); IdleChanged returns a channel
	// closed at the next change of that. Nil: always idle.
	Idle        func() bool
	IdleChanged func() <-chan struct{}
	// Clock is the manager's time; default the system's.
	Clock Clock
	// Reboot restarts the machine into the new slot; default
	// "systemctl reboot".
	Reboot func(ctx context.Context) error
	// Observe, if set, is called with the status after each change.
	Observe func(Status)
	Log     *slog.Logger
}

// Where a bundle came from.
const (
	SourceHub     = "hub"
	SourceUSB     = "usb"
	SourceConsole = "console"
)

// Reasons name the outcome of the last attempt, for screens to say in
// their language; Status.Last says it in English with the details.
const (
	ReasonOK         = "ok"
	ReasonOlder      = "older"       // the bundle is older than the running system
	ReasonSame       = "same"        // it is the running version
	ReasonArch       = "arch"        // made for another architecture (RAUC's compatible)
	ReasonSignature  = "signature"   // RAUC found its signature bad, untrusted or missing
	ReasonSize       = "size"        // the download is not the size the hub said
	ReasonSHA256     = "sha256"      // nor its SHA-256
	ReasonDiskFull   = "disk_full"   // no room on the data partition for the download
	ReasonDownload   = "download"    // the download failed (it resumes later)
	ReasonInstall    = "install"     // RAUC failed to install it
	ReasonRolledBack = "rolled_back" // the new slot did not come up healthy: back on the old one
	ReasonNoRAUC     = "no_rauc"     // this machine has no RAUC to install with
	ReasonVersion    = "version"     // the running version or the bundle's is unreadable
	ReasonReboot     = "reboot"      // the reboot into the new slot failed
)

// Status is the manager's state for the health report, the technician
// screen and the CLI.
type Status struct {
	Enabled bool   `json:"enabled"`
	Slot    string `json:"slot,omitempty"`    // booted slot: A or B
	Version string `json:"version,omitempty"` // running system version
	State   string `json:"state"`             // wire.Update*
	Pending string `json:"pending,omitempty"`
	Source  string `json:"source,omitempty"` // of the pending bundle
	Percent int    `json:"percent,omitempty"`
	// Busy says the kiosk is in use, which holds a download or install.
	Busy   bool       `json:"busy,omitempty"`
	Reason string     `json:"reason,omitempty"` // Reason* of Last
	Last   string     `json:"last,omitempty"`
	LastAt *time.Time `json:"last_at,omitempty"`
	Window string     `json:"window"`
	// NextCheck is when the hub is asked next.
	NextCheck *time.Time `json:"next_check,omitempty"`
}

// Health is the status in the contract's words.
func (s Status) Health() *wire.HealthUpdate {
	h := &wire.HealthUpdate{State: s.State, Pending: s.Pending, Percent: s.Percent, Last: s.Last, LastAt: s.LastAt}
	if s.Slot == "A" || s.Slot == "B" {
		h.Slot = s.Slot
	}
	if wire.CheckVersion(h.Pending) != nil {
		h.Pending = ""
	}
	if h.LastAt != nil {
		t := h.LastAt.UTC()
		h.LastAt = &t
	}
	return h
}

// Refusal is why a bundle is not installed.
type Refusal struct {
	Reason string // Reason*
	Msg    string
}

func (r *Refusal) Error() string { return "update: " + r.Msg }

// Manager runs the station's updates. Its methods are safe for concurrent
// use; Run does the work.
type Manager struct {
	opt  Options
	log  *slog.Logger
	reqs chan request
	// checks asks Run to ask the hub now (CheckNow); one is enough.
	checks chan struct{}

	mu      sync.Mutex
	st      Status
	changed chan struct{} // closed and replaced at each change of st
	kept    kept          // what survives a restart (state.json)
}

// request is a technician's bundle handed to Run.
type request struct {
	job   *job
	reply chan error
}

// job is a bundle the manager means to install.
type job struct {
	version, path, source string
	// technician skips the window; force also the idle rule.
	technician, force bool
	// ours is a download of ours, removed once installed or refused.
	ours      bool
	sha256    string
	installed bool
}

// New returns a manager; Run starts it.
func New(opt Options) *Manager {
	if opt.CheckInterval <= 0 {
		opt.CheckInterval = time.Hour
	}
	if opt.USBPoll <= 0 {
		opt.USBPoll = 3 * time.Second
	}
	if opt.Clock == nil {
		opt.Clock = realClock{}
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Reboot == nil {
		opt.Reboot = SystemReboot
	}
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.Window == (maintwindow.Window{}) {
		opt.Window = maintwindow.Default
	}
	m := &Manager{opt: opt, log: opt.Log, reqs: make(chan request), checks: make(chan struct{}, 1), changed: make(chan struct{})}
	m.st = Status{Enabled: true, State: wire.UpdateIdle, Window: opt.Window.String()}
	return m
}

// SystemReboot reboots the machine with systemd.
func SystemReboot(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "systemctl", "reboot").CombinedOutput()
	if err != nil {
		return fmt.Errorf("systemctl reboot: %w: %s", err, out)
	}
	return nil
}

// Status returns the manager's state now.
func (m *Manager) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st
}

// Changed returns a channel closed at the next change of the status.
func (m *Manager) Changed() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.changed
}

// update changes the status under the lock, and tells the observers when
// it changed.
func (m *Manager) update(f func(*Status)) {
	m.mu.Lock()
	before := m.st
	f(&m.st)
	after := m.st
	if before != after {
		close(m.changed)
		m.changed = make(chan struct{})
	}
	m.mu.Unlock()
	if before != after && m.opt.Observe != nil {
		m.opt.Observe(after)
	}
}

// setState sets the state and what it is about.
func (m *Manager) setState(state string, j *job) {
	m.update(func(s *Status) {
		s.State, s.Percent = state, 0
		s.Pending, s.Source = "", ""
		if j != nil {
			s.Pending, s.Source = j.version, j.source
		}
	})
}

// result records the outcome of an attempt: Last, its reason and when,
// kept across restarts.
func (m *Manager) result(reason, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	now := m.opt.Clock.Now()
	m.update(func(s *Status) { s.Reason, s.Last, s.LastAt = reason, msg, &now })
	m.mu.Lock()
	m.kept.Reason, m.kept.Last, m.kept.LastAt = reason, msg, &now
	m.mu.Unlock()
	m.save()
	if reason == ReasonOK {
		m.log.Info("update: "+msg, "reason", reason)
	} else {
		m.log.Warn("update: "+msg, "reason", reason)
	}
}

// refuse records a refusal and returns it as an error.
func (m *Manager) refuse(reason, format string, args ...any) error {
	m.result(reason, format, args...)
	return &Refusal{Reason: reason, Msg: fmt.Sprintf(format, args...)}
}

// inWindow reports whether t is inside the maintenance window.
func (m *Manager) inWindow(t time.Time) bool { return m.opt.Window.Contains(t.In(m.opt.Location)) }

func (m *Manager) idle() bool {
	if m.opt.Idle == nil {
		return true
	}
	return m.opt.Idle()
}

func (m *Manager) idleChanged() <-chan struct{} {
	if m.opt.IdleChanged == nil {
		return nil
	}
	return m.opt.IdleChanged()
}

// InstallRequest is a technician's install.
type InstallRequest struct {
	// Path is the bundle on this machine.
	Path string `json:"path"`
	// Force installs and reboots even while the kiosk is in use.
	Force bool `json:"force,omitempty"`
	// AllowOlder installs a bundle older than, or the same as, the
	// running system: a downgrade on purpose.
	AllowOlder bool `json:"allow_older,omitempty"`
}

// CheckNow has the manager ask the hub at once rather than at the next
// check_interval: a technician who just had a release assigned need not
// wait an hour to see the station take it. What follows (download,
// install, reboot) keeps its rules: idle kiosk, window.
func (m *Manager) CheckNow() {
	select {
	case m.checks <- struct{}{}:
	default: // one already asked for
	}
}

// Install hands a technician's bundle to the manager, which installs it
// once the kiosk is idle (at once with Force) and reboots into it
// without waiting for the window. It returns a *Refusal when the bundle
// cannot be installed (RAUC's reason for a bad signature or another
// architecture, an older version), nil once the manager took it.
func (m *Manager) Install(ctx context.Context, req InstallRequest) error {
	if st := m.Status(); st.State == wire.UpdateInstalling {
		return &Refusal{Reason: ReasonInstall, Msg: fmt.Sprintf("RAUC is installing %s; try again when it is done", st.Pending)}
	}
	j, err := m.check(ctx, req.Path, SourceConsole, req.AllowOlder)
	if err != nil {
		return err
	}
	j.technician, j.force = true, req.Force
	r := request{job: j, reply: make(chan error, 1)}
	select {
	case m.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// check reads a bundle's compatible and version through RAUC and refuses
// it when it is not for this station or not newer than what runs.
func (m *Manager) check(ctx context.Context, path, source string, allowOlder bool) (*job, error) {
	if m.opt.RAUC == nil {
		return nil, m.refuse(ReasonNoRAUC, "no RAUC on this machine to install %s with: %s", path, m.opt.NoRAUC)
	}
	compat, version, err := m.opt.RAUC.Info(ctx, path)
	if err != nil {
		return nil, m.refuse(raucReason(err), "%s refused: %v", path, err)
	}
	if want := "gridkiosk-" + m.opt.Arch; compat != want {
		return nil, m.refuse(ReasonArch, "%s is for %q; this station is %q", path, compat, want)
	}
	if !allowOlder {
		if err := m.newer(path, version); err != nil {
			return nil, err
		}
	}
	return &job{version: version, path: path, source: source}, nil
}

// newer refuses a version that is not newer than the running one.
func (m *Manager) newer(path, version string) error {
	running := m.Status().Version
	if running == "" {
		return m.refuse(ReasonVersion, "the running version is unknown (%s): cannot tell whether %s is newer", m.opt.VersionFile, version)
	}
	c, err := wire.CompareVersions(version, running)
	switch {
	case err != nil:
		return m.refuse(ReasonVersion, "%s: bundle version: %v", path, err)
	case c < 0:
		return m.refuse(ReasonOlder, "%s: %s is older than the running %s", path, version, running)
	case c == 0:
		return m.refuse(ReasonSame, "%s: %s is the running version", path, version)
	}
	return nil
}

// raucReason names what RAUC's message says.
func raucReason(err error) string {
	var ie *rauc.InstallError
	var re *rauc.RAUCError
	msg := err.Error()
	if errors.As(err, &ie) {
		msg = ie.Message
	} else if errors.As(err, &re) {
		msg = re.Message
	}
	switch {
	case containsAny(msg, "signature verification failed", "Verification error", "Signature size", "signature"):
		return ReasonSignature
	case containsAny(msg, "Compatible mismatch"):
		return ReasonArch
	}
	return ReasonInstall
}
