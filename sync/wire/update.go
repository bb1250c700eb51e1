package wire

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// System updates (PROTOCOL.md, "System updates"): the hub says which
// release a station should run; the station fetches the RAUC bundle in
// the background, installs it when idle and reports how far it got in
// its health report.

// PathUpdateFormat is where a station asks which release it should run:
// GET {upstream}/v1/stations/{station_id}/update?arch=…&version=…,
// answered 200 with an UpdateOffer, or 204 when none is assigned.
const PathUpdateFormat = "/v1/stations/%s/update"

// PathBundleFormat is where a release's bundle is served, with ranges
// (a station resumes a broken download): GET
// {upstream}/v1/releases/{version}/{arch}/bundle.raucb.
const PathBundleFormat = "/v1/releases/%s/%s/bundle.raucb"

// Architectures a release is built for; a bundle's RAUC compatible
// string is "gridkiosk-" and one of them.
var Archs = []string{"amd64", "arm64"}

// UpdateOffer is the hub's answer to a station's update question: the
// release assigned to it (or to its county). The station decides whether
// it is newer than what it runs (CompareVersions).
type UpdateOffer struct {
	Version string `json:"version"`
	Arch    string `json:"arch"`
	// URL is the bundle's path on the hub (PathBundleFormat), or an
	// absolute URL when the hub names a mirror.
	URL    string `json:"url"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lowercase hex of the whole bundle
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Check returns why an offer cannot be acted on, naming the field, or nil.
func (o UpdateOffer) Check() error {
	switch {
	case CheckVersion(o.Version) != nil:
		return fmt.Errorf("update offer: %w", CheckVersion(o.Version))
	case !validArch(o.Arch):
		return fmt.Errorf("update offer: arch %q is not one of %s", o.Arch, strings.Join(Archs, ", "))
	case o.URL == "":
		return fmt.Errorf("update offer: url is missing")
	case o.Size <= 0:
		return fmt.Errorf("update offer: size must be positive, not %d", o.Size)
	case !sha256Hex.MatchString(o.SHA256):
		return fmt.Errorf("update offer: sha256 %q is not 64 lowercase hex digits", o.SHA256)
	}
	return nil
}

func validArch(a string) bool {
	for _, x := range Archs {
		if a == x {
			return true
		}
	}
	return false
}

// HealthUpdate is the update part of a station's health report.
type HealthUpdate struct {
	// Slot is the root slot the station booted from: "A" or "B" (empty
	// on a machine without A/B slots, e.g. a developer's).
	Slot string `json:"slot,omitempty"`
	// State is one of the Update* words.
	State string `json:"state"`
	// Pending is the version being fetched, waiting, installed and
	// waiting for its reboot, or on trial after it.
	Pending string `json:"pending,omitempty"`
	// Percent is how far the current step (download, install) is.
	Percent int `json:"percent,omitempty"`
	// Last is the last attempt's result for a technician: "ok 2026.12.07.0300"
	// or why it failed or was refused, short.
	Last   string     `json:"last,omitempty"`
	LastAt *time.Time `json:"last_at,omitempty"`
}

// Update states.
const (
	UpdateIdle        = "idle"        // nothing to do
	UpdateDownloading = "downloading" // fetching the bundle in the background
	UpdateWaiting     = "waiting"     // fetched; waiting for an idle kiosk / the window
	UpdateInstalling  = "installing"  // RAUC is writing the other slot
	UpdateRebooting   = "rebooting"   // installed; reboots in the maintenance window
	UpdateTrial       = "trial"       // booted the new slot, not yet marked good
	UpdateFailed      = "failed"      // the last attempt failed; Last says why
)

var updateStates = map[string]bool{UpdateIdle: true, UpdateDownloading: true, UpdateWaiting: true,
	UpdateInstalling: true, UpdateRebooting: true, UpdateTrial: true, UpdateFailed: true}

// Check returns why the update part cannot be taken, or nil.
func (u HealthUpdate) Check() error {
	switch {
	case !updateStates[u.State]:
		return fmt.Errorf("health: update.state %q is not one of idle, downloading, waiting, installing, rebooting, trial, failed", u.State)
	case u.Slot != "" && u.Slot != "A" && u.Slot != "B":
		return fmt.Errorf("health: update.slot %q is not A or B", u.Slot)
	case u.Percent < 0 || u.Percent > 100:
		return fmt.Errorf("health: update.percent %d is not 0-100", u.Percent)
	case u.Pending != "" && CheckVersion(u.Pending) != nil:
		return fmt.Errorf("health: update.pending: %w", CheckVersion(u.Pending))
	}
	return nil
}

// A version is dotted decimal numbers, optionally followed by "+" and
// build metadata that does not order it: "2026.12.7.1405+g61892aa",
// "1.4.0". Images and bundles are versioned by their commit's UTC time
// (YYYY.MM.DD.HHMMSS) unless a release names its own.
var versionForm = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,9}){0,5}(\+[0-9A-Za-z.-]{1,40})?$`)

// CheckVersion returns why v is not a release version, or nil.
func CheckVersion(v string) error {
	if !versionForm.MatchString(v) {
		return fmt.Errorf("version %q is not dotted numbers with an optional +build (e.g. 2026.12.7.140500+g61892aa)", v)
	}
	return nil
}

// CompareVersions orders two release versions: -1 if a is older than b,
// 0 if they are the same release, +1 if a is newer. Missing components
// count as 0 (1.4 = 1.4.0); build metadata is ignored. A malformed
// version is an error, so a garbled offer is never taken for newer.
func CompareVersions(a, b string) (int, error) {
	pa, err := versionParts(a)
	if err != nil {
		return 0, err
	}
	pb, err := versionParts(b)
	if err != nil {
		return 0, err
	}
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y uint64
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		switch {
		case x < y:
			return -1, nil
		case x > y:
			return 1, nil
		}
	}
	return 0, nil
}

func versionParts(v string) ([]uint64, error) {
	if err := CheckVersion(v); err != nil {
		return nil, err
	}
	core, _, _ := strings.Cut(v, "+")
	fields := strings.Split(core, ".")
	parts := make([]uint64, len(fields))
	for i, f := range fields {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("version %q: %w", v, err)
		}
		parts[i] = n
	}
	return parts, nil
}
