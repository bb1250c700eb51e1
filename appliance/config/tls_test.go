package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"testing"
	"time"
)

// Two well-formed pins: the SHA-256 of "a" and of "b", in base64.
const (
	pinA = "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="
	pinB = "sha256/PiPoFgA5WUoziU9lZOGxNIu9egCI1CxKy3PurtWcAJ0="
)

// The upstream lines below follow station and "[upstream]", so the first
// is line 9.
func TestUpstreamTransport(t *testing.T) {
	const tok = "token_file = \"/etc/gridkiosk/upstream.token\"\n"
	tests := []struct {
		name, lines string
		key         string // "" for a valid config
		line        int
		msg         string
	}{
		{"loopback v4", "url = \"http://127.0.0.1:8080\"\n" + tok, "", 0, ""},
		{"loopback v4 net", "url = \"http://127.0.0.2:8080\"\n" + tok, "", 0, ""},
		{"loopback v6", "url = \"http://[::1]:8080/hub\"\n" + tok, "", 0, ""},
		{"localhost", "url = \"http://localhost:8080\"\n" + tok, "", 0, ""},
		{"lan http", "url = \"http://10.14.0.2:8080\"\n" + tok,
			"upstream.url", 9, "unencrypted to another machine; use https:// (with upstream.ca_file for a county CA), or set upstream.insecure_http = true"},
		{"named http", "url = \"http://hub.xiangning.gov.cn\"\n" + tok, "upstream.url", 9, "upstream.insecure_http = true"},
		{"lan http stated", "url = \"http://10.14.0.2:8080\"\n" + tok + "insecure_http = true\n", "", 0, ""},
		{"https insecure", "url = \"https://10.14.0.2\"\n" + tok + "insecure_http = true\n", "upstream.insecure_http", 11, "upstream.url is https://"},
		{"https ca add", "url = \"https://10.14.0.2\"\n" + tok + "ca_file = \"county-ca.pem\"\n", "", 0, ""},
		{"https ca replace", "url = \"https://10.14.0.2\"\n" + tok + "ca_file = \"/etc/gridkiosk/county-ca.pem\"\nca_mode = \"replace\"\n", "", 0, ""},
		{"bad ca mode", "url = \"https://10.14.0.2\"\n" + tok + "ca_mode = \"only\"\n", "upstream.ca_mode", 11, `"only" is not a CA mode: use "add"`},
		{"replace without ca", "url = \"https://10.14.0.2\"\n" + tok + "ca_mode = \"replace\"\n", "upstream.ca_mode", 11, `"replace" needs upstream.ca_file`},
		{"ca file on http", "url = \"http://127.0.0.1:8080\"\n" + tok + "ca_file = \"ca.pem\"\n", "upstream.ca_file", 11, "upstream.url is http://"},
		{"pins", "url = \"https://hub\"\n" + tok + "pin_sha256 = [\"" + pinA + "\", \"" + pinB + "\"]\n", "", 0, ""},
		{"empty pins", "url = \"https://hub\"\n" + tok + "pin_sha256 = []\n", "", 0, ""},
		{"bad pin", "url = \"https://hub\"\n" + tok + "pin_sha256 = [\"" + pinA + "\", \"d41d8cd98f00b204\"]\n",
			"upstream.pin_sha256", 11, `pin 2: "d41d8cd98f00b204" is not a base64 SHA-256 key digest`},
		{"pin not array", "url = \"https://hub\"\n" + tok + "pin_sha256 = \"" + pinA + "\"\n",
			"upstream.pin_sha256", 11, "must be an array of strings"},
		{"pin numbers", "url = \"https://hub\"\n" + tok + "pin_sha256 = [1, 2]\n",
			"upstream.pin_sha256", 11, "not an array holding an integer"},
		{"pin on http", "url = \"http://127.0.0.1\"\n" + tok + "pin_sha256 = [\"" + pinA + "\"]\n", "upstream.pin_sha256", 11, "no keys to pin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(station+"[upstream]\n"+tt.lines), "gridkiosk.toml")
			if tt.key == "" {
				if err != nil {
					t.Fatalf("want no error, got:\n%v", err)
				}
				return
			}
			assertError(t, err, tt.key, tt.line, tt.msg)
		})
	}
}

func TestTLSMode(t *testing.T) {
	tests := []struct {
		u    Upstream
		want string
	}{
		{Upstream{}, ""},
		{Upstream{URL: "http://127.0.0.1:8080"}, "loopback_http"},
		{Upstream{URL: "http://[::1]:8080"}, "loopback_http"},
		{Upstream{URL: "http://10.14.0.2", InsecureHTTP: true}, "insecure_http"},
		{Upstream{URL: "https://hub.example.org"}, "tls"},
		{Upstream{URL: "https://10.14.0.2", CAFile: "/etc/ca.pem"}, "tls+ca_file"},
		{Upstream{URL: "https://10.14.0.2", CAFile: "/etc/ca.pem", PinSHA256: []string{pinA}}, "pinned"},
		{Upstream{URL: "https://hub.example.org", PinSHA256: []string{pinA}}, "pinned"},
	}
	for _, tt := range tests {
		if got := tt.u.TLSMode(); got != tt.want {
			t.Errorf("TLSMode(%+v) = %q, want %q", tt.u, got, tt.want)
		}
	}
}

// Check looks into the CA file a config names, and says where it is named.
func TestCheckCAFile(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	write(t, filepath.Join(dir, "good.pem"), string(caPEM(t, now.Add(365*24*time.Hour))))
	write(t, filepath.Join(dir, "old.pem"), string(caPEM(t, now.Add(-time.Hour))))
	write(t, filepath.Join(dir, "key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	write(t, filepath.Join(dir, "junk.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	tests := []struct{ caFile, msg string }{
		{"good.pem", ""},
		{filepath.Join(dir, "good.pem"), ""},
		{"missing.pem", filepath.Join(dir, "missing.pem") + ": no such file or directory"},
		{"old.pem", "certificate 1 (CN=Xiangning County CA) expired on"},
		{"key.pem", "holds no PEM certificate"},
		{"junk.pem", "certificate 1 does not parse"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, "gridkiosk.toml")
		write(t, path, station+"[upstream]\nurl = \"https://10.14.0.2\"\ntoken_file = \"t\"\n\nca_file = \""+tt.caFile+"\"\n")
		c, err := Check(path, now)
		if tt.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.caFile, err)
			} else if c.Upstream.CAFile != filepath.Join(dir, "good.pem") {
				t.Errorf("%s: ca_file = %q, want it resolved beside the config", tt.caFile, c.Upstream.CAFile)
			}
			continue
		}
		assertError(t, err, "upstream.ca_file", 12, tt.msg)
		if e := errorsOf(t, err); len(e) == 1 && e[0].File != path {
			t.Errorf("%s: error names file %q, want %q", tt.caFile, e[0].File, path)
		}
	}
}

// caPEM is a self-signed CA certificate valid until notAfter.
func caPEM(t *testing.T, notAfter time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Xiangning County CA"},
		NotBefore: notAfter.Add(-48 * time.Hour), NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
