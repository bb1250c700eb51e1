package upstream_test

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/spki"
	"github.com/gridkiosk/gridkiosk/sync/hub/hubtls"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
)

// pki is a county CA and the hub certificate it issued, on disk the way a
// station and a hub find them.
type pki struct {
	ca     *hubtls.CA
	caFile string
	hub    tls.Certificate
	leaf   *x509.Certificate
}

func newPKI(t *testing.T, name string, hosts ...string) *pki {
	t.Helper()
	now := time.Now()
	ca, err := hubtls.NewCA(name, now, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, key, err := ca.Issue(hosts, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p := &pki{ca: ca, caFile: filepath.Join(t.TempDir(), "county-ca.pem"), leaf: leaf,
		hub: tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}}
	if err := os.WriteFile(p.caFile, hubtls.CertPEM(ca.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// serveTLS starts the rig's hub over TLS with cert and returns its URL.
func (r *rig) serveTLS(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	ln := tls.NewListener(listen(t, "127.0.0.1:0"), &tls.Config{Certificates: []tls.Certificate{cert}})
	t.Cleanup(r.serve(t, ln))
	return "https://" + ln.Addr().String()
}

// tlsRig is a forwarder that checks the hub by trust, against a hub
// serving cert.
func tlsRig(t *testing.T, cert tls.Certificate, trust *upstream.Trust) *rig {
	r := newRig(t, "")
	r.fwd.Client.BaseURL = r.serveTLS(t, cert)
	trust.Host = "127.0.0.1"
	r.fwd.Client.HTTP = upstream.NewHTTPClient(10*time.Second, trust)
	return r
}

func (r *rig) delivered(t *testing.T, n int) {
	t.Helper()
	waitFor(t, "queue to drain", func() bool { return r.box.Stats().Queued == 0 })
	if all, err := r.store.All(); err != nil || len(all) != n {
		t.Fatalf("hub holds %d records (%v), want %d", len(all), err, n)
	}
	if st := r.fwd.State(); st.Alert != "" || !st.Online {
		t.Errorf("after delivery: alert %q, online %v", st.Alert, st.Online)
	}
}

// A hub whose certificate comes from the county's own CA, and a hub whose
// key is pinned, both get the records.
func TestTLSDelivers(t *testing.T) {
	p := newPKI(t, "Xiangning County CA", "127.0.0.1", "hub.xiangning.local")
	pinOf := func(c *x509.Certificate) [32]byte {
		pin, err := spki.Parse(spki.Of(c))
		if err != nil {
			t.Fatal(err)
		}
		return pin
	}
	other := newPKI(t, "Another CA", "127.0.0.1")
	tests := []struct {
		name  string
		trust upstream.Trust
	}{
		{"ca_file replacing the system roots", upstream.Trust{CAFile: p.caFile, ReplaceRoots: true}},
		{"ca_file added to the system roots", upstream.Trust{CAFile: p.caFile}},
		{"hub key pinned", upstream.Trust{CAFile: p.caFile, Pins: [][32]byte{pinOf(p.leaf)}}},
		{"CA key pinned, among others", upstream.Trust{CAFile: p.caFile, ReplaceRoots: true,
			Pins: [][32]byte{pinOf(other.leaf), pinOf(p.ca.Cert)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tlsRig(t, p.hub, &tt.trust)
			r.put(t, 1, 21, "matter")
			r.run(t)
			r.delivered(t, 20)
		})
	}
}

// A hub the station cannot trust gets nothing: the records stay queued,
// the forwarder raises an alert that names the setting to look at, and
// once the setting is mended (the CA file replaced, no restart) they go.
func TestTLSRefused(t *testing.T) {
	p := newPKI(t, "Xiangning County CA", "127.0.0.1")
	wrongCA := newPKI(t, "Some Other CA", "127.0.0.1")
	elsewhere := newPKI(t, "Xiangning County CA", "10.14.0.2", "hub.xiangning.local")
	pin, _ := spki.Parse(spki.Of(wrongCA.leaf))
	missing := filepath.Join(t.TempDir(), "county-ca.pem")
	tests := []struct {
		name  string
		cert  tls.Certificate
		trust upstream.Trust
		alert string
	}{
		{"wrong CA", p.hub, upstream.Trust{CAFile: wrongCA.caFile, ReplaceRoots: true},
			"hub certificate (CN=127.0.0.1, issued by CN=Xiangning County CA) is not signed by upstream.ca_file " + wrongCA.caFile},
		{"wrong CA added to the system's", p.hub, upstream.Trust{CAFile: wrongCA.caFile},
			"is not signed by upstream.ca_file " + wrongCA.caFile + " or a system CA"},
		{"no ca_file", p.hub, upstream.Trust{},
			"is not signed by a CA this station trusts (the system's; set upstream.ca_file for a county CA)"},
		{"wrong pin", p.hub, upstream.Trust{CAFile: p.caFile, Pins: [][32]byte{pin}},
			"hub key does not match upstream.pin_sha256; the hub's chain has the keys " + spki.Of(p.leaf) + " (CN=127.0.0.1), " +
				spki.Of(p.ca.Cert) + " (CN=Xiangning County CA)"},
		{"other host", elsewhere.hub, upstream.Trust{CAFile: elsewhere.caFile},
			"hub certificate is for hub.xiangning.local, 10.14.0.2, not for 127.0.0.1, the host in upstream.url"},
		{"CA file missing", p.hub, upstream.Trust{CAFile: missing}, "cannot read upstream.ca_file: open " + missing},
		{"clock behind", p.hub, upstream.Trust{CAFile: p.caFile, Now: func() time.Time { return time.Now().AddDate(-1, 0, 0) }},
			"is valid only from"},
		{"clock ahead", p.hub, upstream.Trust{CAFile: p.caFile, Now: func() time.Time { return time.Now().Add(2 * time.Hour) }},
			"certificate CN=127.0.0.1 expired on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tlsRig(t, tt.cert, &tt.trust)
			r.put(t, 1, 6, "matter")
			r.run(t)
			waitFor(t, "a TLS alert", func() bool { return r.fwd.State().Failures[upstream.CauseTLS] >= 2 })
			st := r.fwd.State()
			if !strings.HasPrefix(st.Alert, "上级平台身份校验失败 / the hub's identity was refused: upstream: TLS: ") ||
				!strings.Contains(st.Alert, tt.alert) {
				t.Errorf("alert = %q\nwant it to say %q", st.Alert, tt.alert)
			}
			if st.Online || st.Failures[upstream.CauseNetwork] != 0 {
				t.Errorf("state = %+v", st)
			}
			if all, _ := r.store.All(); len(all) != 0 || r.box.Stats().Queued != 5 {
				t.Fatalf("hub holds %d records and %d are queued, want 0 and 5", len(all), r.box.Stats().Queued)
			}
			if r.hits.Load() != 0 {
				t.Errorf("the refused hub was sent %d requests", r.hits.Load())
			}
		})
	}
}

// Replacing the CA file mends a refused hub without a restart.
func TestTLSCAFileReplaced(t *testing.T) {
	p := newPKI(t, "Xiangning County CA", "127.0.0.1")
	wrongCA := newPKI(t, "Some Other CA", "127.0.0.1")
	caFile := filepath.Join(t.TempDir(), "county-ca.pem")
	if err := os.WriteFile(caFile, hubtls.CertPEM(wrongCA.ca.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	r := tlsRig(t, p.hub, &upstream.Trust{CAFile: caFile, ReplaceRoots: true})
	r.put(t, 1, 4, "matter")
	r.run(t)
	waitFor(t, "a TLS alert", func() bool { return strings.Contains(r.fwd.State().Alert, "not signed by upstream.ca_file") })
	if err := os.WriteFile(caFile, hubtls.CertPEM(p.ca.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	r.fwd.Retry()
	r.delivered(t, 3)
}

// An https:// URL to a port that serves plain HTTP is named as such.
func TestTLSToPlainHTTP(t *testing.T) {
	r := newRig(t, "")
	ln := listen(t, "127.0.0.1:0")
	t.Cleanup(r.serve(t, ln))
	r.fwd.Client.BaseURL = "https://" + ln.Addr().String()
	r.fwd.Client.HTTP = upstream.NewHTTPClient(10*time.Second, &upstream.Trust{Host: "127.0.0.1"})
	r.put(t, 1, 2, "matter")
	r.run(t)
	waitFor(t, "a TLS alert", func() bool { return r.fwd.State().Alert != "" })
	if a := r.fwd.State().Alert; !strings.Contains(a, "the hub did not answer in TLS: is upstream.url https:// to a port that serves plain http?") {
		t.Errorf("alert = %q", a)
	}
}
