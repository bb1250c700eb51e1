package recipe

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/config"
)

// TestUpdateCheckFiles checks make update-check's own files without
// booting anything: its scripts (bash -n, shellcheck where installed), its
// helper's unit, and the station configuration it provisions the guest
// with, read by gridkiosk's own parser as the guest's first boot will.
func TestUpdateCheckFiles(t *testing.T) {
	t.Run("scripts", testUpdateCheckScripts)
	t.Run("unit", func(t *testing.T) {
		u := parseUnit(t, "updatecheck/gridkiosk-updatecheck.service")
		if got := u["Service"]["ExecStart"]; len(got) != 1 || got[0] != "/usr/local/sbin/gridkiosk-updatecheck" {
			t.Errorf("ExecStart %q: updatecheck.sh writes the helper to /usr/local/sbin/gridkiosk-updatecheck", got)
		}
		if got := u["Install"]["WantedBy"]; len(got) != 1 || got[0] != "multi-user.target" {
			t.Errorf("WantedBy %q: updatecheck.sh links the unit into multi-user.target.wants", got)
		}
	})
	t.Run("provision", testUpdateCheckProvision)
}

func testUpdateCheckScripts(t *testing.T) {
	scripts := []string{"updatecheck.sh", "updatecheck/ab.sh", "updatecheck/serial.sh", "updatecheck/gridkiosk-updatecheck"}
	for _, s := range scripts {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("bash", "-n", s).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", s, err, out)
		}
		fi, err := os.Stat(s)
		if err != nil {
			t.Fatal(err)
		}
		// ab.sh is sourced; the helper runs on after a failed command
		// by design (it must keep answering the host).
		switch s {
		case "updatecheck/ab.sh", "updatecheck/serial.sh":
			if fi.Mode()&0o111 != 0 {
				t.Errorf("%s is sourced, not run: it should not be executable", s)
			}
		case "updatecheck.sh":
			if !strings.Contains(string(b), "\nset -euo pipefail\n") {
				t.Errorf("%s does not set -euo pipefail", s)
			}
			fallthrough
		default:
			if fi.Mode()&0o111 == 0 {
				t.Errorf("%s is not executable", s)
			}
		}
	}
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Log("shellcheck not installed: scripts checked with bash -n only")
		return
	}
	if out, err := exec.Command("shellcheck", append([]string{"-x"}, scripts...)...).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}

// testUpdateCheckProvision: the template, with the hub's port put in as
// updatecheck.sh does, is a configuration gridkiosk accepts, and names
// what the helper and the host rely on.
func testUpdateCheckProvision(t *testing.T) {
	b, err := os.ReadFile("updatecheck/provision.toml.in")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "@HUBPORT@") {
		t.Fatal("updatecheck/provision.toml.in has no @HUBPORT@ for updatecheck.sh to fill in")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "provision.toml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), "@HUBPORT@", "41234")), 0o600); err != nil {
		t.Fatal(err)
	}
	// The token file sits beside it, as gridkiosk-provision installs it.
	if err := os.WriteFile(filepath.Join(dir, "upstream.token"), []byte("t0ken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatalf("updatecheck/provision.toml.in: %v", err)
	}
	if c.Admin.Listen != "127.0.0.1:8765" || c.Storage.Dir != "/var/lib/gridkiosk" {
		t.Errorf("admin %s, storage %s; gridkiosk-updatecheck expects 127.0.0.1:8765 and /var/lib/gridkiosk",
			c.Admin.Listen, c.Storage.Dir)
	}
	if !c.Update.Enabled || c.Update.Window != "00:00-23:59" || c.Update.TrialMinutes != 3 {
		t.Errorf("update %+v: the check needs the station's updater on, its window all day and a short trial", c.Update)
	}
	if c.Upstream.URL != "http://10.0.2.2:41234" {
		t.Errorf("upstream %q, want the host as qemu's user network shows it, http://10.0.2.2:41234", c.Upstream.URL)
	}
}

// TestSerialReaders runs the check's readers of the guest's serial log
// on a log written as the guest writes one: each BOOT line is seen once,
// in order, also when systemd's status line left "\r<spaces>\r" before
// it on the same line. Before past_line took the match's offset, the
// rollback counted the one boot of the bad slot below seven times.
func TestSerialReaders(t *testing.T) {
	dir := t.TempDir()
	serial := filepath.Join(dir, "serial.log")
	log := "[    0.000000] Linux version 6.1.0-57-amd64\r\n" +
		"GRIDKIOSK-UC: BOOT aaaa slot=A state=good version=v1 uptime=183s\r\n" +
		"GRIDKIOSK-UC: READY gridkiosk.service active\r\n" +
		"[  983.352507] reboot: machine restart\r\n" +
		"\r" + strings.Repeat(" ", 51) + "\rGRIDKIOSK-UC: BOOT bbbb slot=B state=bad version=v2 uptime=154s\r\n" +
		"GRIDKIOSK-UC: READY gridkiosk.service active\r\n" +
		"\r" + strings.Repeat(" ", 51) + "\rGRIDKIOSK-UC: BOOT cccc slot=A state=bad version=v3 uptime=147s\r\n"
	if err := os.WriteFile(serial, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `set -euo pipefail
say() { echo "say: $*" >&2; }
fail() { echo "FAIL: $*"; exit 1; }
. updatecheck/serial.sh
n=0
while wait_line 'GRIDKIOSK-UC: BOOT ' 0; do
	boot_line
	echo "$BOOTID $SLOT $VERSION"
	past_line 'GRIDKIOSK-UC: BOOT '
	n=$((n + 1))
	[ "$n" -lt 10 ] || fail "more than 9 boots"
done
`
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(os.Environ(), "SERIAL="+serial, "WORK="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if want := "aaaa A v1\nbbbb B v2\ncccc A v3\n"; string(out) != want {
		t.Errorf("boots read:\n%s\nwant:\n%s", out, want)
	}
}
