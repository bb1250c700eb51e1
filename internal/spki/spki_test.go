package spki_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/spki"
)

func TestParse(t *testing.T) {
	const b64 = "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="
	for _, s := range []string{b64, "sha256/" + b64, "sha256//" + b64} {
		if _, err := spki.Parse(s); err != nil {
			t.Errorf("Parse(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSL", "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", "sha1/" + b64} {
		if _, err := spki.Parse(s); err == nil || !strings.Contains(err.Error(), "is not a base64 SHA-256 key digest") {
			t.Errorf("Parse(%q) = %v, want a refusal", s, err)
		}
	}
}

// Of is what openssl prints for the same key: the SHA-256 of the DER
// SubjectPublicKeyInfo, in base64.
func TestOfIsSPKI(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hub"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	want, err := spki.Parse(spki.Of(cert))
	if err != nil {
		t.Fatal(err)
	}
	if got := sha256.Sum256(pub); got != want {
		t.Fatal("Of is not the SHA-256 of the SubjectPublicKeyInfo")
	}
}

// A pin Parse accepts is exactly 32 bytes that Of's encoding gives back;
// anything else is refused with a message, never a panic.
func FuzzParse(f *testing.F) {
	f.Add("ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=")
	f.Add("sha256//ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=")
	f.Add("sha256/")
	f.Add("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
	f.Fuzz(func(t *testing.T, s string) {
		pin, err := spki.Parse(s)
		if err != nil {
			if !strings.Contains(err.Error(), "is not a base64 SHA-256 key digest") {
				t.Fatalf("Parse(%q): %v", s, err)
			}
			return
		}
		b64 := strings.TrimPrefix(strings.TrimPrefix(s, "sha256//"), "sha256/")
		if got := base64.StdEncoding.EncodeToString(pin[:]); got != b64 {
			t.Fatalf("Parse(%q) = %s, which is not what was written", s, got)
		}
	})
}
