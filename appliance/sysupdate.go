package appliance

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/appliance/update"
	"github.com/gridkiosk/gridkiosk/drivers/rauc"
	"github.com/gridkiosk/gridkiosk/internal/maintwindow"
)

// updateDir is where bundles are downloaded, under the data directory.
const updateDir = "update"

// stationClock is the update manager's clock: the station's time (the
// board's, corrected by the hub's when it was wrong), so a board that
// booted on last year's date does not reboot in the afternoon.
type stationClock struct{ s *Station }

func (c stationClock) Now() time.Time                       { return c.s.Now() }
func (stationClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// runUpdater runs the station's update manager when update.enabled,
// until ctx ends. RAUC is on the system bus; a machine without it gets a
// manager that says so and installs nothing. It is dialled here, not in
// New, so a station that never runs never touches the bus.
func (s *Station) runUpdater(ctx context.Context) {
	u := s.cfg.Update
	if !u.Enabled {
		return
	}
	w, _ := maintwindow.Parse(u.Window) // checked by the config
	uo := update.Options{
		Dir: s.cfg.Storage.Dir + "/" + updateDir, VersionFile: u.VersionFile, Arch: runtime.GOARCH,
		Window: w, CheckInterval: u.CheckInterval.Duration, USBRoot: u.USBRoot,
		Idle: s.Idle, IdleChanged: s.SessionChanged, Clock: stationClock{s},
		Reboot: s.tellThenReboot, Log: s.log.With("component", "update"),
	}
	if s.fwd != nil {
		uo.Hub = s.fwd.Client
	}
	if uo.RAUC = s.updOpt.RAUC; uo.RAUC == nil {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := rauc.Dial(dctx, s.updOpt.RAUCBus)
		cancel()
		if err != nil {
			uo.NoRAUC = err.Error()
		} else {
			defer c.Close()
			uo.RAUC = c
		}
	}
	m := update.New(uo)
	s.upd.Store(m)
	m.Run(ctx)
}

// tellThenReboot sends the hub a last health report, saying the station
// reboots into its update (the reporter's next one would come after the
// reboot), then reboots.
func (s *Station) tellThenReboot(ctx context.Context) error {
	if s.fwd != nil {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := s.fwd.Client.SendHealth(rctx, s.HealthReport()); err != nil {
			s.log.Info("update: the hub was not told of the reboot", "err", err)
		}
		cancel()
	}
	reboot := s.updOpt.Reboot
	if reboot == nil {
		return update.SystemReboot(ctx)
	}
	return reboot(ctx)
}

// Idle reports whether nobody uses the kiosk: no resident's registration
// under way and no staff logged in. Updates download and install only
// then.
func (s *Station) Idle() bool {
	return s.sess.snapshot().state == station.SessionIdle && s.Staff() == nil
}

// Update is the system update's state; Enabled is false when
// update.enabled is.
func (s *Station) Update() station.UpdateView {
	m := s.upd.Load()
	if m == nil {
		return station.UpdateView{Enabled: s.cfg.Update.Enabled}
	}
	st := m.Status()
	return station.UpdateView{
		Enabled: st.Enabled, Slot: st.Slot, Version: st.Version, State: st.State, Pending: st.Pending,
		Source: st.Source, Percent: st.Percent, Busy: st.Busy, Reason: st.Reason, Last: st.Last,
		LastAt: st.LastAt, Window: st.Window, NextCheck: st.NextCheck,
	}
}

// InstallUpdate hands a technician's bundle to the update manager, which
// installs it when the kiosk is idle (at once if forced) and reboots
// into it. A refusal is a *station.UpdateRefused.
func (s *Station) InstallUpdate(ctx context.Context, req station.UpdateInstall) error {
	m := s.upd.Load()
	if m == nil {
		return &station.UpdateRefused{Reason: update.ReasonNoRAUC, Msg: "updates are off here (update.enabled = false), or the station is still starting"}
	}
	err := m.Install(ctx, update.InstallRequest{Path: req.Path, Force: req.Force, AllowOlder: req.AllowOlder})
	var ref *update.Refusal
	if errors.As(err, &ref) {
		return &station.UpdateRefused{Reason: ref.Reason, Msg: ref.Msg}
	}
	return err
}

// CheckUpdate has the update manager ask the hub now instead of at its
// next check_interval. A *station.UpdateRefused when updates are off.
func (s *Station) CheckUpdate() error {
	m := s.upd.Load()
	if m == nil {
		return &station.UpdateRefused{Reason: update.ReasonNoRAUC, Msg: "updates are off here (update.enabled = false), or the station is still starting"}
	}
	m.CheckNow()
	return nil
}
