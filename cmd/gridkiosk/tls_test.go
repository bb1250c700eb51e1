package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/spki"
	"github.com/gridkiosk/gridkiosk/sync/hub/hubtls"
)

// TestTLSHub: a hub with a certificate from the county's own CA gets the
// station's records when the station trusts that CA by upstream.ca_file,
// and when it pins the hub's key; /healthz names how the link is
// protected. A wrong CA or a wrong pin keeps the records queued, and
// /healthz says what to look at.
func TestTLSHub(t *testing.T) {
	now := time.Now()
	ca, err := hubtls.NewCA("Xiangning County CA", now, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, key, err := ca.Issue([]string{"127.0.0.1"}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, err := hubtls.NewCA("Some Other CA", now, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	caFile, otherFile := filepath.Join(dir, "county-ca.pem"), filepath.Join(dir, "other-ca.pem")
	os.WriteFile(caFile, hubtls.CertPEM(ca.Cert), 0o644)
	os.WriteFile(otherFile, hubtls.CertPEM(other.Cert), 0o644)

	h := &testHub{t: t, addr: freeAddr(t), path: filepath.Join(t.TempDir(), "hub.db"),
		tls: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Raw}, PrivateKey: key}}}}
	h.start()
	t.Cleanup(h.stop)
	url := fmt.Sprintf("url = \"https://%s\"\n", h.addr)

	tests := []struct {
		name, upstream, mode, alert string
	}{
		{"county CA", url + fmt.Sprintf("ca_file = %q\nca_mode = \"replace\"", caFile), "tls+ca_file", ""},
		{"pinned hub key", url + fmt.Sprintf("ca_file = %q\npin_sha256 = [%q]", caFile, spki.Of(leaf)), "pinned", ""},
		{"wrong CA", url + fmt.Sprintf("ca_file = %q\nca_mode = \"replace\"", otherFile), "tls+ca_file",
			"upstream: TLS: hub certificate (CN=127.0.0.1, issued by CN=Xiangning County CA) is not signed by upstream.ca_file " + otherFile},
		{"wrong pin", url + fmt.Sprintf("ca_file = %q\npin_sha256 = [%q]", caFile, spki.Of(other.Cert)), "pinned",
			"upstream: TLS: hub key does not match upstream.pin_sha256; the hub's chain has the keys " + spki.Of(leaf)},
	}
	var delivered, refused []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStationUpstream(t, tc.upstream)
			s.start()
			id := s.submit("TLS: " + tc.name)
			if tc.alert == "" {
				s.waitFor("delivery", func() bool { return s.state(id) == "delivered" })
				// The forwarder marks a batch delivered and then says it
				// is online: wait for both, not just the first.
				s.waitFor("online", func() bool { return s.health().Upstream.Online })
				delivered = append(delivered, id)
			} else {
				s.waitFor("an alert", func() bool { return s.health().Upstream.Alert != "" })
				refused = append(refused, id)
			}
			hz := s.health()
			if hz.Upstream.TLS != tc.mode {
				t.Errorf("/healthz upstream.tls = %q, want %q", hz.Upstream.TLS, tc.mode)
			}
			if tc.alert == "" {
				if hz.Upstream.Alert != "" || !hz.Upstream.Online {
					t.Errorf("after delivery: %+v", hz.Upstream)
				}
			} else {
				if !strings.Contains(hz.Upstream.Alert, tc.alert) {
					t.Errorf("/healthz upstream.alert = %q\nwant it to say %q", hz.Upstream.Alert, tc.alert)
				}
				if hz.Status != "degraded" || !slices.Contains(hz.Problems, hz.Upstream.Alert) {
					t.Errorf("/healthz status %q, problems %q: want degraded with the alert", hz.Status, hz.Problems)
				}
				if st := s.state(id); st != "queued" || hz.Outbox.Queued != 1 {
					t.Errorf("record %s is %q with %d queued, want it kept in the queue", id, st, hz.Outbox.Queued)
				}
			}
			s.stop(syscall.SIGTERM)
		})
	}
	h.stop()
	got := h.records()
	for _, id := range delivered {
		if _, ok := got[id]; !ok {
			t.Errorf("delivered record %s is not at the hub", id)
		}
	}
	for _, id := range refused {
		if _, ok := got[id]; ok {
			t.Errorf("record %s reached a hub the station refused", id)
		}
	}
}

// TestConfigCheckPlainHTTP: config check refuses plain http:// to another
// machine unless the file says so, and allows it to this machine.
func TestConfigCheckPlainHTTP(t *testing.T) {
	const head = "[station]\nid = \"141029-xfw-01\"\nname = \"幸福湾\"\n[station.grid]\ncounty = \"141029\"\n[upstream]\ntoken_file = \"t\"\n"
	tests := []struct {
		name, upstream string
		code           int
		out            string
	}{
		{"lan", "url = \"http://10.14.0.2:8080\"\n", 1,
			":8: upstream.url: \"http://10.14.0.2:8080\" would send residents' records unencrypted to another machine; use https://"},
		{"lan stated", "url = \"http://10.14.0.2:8080\"\ninsecure_http = true\n", 0, ": ok"},
		{"loopback", "url = \"http://127.0.0.1:8080\"\n", 0, ": ok"},
		{"localhost", "url = \"http://localhost:8080\"\n", 0, ": ok"},
		{"v6 loopback", "url = \"http://[::1]:8080\"\n", 0, ": ok"},
		{"missing CA", "url = \"https://10.14.0.2\"\nca_file = \"county-ca.pem\"\n", 1, ":9: upstream.ca_file: cannot read "},
	}
	for _, tc := range tests {
		path := filepath.Join(t.TempDir(), "gridkiosk.toml")
		os.WriteFile(path, []byte(head+tc.upstream), 0o600)
		var out bytes.Buffer
		code := realMain([]string{"config", "check", "--config", path}, &out, &out)
		if code != tc.code || !strings.Contains(out.String(), tc.out) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s", tc.name, code, tc.code, tc.out, out.String())
		}
	}
}
