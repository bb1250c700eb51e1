package hub

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// ReleaseStore keeps the system releases a hub serves (RAUC bundles,
// PROTOCOL.md "System updates") and which release each station, or each
// county's stations, should run.
type ReleaseStore interface {
	// PutRelease keeps a release. One with the same version and arch is
	// replaced when replace is set, else refused with ErrReleaseExists.
	// A release CheckRelease refuses is not kept.
	PutRelease(r Release, replace bool) error
	// Release returns the release of version for arch.
	Release(version, arch string) (r Release, ok bool, err error)
	// Releases lists every release, by SortReleases.
	Releases() ([]Release, error)
	// Assign sets the release a target should run, or clears it when
	// a.Version is "". A version no release has (for a.Arch, when set)
	// is refused with an error wrapping ErrNoRelease; an assignment
	// CheckTarget refuses, with its error.
	Assign(a Assignment) error
	// Assigned returns the assignment of exactly t.
	Assigned(t Target) (a Assignment, ok bool, err error)
	// Assignments lists every assignment, by SortAssignments.
	Assignments() ([]Assignment, error)
	// PutAsked keeps a station's latest update question, replacing the
	// one before: the only place a station tells the hub its arch and
	// the system version it runs (its health report's version is the
	// software's).
	PutAsked(a Asked) error
	// Asked lists every station's latest update question, by station.
	Asked() ([]Asked, error)
}

// Asked is a station's latest update question: its arch and the system
// version it runs ("" when it sent none that is a version), and when.
type Asked struct {
	Station string    `json:"station"`
	Arch    string    `json:"arch"`
	Version string    `json:"version,omitempty"`
	At      time.Time `json:"at"`
}

// CheckAsked returns why a question cannot be kept, or nil.
func CheckAsked(a Asked) error {
	if err := CheckStationID(a.Station); err != nil {
		return err
	}
	if err := CheckArch(a.Arch); err != nil {
		return err
	}
	if a.Version != "" {
		return wire.CheckVersion(a.Version)
	}
	return nil
}

// Release is one RAUC bundle the hub serves: a version built for one
// arch.
type Release struct {
	Version string    `json:"version"`
	Arch    string    `json:"arch"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256"` // lowercase hex of the whole bundle
	Path    string    `json:"path"`   // the bundle file, as ReleasePath made it
	AddedAt time.Time `json:"added_at"`
	AddedBy string    `json:"added_by"`
}

// Target is whom an assignment is for: one station (Station set), or
// every station of a county (County set), of one arch or (Arch "") all.
type Target struct {
	Station string `json:"station,omitempty"`
	County  string `json:"county,omitempty"`
	Arch    string `json:"arch,omitempty"`
}

