package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func releaseCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("release: want add, assign or list")
	}
	switch args[0] {
	case "add":
		return releaseAdd(ctx, args[1:], stdout, stderr)
	case "assign":
		return releaseAssign(ctx, args[1:], stdout, stderr)
	case "list":
		return releaseList(ctx, args[1:], stdout)
	}
	return fmt.Errorf("release: unknown command %q: want add, assign or list", args[0])
}

// releasesDir is where release add keeps bundles: --releases, else
// DIR/releases of --data. A PostgreSQL hub has no data directory of its
// own, and every gridhub serve on the database must read the bundles
// there, so it is asked for.
func releasesDir(sf storeFlags, releases string) (string, error) {
	switch {
	case releases != "":
		return filepath.Abs(releases)
	case *sf.data != "":
		return filepath.Abs(filepath.Join(*sf.data, "releases"))
	}
	return "", errors.New("--db needs --releases DIR: where the bundles are kept, a directory every gridhub serve on the database reads")
}

func releaseAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("release add", flag.ContinueOnError)
	sf := addStoreFlags(fs)
	version := fs.String("version", "", "the bundle's version, as in its manifest, e.g. 2026.12.7.140500+g61892aa (required)")
	arch := fs.String("arch", "", "the boards it is for: "+strings.Join(wire.Archs, " or ")+" (required)")
	replace := fs.Bool("replace", false, "replace the bundle of a version and arch the hub has; stations that fetched part of the old one start over")
	releases := fs.String("releases", "", "directory the bundles are kept in (default DIR/releases of --data; required with --db)")
	keyring := fs.String("keyring", "", "check the bundle's signature against this keyring (PEM), as the stations will")
	raucBin := fs.String("rauc", "", "rauc to read the bundle's manifest with (default: rauc on PATH; \"none\" checks only the bundle's frame)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return fmt.Errorf("release add: %w", err)
	}
	if len(pos) != 1 {
		return errors.New("release add: want one bundle FILE (.raucb, made by make bundle)")
	}
	file := pos[0]
	switch {
	case *version == "":
		return errors.New("release add: --version is required")
	case *arch == "":
		return fmt.Errorf("release add: --arch is required (%s)", strings.Join(wire.Archs, " or "))
	}
	if err := wire.CheckVersion(*version); err != nil {
		return fmt.Errorf("release add: --version: %w", err)
	}
	if err := hub.CheckArch(*arch); err != nil {
		return fmt.Errorf("release add: --arch: %w", err)
	}
	if err := sf.check(); err != nil {
		return fmt.Errorf("release add: %w", err)
	}
	dir, err := releasesDir(sf, *releases)
	if err != nil {
		return fmt.Errorf("release add: %w", err)
	}
	// Checked before the store is opened, so that a wrong file is
	// reported even while serve holds the bbolt file.
	if err := checkBundleFile(ctx, file, *version, *arch, *keyring, *raucBin, stderr); err != nil {
		return fmt.Errorf("release add: %s: %w", file, err)
	}
	store, err := sf.open(ctx, adding)
	if err != nil {
		return fmt.Errorf("release add: %w", err)
	}
	defer store.Close()
	if old, ok, err := store.Release(*version, *arch); err != nil {
		return fmt.Errorf("release add: %w", err)
	} else if ok && !*replace {
		return fmt.Errorf("release add: the hub has release %s for %s already (added %s, sha256 %s); --replace replaces it",
			*version, *arch, old.AddedAt.Local().Format(time.DateTime), old.SHA256[:12])
	}
	dest, err := hub.ReleasePath(dir, *version, *arch)
	if err != nil {
		return fmt.Errorf("release add: %w", err)
	}
	size, sum, err := copyBundle(file, dest)
	if err != nil {
		return fmt.Errorf("release add: %w", err)
	}
	rel := hub.Release{Version: *version, Arch: *arch, Size: size, SHA256: sum, Path: dest, AddedAt: time.Now(), AddedBy: cliUser()}
	if err := store.PutRelease(rel, *replace); err != nil {
		if !*replace {
			os.Remove(dest)
		}
		return fmt.Errorf("release add: %w", err)
	}
	if err := store.AddAudit(hub.AuditEntry{At: rel.AddedAt.UTC(), User: rel.AddedBy, Action: "release-add",
		Target: *version + "/" + *arch, Detail: fmt.Sprintf("%d bytes, sha256 %s", size, sum)}); err != nil {
		return fmt.Errorf("release add: the release is kept, but the audit log was not written: %w", err)
	}
	fmt.Fprintf(stdout, "release %s for %s: %s, sha256 %s\n", *version, *arch, mib(size), sum)
	return nil
}

