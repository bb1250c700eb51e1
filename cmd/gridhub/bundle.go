package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// checkBundleFile refuses a file that is not a RAUC bundle of version
// for arch. The frame is always checked (hub.CheckBundle); the manifest's
// version and compatible when rauc is at hand ("rauc info", which reads
// a verity bundle's manifest from its signature without mounting it),
// and the signature too when a keyring is given. Without rauc the
// technician is told what was not checked.
func checkBundleFile(ctx context.Context, file, version, arch, keyring, raucBin string, stderr io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err == nil {
		err = hub.CheckBundle(f, fi.Size())
	}
	f.Close()
	if err != nil {
		return err
	}
	if raucBin == "none" {
		if keyring != "" {
			return errors.New("--keyring needs rauc to check the signature; not with --rauc none")
		}
		return nil
	}
	if raucBin == "" {
		if raucBin, err = exec.LookPath("rauc"); err != nil {
			if keyring != "" {
				return errors.New("--keyring needs rauc to check the signature, and rauc is not installed (apt-get install rauc)")
			}
			fmt.Fprintln(stderr, "gridhub: rauc is not installed: only the bundle's frame was checked, not its manifest's version and compatible (apt-get install rauc)")
			return nil
		}
	}
	verify := []string{"--no-verify"}
	if keyring != "" {
		verify = []string{"--keyring", keyring}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, raucBin, append(append([]string{"info"}, verify...), "--output-format=json", file)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("rauc info refuses it: %s (%w)", lastLine(errb.String()), err)
	}
	m, err := parseRaucInfo(out.Bytes())
	if err != nil {
		return err
	}
	if want := "gridkiosk-" + arch; m.Compatible != want {
		return fmt.Errorf("the bundle is for %q, not %q: built for the other board? (--arch)", m.Compatible, want)
	}
	if m.Version != version {
		return fmt.Errorf("the bundle's manifest says version %q, not %q: the stations would take it for another release", m.Version, version)
	}
	return nil
}

// raucManifest is what release add reads of "rauc info
// --output-format=json".
type raucManifest struct {
	Compatible string `json:"compatible"`
	Version    string `json:"version"`
}

func parseRaucInfo(b []byte) (raucManifest, error) {
	var m raucManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return raucManifest{}, fmt.Errorf("rauc info's output is not its JSON: %w", err)
	}
	if m.Compatible == "" {
		return raucManifest{}, errors.New("rauc info gives the bundle no compatible")
	}
	return m, nil
}

// lastLine is the last non-empty line of a tool's messages, without the
// tool's prefix: what went wrong, short.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	l := strings.TrimSpace(lines[len(lines)-1])
	if _, rest, ok := strings.Cut(l, ": "); ok && strings.HasPrefix(l, "rauc-") {
		// "rauc-Message: 05:35:56.824: text": the time goes too.
		if _, r2, ok := strings.Cut(rest, ": "); ok {
			rest = r2
		}
		l = rest
	}
	return cmpOr(l, "no message")
}