// Assignment is the release a target should run, with who set it and
// when.
type Assignment struct {
	Target
	Version string    `json:"version"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

var (
	// ErrReleaseExists is wrapped when a release's version and arch are
	// kept already.
	ErrReleaseExists = errors.New("release exists")
	// ErrNoRelease is wrapped when an assignment names a version the
	// hub has no release of.
	ErrNoRelease = errors.New("no such release")
)

// CheckRelease returns why a release cannot be kept, or nil.
func CheckRelease(r Release) error {
	switch {
	case wire.CheckVersion(r.Version) != nil:
		return fmt.Errorf("release: %w", wire.CheckVersion(r.Version))
	case CheckArch(r.Arch) != nil:
		return fmt.Errorf("release: %w", CheckArch(r.Arch))
	case r.Size <= 0:
		return fmt.Errorf("release %s/%s: size must be positive, not %d", r.Version, r.Arch, r.Size)
	case !isSHA256Hex(r.SHA256):
		return fmt.Errorf("release %s/%s: sha256 %q is not 64 lowercase hex digits", r.Version, r.Arch, r.SHA256)
	case r.Path == "":
		return fmt.Errorf("release %s/%s: no file path", r.Version, r.Arch)
	}
	return nil
}

// CheckArch returns an error unless arch is one of wire.Archs.
func CheckArch(arch string) error {
	if slices.Contains(wire.Archs, arch) {
		return nil
	}
	return fmt.Errorf("arch %q is not one of %s", arch, strings.Join(wire.Archs, ", "))
}

// CheckCounty returns an error unless code is a county's 6-digit code
// (GB/T 2260), the first six digits of its communities' codes.
func CheckCounty(code string) error {
	if len(code) != 6 || !allDigits(code) {
		return fmt.Errorf("county %q is not a 6-digit county code (the first 6 digits of its communities' 12-digit codes, e.g. 141029)", code)
	}
	return nil
}

// CheckTarget returns why t cannot be assigned a release, or nil.
func CheckTarget(t Target) error {
	switch {
	case (t.Station == "") == (t.County == ""):
		return errors.New("give a station or a county, not both or neither")
	case t.Station != "" && t.Arch != "":
		return fmt.Errorf("station %s runs one arch; --arch goes with a county only", t.Station)
	case t.Station != "":
		return CheckStationID(t.Station)
	case t.Arch != "" && CheckArch(t.Arch) != nil:
		return CheckArch(t.Arch)
	}
	return CheckCounty(t.County)
}

// String names a target for people: "station 141029-xfw-01", "county
// 141029 (arm64)".
func (t Target) String() string {
	switch {
	case t.Station != "":
		return "station " + t.Station
	case t.Arch != "":
		return "county " + t.County + " (" + t.Arch + ")"
	}
	return "county " + t.County
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// ReleasePath is where a release's bundle is kept under a hub's
// releases directory: DIR/VERSION/ARCH/bundle.raucb. Version and arch
// are checked first, so that neither can climb out of dir.
func ReleasePath(dir, version, arch string) (string, error) {
	if err := wire.CheckVersion(version); err != nil {
		return "", err
	}
	if err := CheckArch(arch); err != nil {
		return "", err
	}
	return filepath.Join(dir, version, arch, "bundle.raucb"), nil
}

// SortReleases orders releases newest version first (wire.CompareVersions;
// build metadata, then arch, break ties), the order every store lists
// them in.
func SortReleases(rs []Release) {
	slices.SortFunc(rs, func(a, b Release) int {
		c, err := wire.CompareVersions(b.Version, a.Version)
		if err != nil || c == 0 {
			c = strings.Compare(b.Version, a.Version)
		}
		return cmp.Or(c, strings.Compare(a.Arch, b.Arch))
	})
}

// SortAssignments orders assignments stations first, by ID, then
// counties by code, all arches before one.
func SortAssignments(as []Assignment) {
	slices.SortFunc(as, func(a, b Assignment) int {
		return cmp.Or(cmp.Compare(boolInt(a.Station == ""), boolInt(b.Station == "")),
			strings.Compare(a.Station, b.Station), strings.Compare(a.County, b.County), strings.Compare(a.Arch, b.Arch))
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AssignedRelease returns the release station should run on arch: its
// own assignment, else its county's for arch, else its county's for
// every arch. Its county is the first six digits of the community in its
// newest health report; a station that has not reported gets only its
// own. ok is false when nothing is assigned, or when the version
// assigned has no bundle for arch (a, the assignment, is set then).
func AssignedRelease(s interface {
	ReleaseStore
	HealthStore
}, station, arch string) (r Release, a Assignment, ok bool, err error) {
	a, found, err := s.Assigned(Target{Station: station})
	if err != nil {
		return Release{}, Assignment{}, false, err
	}
	if !found {
		hist, err := s.HealthHistory(station, 1)
		if err != nil {
			return Release{}, Assignment{}, false, err
		}
		if len(hist) == 0 || len(hist[0].Report.Community) < 6 {
			return Release{}, Assignment{}, false, nil
		}
		county := hist[0].Report.Community[:6]
		for _, t := range []Target{{County: county, Arch: arch}, {County: county}} {
			if a, found, err = s.Assigned(t); err != nil {
				return Release{}, Assignment{}, false, err
			}
			if found {
				break
			}
		}
		if !found {
			return Release{}, Assignment{}, false, nil
		}
	}
	r, ok, err = s.Release(a.Version, arch)
	return r, a, ok, err
}

// Effective returns what applies to a station, for people: its own
// assignment, or else its county's (the first six digits of community)
// for arch, or else its county's for every arch, as AssignedRelease
// decides. When arch is "" (the station has not asked yet, so the hub
// does not know it) all of the county's are returned.
func Effective(as []Assignment, station, community, arch string) []Assignment {
	var county []Assignment
	var forArch, forAll *Assignment
	for i, a := range as {
		switch {
		case a.Station != "" && a.Station == station:
			return []Assignment{a}
		case a.County == "" || len(community) < 6 || a.County != community[:6]:
		case arch == "":
			county = append(county, a)
		case a.Arch == arch:
			forArch = &as[i]
		case a.Arch == "":
			forAll = &as[i]
		}
	}
	switch {
	case arch == "":
		return county
	case forArch != nil:
		return []Assignment{*forArch}
	case forAll != nil:
		return []Assignment{*forAll}
	}
	return nil
}

// Behind reports whether a station running version should update: every
// release that may apply to it (Effective) is newer. A station whose
// running version is unknown ("") is not called behind; one whose
// version is not a release version is.
func Behind(running string, eff []Assignment) bool {
	if len(eff) == 0 || running == "" {
		return false
	}
	for _, a := range eff {
		if c, err := wire.CompareVersions(a.Version, running); err == nil && c <= 0 {
			return false
		}
	}
	return true
}

// Updating reports whether an update part says the station is on its
// way to pending: fetching, waiting, installing, rebooting or on trial.
func Updating(u *wire.HealthUpdate) bool {
	if u == nil {
		return false
	}
	switch u.State {
	case wire.UpdateDownloading, wire.UpdateWaiting, wire.UpdateInstalling, wire.UpdateRebooting, wire.UpdateTrial:
		return true
	}
	return false
}

// SameVersion reports whether a and b are one release (CompareVersions),
// false for anything that is not a release version.
func SameVersion(a, b string) bool {
	c, err := wire.CompareVersions(a, b)
	return err == nil && c == 0
}
