package hubtls

import (
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestIssueVerifies(t *testing.T) {
	now := time.Now()
	ca, err := NewCA("Xiangning County CA", now, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _, err := ca.Issue([]string{"hub.xiangning.local", " 10.14.0.2", "::1"}, now, 2*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(leaf.DNSNames, []string{"hub.xiangning.local"}) || len(leaf.IPAddresses) != 2 ||
		!leaf.IPAddresses[0].Equal(net.ParseIP("10.14.0.2")) {
		t.Errorf("names %v, addresses %v", leaf.DNSNames, leaf.IPAddresses)
	}
	if !leaf.NotAfter.Equal(ca.Cert.NotAfter) {
		t.Errorf("hub certificate valid until %v, past its CA's %v", leaf.NotAfter, ca.Cert.NotAfter)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	// A board that booted at its last shutdown, a week ago, still
	// accepts a certificate made today.
	for _, host := range []string{"hub.xiangning.local", "10.14.0.2", "::1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: host, CurrentTime: now.Add(-7 * 24 * time.Hour)}); err != nil {
			t.Errorf("verify for %s: %v", host, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "other.local"}); err == nil {
		t.Error("the certificate verifies for a host it does not name")
	}
}

func TestLoadCA(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	ca, err := NewCA("CA", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCA("Other", now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, leafKey, err := ca.Issue([]string{"hub"}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := WriteNew(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key, _ := KeyPEM(ca.Key)
	otherKey, _ := KeyPEM(other.Key)
	hubKey, _ := KeyPEM(leafKey)
	caPEM, keyFile := write("ca.pem", CertPEM(ca.Cert)), write("ca.key", key)
	got, err := LoadCA(caPEM, keyFile)
	if err != nil || !got.Cert.Equal(ca.Cert) {
		t.Fatalf("LoadCA: %v", err)
	}
	if _, _, err := got.Issue([]string{"hub"}, now, time.Hour); err != nil {
		t.Fatalf("a loaded CA cannot issue: %v", err)
	}
	tests := []struct{ cert, key, want string }{
		{caPEM, write("other.key", otherKey), "is not the key of"},
		{write("hub.pem", CertPEM(leaf)), write("hub.key", hubKey), "is not a CA certificate"},
		{caPEM, caPEM, `holds no PEM "PRIVATE KEY"`},
		{keyFile, keyFile, "holds no PEM certificate"},
		{filepath.Join(dir, "none.pem"), keyFile, "no such file"},
	}
	for _, tc := range tests {
		if _, err := LoadCA(tc.cert, tc.key); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadCA(%s, %s) = %v, want %q", filepath.Base(tc.cert), filepath.Base(tc.key), err, tc.want)
		}
	}
	if err := WriteNew(keyFile, []byte("x"), 0o600); err == nil {
		t.Error("WriteNew overwrote a file")
	}
	if b, _ := os.ReadFile(keyFile); string(b) != string(key) {
		t.Error("the CA key changed")
	}
}

func TestParseHosts(t *testing.T) {
	for _, bad := range [][]string{nil, {""}, {"https://hub"}, {"hub:8443"}, {"hub name"}} {
		if _, _, err := ParseHosts(bad); err == nil {
			t.Errorf("ParseHosts(%q) accepted", bad)
		}
	}
}