// copyBundle copies file to dest through a temporary file beside it,
// synced and renamed into place, and returns its size and SHA-256 as
// copied: a hub that loses power mid-copy has the old bundle or the new
// one, never part of one under the release's name.
func copyBundle(file, dest string) (int64, string, error) {
	src, err := os.Open(file)
	if err != nil {
		return 0, "", err
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return 0, "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".bundle-*.part")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dest)
	}
	if err == nil {
		err = syncDir(filepath.Dir(dest))
	}
	if err != nil {
		return 0, "", fmt.Errorf("copy the bundle to %s: %w", dest, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// cliUser names who ran a command in the audit log: "cli:" and the
// system account, as a console account's name stands for a web change.
func cliUser() string {
	name := os.Getenv("SUDO_USER")
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	return "cli:" + cmpOr(name, "unknown")
}

// mib is a size for people: "393.2 MiB".
func mib(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func releaseAssign(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("release assign", flag.ContinueOnError)
	sf := addStoreFlags(fs)
	var t hub.Target
	fs.StringVar(&t.Station, "station", "", "the station that should run the release; its own assignment wins over its county's")
	fs.StringVar(&t.County, "county", "", "every station of this county (6-digit code, e.g. 141029) should run it")
	fs.StringVar(&t.Arch, "arch", "", "with --county: only its stations of this arch ("+strings.Join(wire.Archs, " or ")+")")
	none := fs.Bool("none", false, "clear the assignment instead: the station then follows its county, a county's stations stay as they are")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return fmt.Errorf("release assign: %w", err)
	}
	var version string
	switch {
	case *none && len(pos) != 0:
		return fmt.Errorf("release assign: --none clears the assignment; give no VERSION (not %q)", pos[0])
	case !*none && len(pos) != 1:
		return errors.New("release assign: want one VERSION (gridhub release list shows them), or --none")
	case !*none:
		version = pos[0]
		if err := wire.CheckVersion(version); err != nil {
			return fmt.Errorf("release assign: %w", err)
		}
	}
	if err := hub.CheckTarget(t); err != nil {
		return fmt.Errorf("release assign: %w", err)
	}
	store, err := sf.open(ctx, existing)
	if err != nil {
		return fmt.Errorf("release assign: %w", err)
	}
	defer store.Close()
	latest, err := store.LatestHealth()
	if err != nil {
		return fmt.Errorf("release assign: %w", err)
	}
	if t.Station != "" {
		if err := knownStation(store, latest, t.Station); err != nil {
			return fmt.Errorf("release assign: %w", err)
		}
	}
	err = store.Assign(hub.Assignment{Target: t, Version: version, By: cliUser(), At: time.Now()})
	if errors.Is(err, hub.ErrNoRelease) {
		what := version
		if t.Arch != "" {
			what += " for " + t.Arch
		}
		return fmt.Errorf("release assign: the hub has no release %s: gridhub release list shows them, gridhub release add adds one", what)
	}
	if err != nil {
		return fmt.Errorf("release assign: %w", err)
	}
	if err := store.AddAudit(hub.AuditEntry{At: time.Now().UTC(), User: cliUser(), Action: "release-assign",
		Target: t.String(), Detail: cmpOr(version, "none")}); err != nil {
		return fmt.Errorf("release assign: assigned, but the audit log was not written: %w", err)
	}
	switch {
	case *none:
		fmt.Fprintf(stdout, "%s: no release assigned\n", t)
	case t.County != "":
		n := 0
		for _, r := range latest {
			if strings.HasPrefix(r.Report.Community, t.County) {
				n++
			}
		}
		fmt.Fprintf(stdout, "%s: release %s (%d stations have reported from it)\n", t, version, n)
		if n == 0 {
			fmt.Fprintf(stderr, "No station of county %s has reported yet: a station learns its county from its health report's community.\n", t.County)
		}
	default:
		fmt.Fprintf(stdout, "%s: release %s\n", t, version)
	}
	return nil
}

// knownStation returns an error unless the store has a token for the
// station or a report from it (a station of a tokens file).
func knownStation(store hub.Store, latest []hub.HealthReport, id string) error {
	for _, r := range latest {
		if r.Report.StationID == id {
			return nil
		}
	}
	stations, err := store.Stations()
	if err != nil {
		return err
	}
	for _, st := range stations {
		if st.ID == id {
			return nil
		}
	}
	return fmt.Errorf("the hub has no station %s: no token (gridhub station list shows them) and no report from it", id)
}
