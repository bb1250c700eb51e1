package appliance

import (
	"context"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// HealthReport is the station's health report for the hub: Health in
// the contract's words, with nothing about a resident in it.
func (s *Station) HealthReport() wire.Health {
	h := s.Health()
	r := wire.Health{
		StationID: s.cfg.Station.ID, Community: s.cfg.Station.Grid.Community,
		At: s.Now().UTC(), IntervalS: int64(s.healthInterval().Seconds()),
		Version: s.version, UptimeS: h.UptimeSec,
		Clock: wire.HealthClock{Trusted: h.Clock.Trusted, Source: h.Clock.Source, OffsetMS: h.Clock.OffsetMS},
		Devices: wire.Devices{
			Reader:  device(h.Peripherals["idcard"]),
			Scanner: device(h.Peripherals["scanner"]),
			Printer: printerState(h.Peripherals["printer"]),
			Panel:   wire.Device{State: wire.DeviceAbsent},
		},
		Queue: wire.HealthQueue{Depth: h.Outbox.Queued, Rejected: h.Outbox.Rejected},
	}
	if h.Panel.Present {
		r.Devices.Panel.State = wire.DeviceReady
	}
	if h.Outbox.OldestQueued != nil {
		r.Queue.OldestAgeS = max(0, int64(s.Now().Sub(*h.Outbox.OldestQueued).Seconds()))
	}
	var fs unix.Statfs_t
	if unix.Statfs(s.cfg.Storage.Dir, &fs) == nil {
		r.DiskFreeMB = int64(fs.Bavail) * int64(fs.Bsize) >> 20
	}
	if h.Upstream.LastSuccess != nil {
		t := h.Upstream.LastSuccess.UTC()
		r.LastSync = &t
	}
	if m := s.upd.Load(); m != nil {
		r.Update = m.Status().Health()
	}
	return r
}

// device maps a peripheral's state onto the contract's words. "present"
// (the device node is there, no driver has answered yet) is unknown.
func device(p station.Peripheral) wire.Device {
	d := wire.Device{Note: p.Note}
	switch p.State {
	case "absent":
		d.State = wire.DeviceAbsent
	case "ready":
		d.State = wire.DeviceReady
	case "missing":
		d.State = wire.DeviceMissing
	case "lost", "offline":
		d.State = wire.DeviceLost
	case "present", "configured", "":
		d.State = wire.DeviceUnknown
	default:
		d.State = wire.DeviceError
	}
	return d
}

// printerState adds what the printer said of its paper, cover and
// cutter: known only while it answers.
func printerState(p station.Peripheral) wire.Printer {
	out := wire.Printer{Device: device(p)}
	if out.State != wire.DeviceReady && out.State != wire.DeviceError {
		return out
	}
	out.Paper, out.Cover, out.Cutter = wire.PaperOK, wire.CoverOK, wire.CutterOK
	switch p.State {
	case "paper_out":
		out.Paper = wire.PaperOut
	case "cover_open":
		out.Cover = wire.CoverOpen
	case "cutter_error":
		out.Cutter = wire.CutterErr
	case "error":
		out.Paper, out.Cover, out.Cutter = "", "", ""
	}
	return out
}

// runHealth sends the health report until ctx is done; records go first
// (the report waits while the forwarder has a batch on its way).
func (s *Station) runHealth(ctx context.Context) {
	rep := &upstream.Reporter{
		Client: s.fwd.Client, Report: s.HealthReport, Changed: s.SessionChanged,
		Defer: func() bool { return s.fwd.Busy() > 0 }, Sent: s.fwd.Reached, Log: s.log,
		Interval: s.healthInterval(),
	}
	if s.healthTiming != nil {
		s.healthTiming(rep)
	}
	s.reporter.Store(rep)
	rep.Run(ctx)
}

// HealthReporter returns the reporter while it runs, for tests and
// /healthz; nil before Run.
func (s *Station) HealthReporter() *upstream.Reporter { return s.reporter.Load() }

// healthInterval is health.interval, 5 min for a config built without
// its defaults.
func (s *Station) healthInterval() time.Duration {
	if d := s.cfg.Health.Interval.Duration; d > 0 {
		return d
	}
	return 5 * time.Minute
}
