package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// releaseTests are the releases' part of the suite (hub.ReleaseStore).
func releaseTests() []struct {
	name string
	test func(*testing.T, hub.Store)
} {
	return []struct {
		name string
		test func(*testing.T, hub.Store)
	}{
		{"Releases", testReleases},
		{"ReleaseInvalid", testReleaseInvalid},
		{"Assignments", testAssignments},
		{"AssignedRelease", testAssignedRelease},
		{"Asked", testAsked},
		{"HealthUpdate", testHealthUpdate},
	}
}

func release(version, arch string, size int64) hub.Release {
	return hub.Release{Version: version, Arch: arch, Size: size, SHA256: strings.Repeat(fmt.Sprintf("%x", size%16), 64),
		Path: "/var/lib/gridhub/releases/" + version + "/" + arch + "/bundle.raucb", AddedAt: t0, AddedBy: "cli:root"}
}

// Releases come back as kept, newest version first by the versions'
// order (not the strings'), and a version+arch is kept once unless
// replaced.
func testReleases(t *testing.T, s hub.Store) {
	if rs, err := s.Releases(); err != nil || len(rs) != 0 {
		t.Fatalf("empty store: %v, %v", rs, err)
	}
	if _, ok, err := s.Release("1.0", "amd64"); ok || err != nil {
		t.Fatalf("Release of an empty store: %v, %v", ok, err)
	}
	old := release("2026.12.7.140500+g61892aa", "amd64", 412316672)
	for _, r := range []hub.Release{old, release("2026.12.7.140500+g61892aa", "arm64", 400000000),
		release("2026.12.10.20000", "amd64", 3), release("2026.9.1", "arm64", 2)} {
		if err := s.PutRelease(r, false); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := s.Release(old.Version, "amd64")
	if err != nil || !ok || !reflect.DeepEqual(got, old) {
		t.Fatalf("Release = %+v, %v, %v; want %+v", got, ok, err, old)
	}
	again := release(old.Version, "amd64", 5)
	if err := s.PutRelease(again, false); !errors.Is(err, hub.ErrReleaseExists) {
		t.Fatalf("the same version and arch again: %v, want ErrReleaseExists", err)
	}
	if got, _, _ := s.Release(old.Version, "amd64"); got.Size != old.Size {
		t.Fatalf("a refused release changed the kept one: size %d", got.Size)
	}
	again.AddedAt = t0.Add(time.Hour)
	if err := s.PutRelease(again, true); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.Release(old.Version, "amd64"); !reflect.DeepEqual(got, again) {
		t.Fatalf("replaced: %+v, want %+v", got, again)
	}
	rs, err := s.Releases()
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range rs {
		order = append(order, r.Version+"/"+r.Arch)
	}
	want := []string{"2026.12.10.20000/amd64", "2026.12.7.140500+g61892aa/amd64", "2026.12.7.140500+g61892aa/arm64", "2026.9.1/arm64"}
	if !reflect.DeepEqual(order, want) {
		t.Fatalf("Releases in order %q, want %q", order, want)
	}
}

func testReleaseInvalid(t *testing.T, s hub.Store) {
	for _, tc := range []struct {
		name string
		edit func(*hub.Release)
		want string
	}{
		{"version", func(r *hub.Release) { r.Version = "../../etc" }, "version"},
		{"arch", func(r *hub.Release) { r.Arch = "riscv64" }, "arch"},
		{"size", func(r *hub.Release) { r.Size = 0 }, "size"},
		{"sha256", func(r *hub.Release) { r.SHA256 = strings.Repeat("A", 64) }, "sha256"},
		{"path", func(r *hub.Release) { r.Path = "" }, "path"},
	} {
		r := release("1.0", "amd64", 10)
		tc.edit(&r)
		if err := s.PutRelease(r, true); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
	if rs, err := s.Releases(); err != nil || len(rs) != 0 {
		t.Fatalf("refused releases were kept: %v, %v", rs, err)
	}
}

// Assignments are kept per target, replaced by the next, cleared by an
// empty version, and refused for a release the hub lacks.
func testAssignments(t *testing.T, s hub.Store) {
	for _, r := range []hub.Release{release("2.0", "amd64", 1), release("2.1", "arm64", 1)} {
		if err := s.PutRelease(r, false); err != nil {
			t.Fatal(err)
		}
	}
	station := hub.Target{Station: stationA}
	county := hub.Target{County: "141029"}
	countyArm := hub.Target{County: "141029", Arch: "arm64"}
	for _, tc := range []struct {
		a    hub.Assignment
		want error
	}{
		{hub.Assignment{Target: station, Version: "3.0"}, hub.ErrNoRelease},
		{hub.Assignment{Target: countyArm, Version: "2.0"}, hub.ErrNoRelease}, // 2.0 is amd64 only
		{hub.Assignment{Target: hub.Target{County: "14102"}, Version: "2.0"}, nil},
		{hub.Assignment{Target: hub.Target{Station: stationA, County: "141029"}, Version: "2.0"}, nil},
		{hub.Assignment{Target: hub.Target{Station: stationA, Arch: "amd64"}, Version: "2.0"}, nil},
		{hub.Assignment{Target: hub.Target{County: "141029", Arch: "x86"}, Version: "2.0"}, nil},
	} {
		err := s.Assign(tc.a)
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("Assign(%+v) = %v, want an error (%v)", tc.a, err, tc.want)
		}
	}
	if as, err := s.Assignments(); err != nil || len(as) != 0 {
		t.Fatalf("refused assignments were kept: %+v, %v", as, err)
	}
	set := []hub.Assignment{
		{Target: countyArm, Version: "2.1", By: "cli:root", At: t0},
		{Target: county, Version: "2.0", By: "cli:root", At: t0},
		{Target: hub.Target{Station: stationB}, Version: "2.0", By: "cli:li", At: t0},
		{Target: station, Version: "2.0", By: "cli:li", At: t0},
		{Target: station, Version: "2.1", By: "cli:wang", At: t0.Add(time.Minute)}, // replaces the one before
	}
	for _, a := range set {
		if err := s.Assign(a); err != nil {
			t.Fatalf("Assign(%+v): %v", a, err)
		}
	}
	got, ok, err := s.Assigned(station)
	if err != nil || !ok || !reflect.DeepEqual(got, set[4]) {
		t.Fatalf("Assigned(station) = %+v, %v, %v; want %+v", got, ok, err, set[4])
	}
	as, err := s.Assignments()
	if err != nil {
		t.Fatal(err)
	}
	want := []hub.Assignment{set[4], set[2], set[1], set[0]}
	if !reflect.DeepEqual(as, want) {
		t.Fatalf("Assignments =\n%+v\nwant\n%+v", as, want)
	}
	if err := s.Assign(hub.Assignment{Target: station, By: "cli:root", At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Assigned(station); ok || err != nil {
		t.Fatalf("cleared assignment still there: %v, %v", ok, err)
	}
	if err := s.Assign(hub.Assignment{Target: hub.Target{Station: "141029-none-01"}, By: "cli:root", At: t0}); err != nil {
		t.Fatalf("clearing what was never assigned: %v", err)
	}
}

// A station's own assignment wins over its county's for its arch,
// which wins over its county's for every arch; the county is its
// newest report's.
func testAssignedRelease(t *testing.T, s hub.Store) {
	for _, r := range []hub.Release{release("2.0", "amd64", 1), release("2.0", "arm64", 1), release("2.1", "arm64", 1),
		release("2.2", "amd64", 1)} {
		if err := s.PutRelease(r, false); err != nil {
			t.Fatal(err)
		}
	}
	check := func(station, arch, want string) {
		t.Helper()
		r, _, ok, err := hub.AssignedRelease(s, station, arch)
		switch {
		case err != nil:
			t.Fatal(err)
		case want == "" && ok:
			t.Fatalf("%s on %s: offered %s, want none", station, arch, r.Version)
		case want != "" && (!ok || r.Version != want || r.Arch != arch):
			t.Fatalf("%s on %s: %+v (%v), want %s", station, arch, r, ok, want)
		}
	}
	check(stationA, "amd64", "")
	assign := func(tg hub.Target, v string) {
		t.Helper()
		if err := s.Assign(hub.Assignment{Target: tg, Version: v, By: "cli:root", At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	assign(hub.Target{County: "141029"}, "2.0")
	check(stationA, "amd64", "") // no report yet: its county is unknown
	if err := s.PutHealth(report(stationA, 0, t0), t0); err != nil {
		t.Fatal(err)
	}
	check(stationA, "amd64", "2.0")
	check(stationA, "arm64", "2.0")
	assign(hub.Target{County: "141029", Arch: "arm64"}, "2.1")
	check(stationA, "amd64", "2.0")
	check(stationA, "arm64", "2.1")
	assign(hub.Target{Station: stationA}, "2.2")
	check(stationA, "amd64", "2.2")
	check(stationA, "arm64", "") // 2.2 has no arm64 bundle
	assign(hub.Target{County: "141030"}, "2.1")
	moved := report(stationA, 0, t0.Add(time.Minute))
	moved.Community = "141030100001"
	if err := s.PutHealth(moved, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	assign(hub.Target{Station: stationA}, "")
	check(stationA, "arm64", "2.1")
	check(stationA, "amd64", "") // 141030's 2.1 is arm64 only
}

// A station's latest update question replaces the one before; one with
// an unknown arch or a malformed version is not kept.
func testAsked(t *testing.T, s hub.Store) {
	if got, err := s.Asked(); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	for _, a := range []hub.Asked{{Station: stationB, Arch: "arm64", At: t0},
		{Station: stationA, Arch: "amd64", Version: "2.0", At: t0},
		{Station: stationA, Arch: "amd64", Version: "2.1+g0c1d2e3", At: t0.Add(time.Hour)}} {
		if err := s.PutAsked(a); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []hub.Asked{{Station: stationA, Arch: "x86", At: t0}, {Station: stationA, Arch: "amd64", Version: "v2", At: t0},
		{Station: "", Arch: "amd64", At: t0}} {
		if err := s.PutAsked(bad); err == nil {
			t.Errorf("PutAsked(%+v) kept", bad)
		}
	}
	got, err := s.Asked()
	want := []hub.Asked{{Station: stationA, Arch: "amd64", Version: "2.1+g0c1d2e3", At: t0.Add(time.Hour)}, {Station: stationB, Arch: "arm64", At: t0}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Asked = %+v, %v; want %+v", got, err, want)
	}
}

// A report's update part comes back as the station sent it.
func testHealthUpdate(t *testing.T, s hub.Store) {
	at := t0.Add(-time.Hour)
	h := report(stationA, 0, t0)
	h.Update = &wire.HealthUpdate{Slot: "B", State: wire.UpdateFailed, Pending: "2026.12.7.140500+g61892aa", Percent: 0,
		Last: "安装失败 install failed: signature verification failed", LastAt: &at}
	if err := s.PutHealth(h, t0); err != nil {
		t.Fatal(err)
	}
	got, err := s.LatestHealth()
	if err != nil || len(got) != 1 || got[0].Report.Update == nil {
		t.Fatalf("LatestHealth = %+v, %v", got, err)
	}
	u := *got[0].Report.Update
	if u.LastAt == nil || !u.LastAt.Equal(at) {
		t.Fatalf("last_at came back as %v, want %v", u.LastAt, at)
	}
	u.LastAt = h.Update.LastAt
	if !reflect.DeepEqual(u, *h.Update) {
		t.Fatalf("update part came back as %+v, want %+v", u, *h.Update)
	}
}
