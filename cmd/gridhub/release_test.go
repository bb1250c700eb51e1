package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
	"github.com/gridkiosk/gridkiosk/sync/hub/releasetest"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

const (
	v1 = "2026.12.1.20000+gaaaaaaa"
	v2 = "2026.12.7.140500+g61892aa"
)

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// stationSaid is what a station told the hub: its health report, and
// its update question's arch and system version.
type stationSaid struct {
	report wire.Health
	asked  hub.Asked
}

// putReports stores what stations said as the hub would have (the bbolt
// file is not in use by a serve).
func putReports(t *testing.T, data string, said ...stationSaid) {
	t.Helper()
	st, err := hub.OpenBolt(filepath.Join(data, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, s := range said {
		if err := st.PutHealth(s.report, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := st.PutAsked(s.asked); err != nil {
			t.Fatal(err)
		}
	}
}

func stationReport(id, arch, system string, u *wire.HealthUpdate) stationSaid {
	return stationSaid{wire.Health{StationID: id, Community: "141029100001", At: time.Now(), IntervalS: 300, Version: "1.4.0", Update: u},
		hub.Asked{Station: id, Arch: arch, Version: system, At: time.Now()}}
}

// release add refuses what is not a bundle of the version and arch it
// is told, says why, and keeps a copy of one that is; release assign
// refuses unknown releases and stations; release list and station list
// show who is on what.
func TestReleaseCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "hub")
	run(t, "station", "add", "--data", data, "--station", "141029-xfw-01")
	run(t, "station", "add", "--data", data, "--station", "141029-zl-01")
	b1 := releasetest.Build(t, v1, "gridkiosk-amd64", 100_000)
	b2 := releasetest.Build(t, v2, "gridkiosk-amd64", 120_000)
	arm := releasetest.Build(t, v2, "gridkiosk-arm64", 100_000)
	fake := writeFile(t, dir, "fake.raucb", string(releasetest.Fake(4096, 3)))
	text := writeFile(t, dir, "notes.txt", strings.Repeat("not a bundle\n", 100))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{b1.Path, "--arch", "amd64"}, "--version is required"},
		{[]string{b1.Path, "--version", v1}, "--arch is required"},
		{[]string{b1.Path, "--version", "v1.0", "--arch", "amd64"}, "is not dotted numbers"},
		{[]string{b1.Path, "--version", v1, "--arch", "riscv64"}, `arch "riscv64" is not one of amd64, arm64`},
		{[]string{text, "--version", v1, "--arch", "amd64"}, `no squashfs magic "hsqs"`},
		{[]string{filepath.Join(dir, "missing.raucb"), "--version", v1, "--arch", "amd64"}, "no such file"},
		{[]string{arm.Path, "--version", v2, "--arch", "amd64"}, `the bundle is for "gridkiosk-arm64", not "gridkiosk-amd64"`},
		{[]string{b1.Path, "--version", v2, "--arch", "amd64"}, fmt.Sprintf("manifest says version %q, not %q", v1, v2)},
		{[]string{fake, "--version", v1, "--arch", "amd64"}, "rauc info refuses it"},
		{[]string{b1.Path, "--version", v1, "--arch", "amd64", "--keyring", b2.Cert}, "rauc info refuses it: signature verification failed"},
		{[]string{b1.Path, "--version", v1, "--arch", "amd64", "--rauc", "none", "--keyring", b1.Cert}, "--keyring needs rauc"},
	} {
		code, out := runErr(append([]string{"release", "add", "--data", data}, tc.args...)...)
		if code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("release add %s: exit %d, %q; want %q", strings.Join(tc.args, " "), code, out, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "releases")); !os.IsNotExist(err) {
		t.Fatalf("refused bundles left files: %v", err)
	}

	out := run(t, "release", "add", "--data", data, b1.Path, "--version", v1, "--arch", "amd64", "--keyring", b1.Cert)
	kept := filepath.Join(data, "releases", v1, "amd64", "bundle.raucb")
	if sum := sha256File(t, b1.Path); !strings.Contains(out, "sha256 "+sum) || sha256File(t, kept) != sum {
		t.Fatalf("release add: %q; the copy's sha256 %s, the bundle's %s", out, sha256File(t, kept), sum)
	}
	if code, out := runErr("release", "add", "--data", data, b1.Path, "--version", v1, "--arch", "amd64"); code != 1 ||
		!strings.Contains(out, "has release "+v1+" for amd64 already") || !strings.Contains(out, "--replace") {
		t.Fatalf("the same release again: exit %d, %s", code, out)
	}
	run(t, "release", "add", "--data", data, b1.Path, "--version", v1, "--arch", "amd64", "--replace")
	run(t, "release", "add", "--data", data, b2.Path, "--version", v2, "--arch", "amd64")
	run(t, "release", "add", "--data", data, arm.Path, "--version", v2, "--arch", "arm64")
	run(t, "release", "add", "--data", data, fake, "--version", "1.0", "--arch", "arm64", "--rauc", "none")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"9.9", "--station", "141029-xfw-01"}, "the hub has no release 9.9"},
		{[]string{v1, "--county", "141029", "--arch", "arm64"}, "the hub has no release " + v1 + " for arm64"},
		{[]string{v1, "--station", "141029-nope-01"}, "the hub has no station 141029-nope-01"},
		{[]string{v1, "--station", "141029-xfw-01", "--county", "141029"}, "not both"},
		{[]string{v1}, "neither"},
		{[]string{v1, "--station", "141029-xfw-01", "--arch", "amd64"}, "--arch goes with a county only"},
		{[]string{v1, "--county", "1410"}, "not a 6-digit county code"},
		{[]string{"--none", v1, "--county", "141029"}, "give no VERSION"},
		{[]string{"--county", "141029"}, "want one VERSION"},
	} {
		code, out := runErr(append([]string{"release", "assign", "--data", data}, tc.args...)...)
		if code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("release assign %s: exit %d, %q; want %q", strings.Join(tc.args, " "), code, out, tc.want)
		}
	}

	putReports(t, data,
		stationReport("141029-xfw-01", "amd64", v1, &wire.HealthUpdate{Slot: "A", State: wire.UpdateDownloading, Pending: v2, Percent: 42}),
		stationReport("141029-zl-01", "amd64", v1, &wire.HealthUpdate{Slot: "B", State: wire.UpdateFailed, Pending: v2, Last: "refused: signature"}),
		stationReport("141029-gq-01", "arm64", v2, &wire.HealthUpdate{Slot: "B", State: wire.UpdateIdle, Last: "ok " + v2}))
	if out := run(t, "release", "assign", "--data", data, v2, "--county", "141029"); out != "county 141029: release "+v2+" (3 stations have reported from it)" {
		t.Errorf("assign to a county: %q", out)
	}
	if out := run(t, "release", "assign", "--data", data, "1.0", "--station", "141029-gq-01"); out != "station 141029-gq-01: release 1.0" {
		t.Errorf("assign to a station of a tokens file, known by its report: %q", out)
	}
	run(t, "release", "assign", "--data", data, "--none", "--station", "141029-gq-01")

	// locale C, as a technician's ssh session may be: quiet, ASCII.
	code, list, stderr := gridhub(t, "", "release", "list", "--data", data)
	if code != 0 || stderr != "" {
		t.Fatalf("release list: exit %d, stderr %q", code, stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^VERSION +ARCH +SIZE +ADDED +ASSIGNED +ON IT +UPDATING +FAILED$`),
		regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(v2) + ` +amd64 +0\.1 MiB +\S+ \S+ +2 +0 +1 +1$`),
		regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(v2) + ` +arm64 +0\.1 MiB +\S+ \S+ +1 +1 +0 +0$`),
		regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(v1) + ` +amd64 +0\.1 MiB +\S+ \S+ +0 +2 +0 +0$`),
		regexp.MustCompile(`(?m)^1\.0 +arm64 +0\.0 MiB +\S+ \S+ +0 +0 +0 +0$`),
		regexp.MustCompile(`(?m)^county 141029 +` + regexp.QuoteMeta(v2) + ` +cli:\S+ `),
	} {
		if !want.MatchString(list) {
			t.Errorf("release list lacks %s:\n%s", want, list)
		}
	}
	if strings.Index(list, v2) > strings.Index(list, v1) {
		t.Errorf("release list not newest first:\n%s", list)
	}

	code, stations, stderr := gridhub(t, "", "station", "list", "--data", data)
	if code != 0 || stderr != "" {
		t.Fatalf("station list: exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{
		`(?m)^STATION +TOKEN SET +LAST REPORT +SOFTWARE +SYSTEM +ARCH +SLOT +UPDATE +ASSIGNED$`,
		`(?m)^141029-xfw-01 +\S+ +\S+ +1\.4\.0 +` + regexp.QuoteMeta(v1) + ` +amd64 +A +downloading 42% ` + regexp.QuoteMeta(v2) + ` +` + regexp.QuoteMeta(v2) + ` \(behind\)$`,
		`(?m)^141029-zl-01 .* amd64 +B +failed ` + regexp.QuoteMeta(v2) + `: refused: signature +` + regexp.QuoteMeta(v2) + ` \(behind\)$`,
		`(?m)^141029-gq-01 +tokens file +\S+ +1\.4\.0 +` + regexp.QuoteMeta(v2) + ` +arm64 +B +idle +` + regexp.QuoteMeta(v2) + `$`,
	} {
		if !regexp.MustCompile(want).MatchString(stations) {
			t.Errorf("station list lacks %s:\n%s", want, stations)
		}
	}

	st, err := hub.OpenBolt(filepath.Join(data, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	audit, err := st.Audit(100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit {
		if !strings.HasPrefix(e.User, "cli:") {
			t.Errorf("audit entry by %q", e.User)
		}
		actions = append(actions, e.Action+" "+e.Target+" "+strings.Fields(e.Detail)[0])
	}
	want := []string{"release-assign station 141029-gq-01 none", "release-assign station 141029-gq-01 1.0",
		"release-assign county 141029 " + v2}
	if len(actions) != 8 || strings.Join(actions[:3], "|") != strings.Join(want, "|") || !strings.HasPrefix(actions[7], "release-add "+v1+"/amd64 ") {
		t.Errorf("audit log: %q", actions)
	}
}

// With PostgreSQL the bundles go where --releases says, and a serving
// hub offers a release assigned while it runs and serves its bundle,
// resumable: the station's side of it over real HTTP.
func TestReleasePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	key, rels := filepath.Join(dir, "hub.key"), filepath.Join(dir, "releases")
	db := []string{"--db", dsn, "--key-file", key}
	tok := run(t, append([]string{"station", "add", "--station", "141029-xfw-01"}, db...)...)
	b := releasetest.Build(t, v2, "gridkiosk-amd64", 300_000)
	if code, out := runErr(append([]string{"release", "add", b.Path, "--version", v2, "--arch", "amd64"}, db...)...); code != 1 || !strings.Contains(out, "--db needs --releases DIR") {
		t.Fatalf("release add --db without --releases: exit %d, %s", code, out)
	}
	// A release whose bundle went missing is named when serve starts.
	run(t, append([]string{"release", "add", b.Path, "--version", v1, "--arch", "amd64", "--releases", rels, "--rauc", "none"}, db...)...)
	if err := os.Remove(filepath.Join(rels, v1, "amd64", "bundle.raucb")); err != nil {
		t.Fatal(err)
	}
	h := startHub(t, nil, db...)
	waitFor(t, "serve's warning of the missing bundle", func() bool {
		return strings.Contains(h.log.String(), "bundle is missing") && strings.Contains(h.log.String(), v1)
	})
	get := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", h.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	question := fmt.Sprintf(wire.PathUpdateFormat, "141029-xfw-01") + "?arch=amd64&version=" + v1
	if resp, _ := get(question); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("before any release: %d", resp.StatusCode)
	}
	run(t, append([]string{"release", "add", b.Path, "--version", v2, "--arch", "amd64", "--releases", rels}, db...)...)
	run(t, append([]string{"release", "assign", v2, "--station", "141029-xfw-01"}, db...)...)
	resp, body := get(question)
	var o wire.UpdateOffer
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &o) != nil || o.Check() != nil {
		t.Fatalf("offer: %d %s\n%s", resp.StatusCode, body, h.log.String())
	}
	file, err := os.ReadFile(b.Path)
	if err != nil {
		t.Fatal(err)
	}
	if o.Size != int64(len(file)) || o.SHA256 != sha256File(t, b.Path) {
		t.Fatalf("offer %+v for a bundle of %d bytes", o, len(file))
	}
	resp, tail := get(o.URL, "Range", "bytes=100000-", "If-Range", `"`+o.SHA256+`"`)
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(tail, file[100000:]) {
		t.Fatalf("resumed bundle: %d, %d bytes", resp.StatusCode, len(tail))
	}
	// What the station's question said is in station list, at once.
	list := run(t, append([]string{"station", "list"}, db...)...)
	if !regexp.MustCompile(`(?m)^141029-xfw-01 .* ` + regexp.QuoteMeta(v1) + ` +amd64 +- +- +` + regexp.QuoteMeta(v2) + ` \(behind\)$`).MatchString(list) {
		t.Fatalf("station list:\n%s", list)
	}
}
