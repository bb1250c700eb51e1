package main

import (
	"bytes"
	"os"
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
