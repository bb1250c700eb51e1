package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// releaseList lists the releases, newest first, with how many stations
// each is assigned to, runs on, is on its way to and failed on, and then
// the assignments. A station tells the hub its arch and system version
// when it asks for an update; until then it counts for each arch's
// release assigned to it, and is on none.
func releaseList(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("release list", flag.ContinueOnError)
	sf := addStoreFlags(fs)
	if err := noArgs(fs, args); err != nil {
		return fmt.Errorf("release list: %w", err)
	}
	store, err := sf.open(ctx, existing)
	if err != nil {
		return fmt.Errorf("release list: %w", err)
	}
	defer store.Close()
	rels, err := store.Releases()
	if err != nil {
		return fmt.Errorf("release list: %w", err)
	}
	as, err := store.Assignments()
	if err != nil {
		return fmt.Errorf("release list: %w", err)
	}
	views, err := stationViews(store, as)
	if err != nil {
		return fmt.Errorf("release list: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tARCH\tSIZE\tADDED\tASSIGNED\tON IT\tUPDATING\tFAILED")
	for _, r := range rels {
		var n releaseCounts
		for _, v := range views {
			if v.asked == nil || v.asked.Arch == r.Arch {
				n.add(v, r.Version)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", r.Version, r.Arch, mib(r.Size), r.AddedAt.Local().Format(time.DateTime),
			n.assigned, n.on, n.updating, n.failed)
	}
	if len(rels) == 0 {
		fmt.Fprintln(tw, "(none: gridhub release add adds one)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(as) == 0 {
		return nil
	}
	fmt.Fprintln(stdout)
	tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ASSIGNED TO\tVERSION\tBY\tAT")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Target, a.Version, a.By, a.At.Local().Format(time.DateTime))
	}
	return tw.Flush()
}

type releaseCounts struct{ assigned, on, updating, failed int }

func (n *releaseCounts) add(v stationView, version string) {
	if slices.ContainsFunc(v.assigned, func(a hub.Assignment) bool { return a.Version == version }) {
		n.assigned++
	}
	if v.asked != nil && hub.SameVersion(v.asked.Version, version) {
		n.on++
	}
	if v.report == nil {
		return
	}
	if u := v.report.Report.Update; u != nil && (u.Pending == version || strings.Contains(u.Last, version)) {
		switch {
		case hub.Updating(u) && u.Pending == version:
			n.updating++
		case u.State == wire.UpdateFailed:
			n.failed++
		}
	}
}

// stationView is what the hub knows of a station: its token, its newest
// report, its latest update question and what is assigned to it.
type stationView struct {
	id       string
	token    *hub.Station // nil for a station of a tokens file
	report   *hub.HealthReport
	asked    *hub.Asked // nil before it asked
	assigned []hub.Assignment
}

// running is the system version the station said it runs, or "".
func (v stationView) running() string {
	if v.asked == nil {
		return ""
	}
	return v.asked.Version
}

// stationViews returns every station with a token or a report, by ID.
func stationViews(store hub.Store, as []hub.Assignment) ([]stationView, error) {
	stations, err := store.Stations()
	if err != nil {
		return nil, err
	}
	latest, err := store.LatestHealth()
	if err != nil {
		return nil, err
	}
	asked, err := store.Asked()
	if err != nil {
		return nil, err
	}
	byID := map[string]*stationView{}
	get := func(id string) *stationView {
		if byID[id] == nil {
			byID[id] = &stationView{id: id}
		}
		return byID[id]
	}
	for i := range stations {
		get(stations[i].ID).token = &stations[i]
	}
	for i := range latest {
		get(latest[i].Report.StationID).report = &latest[i]
	}
	for i := range asked {
		get(asked[i].Station).asked = &asked[i]
	}
	out := make([]stationView, 0, len(byID))
	for _, v := range byID {
		community, arch := "", ""
		if v.report != nil {
			community = v.report.Report.Community
		}
		if v.asked != nil {
			arch = v.asked.Arch
		}
		v.assigned = hub.Effective(as, v.id, community, arch)
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b stationView) int { return strings.Compare(a.id, b.id) })
	return out, nil
}

// updateText says where a station's update is, short: "downloading 42%
// 2026.12.7.140500", "failed: signature", "idle".
func updateText(u *wire.HealthUpdate) string {
	if u == nil {
		return "-"
	}
	s := u.State
	if u.Percent > 0 && hub.Updating(u) {
		s += fmt.Sprintf(" %d%%", u.Percent)
	}
	if u.Pending != "" {
		s += " " + u.Pending
	}
	if u.State == wire.UpdateFailed && u.Last != "" {
		s += ": " + u.Last
	}
	return s
}

// assignedText says what is assigned to a station: "2026.12.7", or per
// arch while its arch is unknown, "amd64 2026.12.7, arm64 2026.12.1",
// or "-".
func assignedText(as []hub.Assignment, archKnown bool) string {
	var parts []string
	for _, a := range as {
		if a.Arch != "" && !archKnown {
			parts = append(parts, a.Arch+" "+a.Version)
		} else {
			parts = append(parts, a.Version)
		}
	}
	return cmpOr(strings.Join(parts, ", "), "-")
}
