package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/spki"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// TestTLSInitServe: "gridhub tls init" makes a CA and a hub certificate
// that "gridhub serve" serves and a station trusting the CA file, or
// pinning the CA's key as init prints it, sends records to. "tls renew"
// gives the hub a new key that the same station config still accepts.
func TestTLSInitServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "county")
	code, out := runErr("tls", "init", "--dir", dir, "--host", "127.0.0.1,hub.xiangning.local", "--name", "Xiangning County CA")
	if code != 0 {
		t.Fatalf("tls init: exit %d\n%s", code, out)
	}
	for name, mode := range map[string]os.FileMode{"ca.pem": 0o644, "ca.key": 0o600, "hub.pem": 0o644, "hub.key": 0o600} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v, mode %v, want %v", name, err, fi.Mode().Perm(), mode)
		}
	}
	m := regexp.MustCompile(`pin_sha256 = \["([^"]+)"\]`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("tls init printed no pin:\n%s", out)
	}
	caPin, err := spki.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"gridhub serve --tls-cert " + filepath.Join(dir, "hub.pem"), `url = "https://hub.xiangning.local"`, `ca_mode = "replace"`} {
		if !strings.Contains(out, want) {
			t.Errorf("tls init does not say %q:\n%s", want, out)
		}
	}
	trust := &upstream.Trust{Host: "127.0.0.1", CAFile: filepath.Join(dir, "ca.pem"), ReplaceRoots: true, Pins: [][32]byte{caPin}}
	hc := upstream.NewHTTPClient(10*time.Second, trust)
	tokens := filepath.Join(t.TempDir(), "tokens")
	os.WriteFile(tokens, []byte("141029-xfw-01 0123456789abcdef0123\n"), 0o600)
	serve := func() *hubProcess {
		return startHub(t, hc, "--data", filepath.Join(dir, "hub"), "--tokens", tokens,
			"--tls-cert", filepath.Join(dir, "hub.pem"), "--tls-key", filepath.Join(dir, "hub.key"))
	}
	h := serve()
	c := h.client("141029-xfw-01", "0123456789abcdef0123", hc)
	if reply, err := c.Send(t.Context(), []wire.Record{rec(1)}); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("send to the tls init hub: %+v %v", reply, err)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}

	// init never overwrites a CA.
	before, _ := os.ReadFile(filepath.Join(dir, "ca.key"))
	if code, out := runErr("tls", "init", "--dir", dir, "--host", "127.0.0.1"); code != 1 || !strings.Contains(out, "ca.pem already exists; use gridhub tls renew") {
		t.Errorf("second tls init: exit %d\n%s", code, out)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "ca.key")); string(after) != string(before) {
		t.Fatal("a second tls init changed the CA key")
	}

	oldHub, _ := os.ReadFile(filepath.Join(dir, "hub.key"))
	if code, out := runErr("tls", "renew", "--dir", dir, "--host", "127.0.0.1"); code != 0 || strings.Contains(out, "ca.key") {
		t.Fatalf("tls renew: exit %d\n%s", code, out)
	}
	if newHub, _ := os.ReadFile(filepath.Join(dir, "hub.key")); string(newHub) == string(oldHub) {
		t.Fatal("tls renew kept the hub's key")
	}
	h = serve()
	c = h.client("141029-xfw-01", "0123456789abcdef0123", hc)
	if reply, err := c.Send(t.Context(), []wire.Record{rec(2)}); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("send after renew, CA pinned: %+v %v", reply, err)
	}
}

func TestTLSInitErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"tls"}, "tls: want init or renew"},
		{[]string{"tls", "init", "--host", "hub"}, "--dir is required"},
		{[]string{"tls", "init", "--dir", dir}, "--host is required"},
		{[]string{"tls", "init", "--dir", filepath.Join(dir, "a"), "--host", "https://hub.example"}, `"https://hub.example" is not a host name or IP address`},
		{[]string{"tls", "renew", "--dir", filepath.Join(dir, "none"), "--host", "hub"}, "make the CA first with gridhub tls init"},
	}
	for _, tc := range tests {
		if code, out := runErr(tc.args...); code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%q: exit %d, want an error saying %q:\n%s", tc.args, code, tc.want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !os.IsNotExist(err) {
		t.Errorf("a refused --host left files behind: %v", err)
	}
}
