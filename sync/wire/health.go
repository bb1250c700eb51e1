package wire

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"
)

// PathHealth is where a station posts its health report.
const PathHealth = "/v1/health"

// MaxHealthBytes bounds a health report's JSON body. A hub refuses a
// larger one with 413; the station trims the devices' notes to fit
// (Health.Fit), so a report always goes.
const MaxHealthBytes = 1024

// Health is a station's health report, the body of POST /v1/health.
// The hub keeps the newest few of each station; nothing in it is about
// a resident.
type Health struct {
	StationID string `json:"station_id"`
	// Community is the 12-digit code of the station's community (its
	// config's station.grid), by which the console scopes who sees it;
	// empty when the station is not filed under one.
	Community string `json:"community,omitempty"`
	// At is when the station made the report, on its clock (Clock says
	// how far to trust it).
	At time.Time `json:"at"`
	// IntervalS is how often the station reports when nothing changes,
	// so the hub knows when a report is late.
	IntervalS int64       `json:"interval_s"`
	Version   string      `json:"version"`
	UptimeS   int64       `json:"uptime_s"`
	Clock     HealthClock `json:"clock"`
	Devices   Devices     `json:"devices"`
	Queue     HealthQueue `json:"queue"`
	// DiskFreeMB is the free space on the disk of the station's outbox.
	DiskFreeMB int64 `json:"disk_free_mb"`
	// LastSync is when the hub last acknowledged records; nil before the
	// first time since the station started.
	LastSync *time.Time `json:"last_sync,omitempty"`
	// Update is how far the station's system update is; nil from a
	// station that does not update itself (PROTOCOL.md, System updates).
	Update *HealthUpdate `json:"update,omitempty"`
}

// HealthClock is how far the station trusts its clock.
type HealthClock struct {
	Trusted bool `json:"trusted"`
	// Source is what set it: "ntp", "hub", or "" (the board's own).
	Source string `json:"source,omitempty"`
	// OffsetMS is the hub's time minus the board's, as last measured.
	OffsetMS int64 `json:"offset_ms"`
}

// Devices are the station's devices as their drivers last saw them.
type Devices struct {
	Reader  Device  `json:"reader"` // the ID-card reader and its SAM
	Scanner Device  `json:"scanner"`
	Printer Printer `json:"printer"`
	Panel   Device  `json:"panel"`
}

// Device is one device's state: one of the Device* words, and a short
// note for the technician when it is not ready.
type Device struct {
	State string `json:"state"`
	Note  string `json:"note,omitempty"`
}

// Printer is the receipt printer: its state, and paper, cover and cutter
// as the printer last told them (PrinterOK, PrinterProblem or "" for not
// known, e.g. an offline printer).
type Printer struct {
	Device
	Paper  string `json:"paper,omitempty"`  // "ok", "out"
	Cover  string `json:"cover,omitempty"`  // "ok" (closed), "open"
	Cutter string `json:"cutter,omitempty"` // "ok", "error"
}

// Device states.
const (
	DeviceAbsent  = "absent"  // none configured
	DeviceReady   = "ready"   // configured and answering
	DeviceMissing = "missing" // its device node is gone (unplugged)
	DeviceLost    = "lost"    // present but not answering
	DeviceError   = "error"   // answering, but cannot work (paper out, cover open, …)
	DeviceUnknown = "unknown" // configured, not heard from yet
)

// Words of Printer's Paper, Cover and Cutter.
const (
	PaperOK, PaperOut   = "ok", "out"
	CoverOK, CoverOpen  = "ok", "open"
	CutterOK, CutterErr = "ok", "error"
)

// HealthQueue is the station's outbox as the report sees it.
type HealthQueue struct {
	Depth int `json:"depth"` // records waiting for the hub
	// OldestAgeS is how long the oldest waiting record has waited, in
	// seconds; 0 with an empty queue.
	OldestAgeS int64 `json:"oldest_age_s"`
	Rejected   int   `json:"rejected"` // records the hub refused, kept aside for staff
}

var deviceStates = map[string]bool{DeviceAbsent: true, DeviceReady: true, DeviceMissing: true, DeviceLost: true, DeviceError: true, DeviceUnknown: true}

var communityCode = regexp.MustCompile(`^[0-9]{12}$`)

// Check returns why a report cannot be taken, naming the field, or nil.
func (h Health) Check() error {
	switch {
	case h.StationID == "":
		return fmt.Errorf("health: station_id is missing")
	case h.Community != "" && !communityCode.MatchString(h.Community):
		return fmt.Errorf("health: community %q is not a 12-digit code", h.Community)
	case h.At.IsZero():
		return fmt.Errorf("health: at is missing")
	case h.IntervalS <= 0:
		return fmt.Errorf("health: interval_s must be positive, not %d", h.IntervalS)
	case h.Queue.Depth < 0 || h.Queue.OldestAgeS < 0 || h.Queue.Rejected < 0:
		return fmt.Errorf("health: queue counts cannot be negative")
	}
	for name, d := range map[string]Device{"reader": h.Devices.Reader, "scanner": h.Devices.Scanner, "printer": h.Devices.Printer.Device, "panel": h.Devices.Panel} {
		if !deviceStates[d.State] {
			return fmt.Errorf("health: devices.%s.state %q is not one of absent, ready, missing, lost, error, unknown", name, d.State)
		}
	}
	if h.Update != nil {
		return h.Update.Check()
	}
	return nil
}

// Fit shortens the devices' notes until the report is at most
// MaxHealthBytes of JSON, and returns that JSON. The notes go first:
// the states and counts are what the county watches.
func (h *Health) Fit() ([]byte, error) {
	for limit := 120; ; limit /= 2 {
		notes := []*string{&h.Devices.Reader.Note, &h.Devices.Scanner.Note, &h.Devices.Printer.Note, &h.Devices.Panel.Note}
		if h.Update != nil {
			notes = append(notes, &h.Update.Last)
		}
		for _, n := range notes {
			*n = truncate(*n, limit)
		}
		b, err := json.Marshal(h)
		if err != nil {
			return nil, fmt.Errorf("health: encode: %w", err)
		}
		if len(b) <= MaxHealthBytes {
			return b, nil
		}
		if limit == 0 {
			return nil, fmt.Errorf("health: report is %d bytes without notes, more than %d", len(b), MaxHealthBytes)
		}
	}
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
