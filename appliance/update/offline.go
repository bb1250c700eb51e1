package update

import (
	"context"
	"fmt"

	"github.com/gridkiosk/gridkiosk/drivers/rauc"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// Offline reads the update state without a running manager (the station
// is stopped): the running version, the booted slot and its trial, the
// last result kept in Dir. For `gridkiosk update status`.
func Offline(ctx context.Context, opt Options) Status {
	m := New(opt)
	l := &loop{usb: usbSeen{}}
	version, _ := readVersion(m.opt.VersionFile)
	m.st.Version = version
	m.load()
	m.st.Reason, m.st.Last, m.st.LastAt = m.kept.Reason, m.kept.Last, m.kept.LastAt
	if m.opt.RAUC != nil {
		m.readSlots(ctx, l)
	}
	if m.kept.Installed != "" && !l.trial {
		m.st.State, m.st.Pending = wire.UpdateRebooting, m.kept.Installed
	}
	return m.Status()
}

// InstallNow installs a technician's bundle at once through RAUC, while
// the station is stopped (nothing else can be using the kiosk), passing
// RAUC's progress on. The new slot boots at the next reboot; the kept
// state says so, and after it whether the slot came up.
func InstallNow(ctx context.Context, opt Options, req InstallRequest, progress func(rauc.Progress)) (version string, err error) {
	m := New(opt)
	m.st.Version, _ = readVersion(m.opt.VersionFile)
	m.load()
	j, err := m.check(ctx, req.Path, SourceConsole, req.AllowOlder)
	if err != nil {
		return "", err
	}
	if err := m.opt.RAUC.Install(ctx, j.path, rauc.InstallOptions{}, progress); err != nil {
		return "", m.refuse(raucReason(err), "%s not installed: %v", j.version, err)
	}
	m.mu.Lock()
	// Rebooted is known at the next start by the boot ID.
	m.kept.Installed, m.kept.From, m.kept.Rebooted, m.kept.Boot = j.version, m.st.Version, false, bootID()
	m.mu.Unlock()
	m.result(ReasonOK, "%s installed to the other slot from the console; boots at the next reboot", j.version)
	return j.version, nil
}

// String is the refusal's reason and message, for logs.
func (r *Refusal) String() string { return fmt.Sprintf("%s: %s", r.Reason, r.Msg) }
