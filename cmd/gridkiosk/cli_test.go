package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/config"
)

// config check FILE checks FILE, not the default path; two files named
// are refused rather than one of them silently checked.
func TestConfigCheckFile(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.toml"), filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(good, []byte(config.Example()), 0o600); err != nil {
		t.Fatal(err)
	}
	badTOML := strings.Replace(config.Example(), "baud = 115200", "baud = 12345", 1)
	if err := os.WriteFile(bad, []byte(badTOML), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{good}, 0, good + ": ok"},
		{[]string{bad}, 1, "devices.idcard.baud"},
		{[]string{"--config", bad}, 1, "devices.idcard.baud"},
		{[]string{"--config", good, good}, 0, good + ": ok"},
		{[]string{"--config", good, bad}, 2, "two files named"},
		{[]string{good, "--config", bad}, 2, "want one file"},
		{[]string{good, bad}, 2, "want one file"},
		{[]string{filepath.Join(dir, "none.toml")}, 1, "none.toml"},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		code := realMain(append([]string{"config", "check"}, tc.args...), &out, &out)
		if code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("config check %q: exit %d, want %d with %q:\n%s", tc.args, code, tc.code, tc.want, out.String())
		}
		if strings.Contains(out.String(), config.DefaultPath) {
			t.Errorf("config check %q looked at the default path:\n%s", tc.args, out.String())
		}
	}
}

// The CLI commands say nothing on stderr under the C locale of an ssh
// session or a systemd unit: this binary runs again as gridkiosk, with
// nothing in its environment but the locale, as on such a machine.
func TestQuietUnderTheCLocale(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "station.toml")
	if err := os.WriteFile(cfg, []byte(config.Example()), 0o600); err != nil {
		t.Fatal(err)
	}
	upd := updateConfig(t, t.TempDir(), "127.0.0.1:1")
	commands := [][]string{{"version"}, {"config", "check", cfg}, {"config", "example"}, {"help"},
		{"update", "status", "--config", upd}}
	for _, locale := range []string{"LANG=C.UTF-8", "LC_ALL=C", "LC_ALL=C.utf8", "LANG=POSIX", "LANG=zh_CN.UTF-8", ""} {
		for _, args := range commands {
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = []string{mainEnv + "=1", "PATH=" + os.Getenv("PATH")}
			if locale != "" {
				cmd.Env = append(cmd.Env, locale)
			}
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			if err := cmd.Run(); err != nil {
				t.Errorf("%s gridkiosk %s: %v\n%s", locale, strings.Join(args, " "), err, stderr.String())
				continue
			}
			if stderr.Len() > 0 {
				t.Errorf("%s gridkiosk %s printed on stderr:\n%s", locale, strings.Join(args, " "), stderr.String())
			}
		}
	}
}
