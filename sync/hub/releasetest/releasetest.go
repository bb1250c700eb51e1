// Package releasetest makes RAUC bundles for the hub's release tests:
// real ones, signed by RAUC itself with a throwaway key, and framed
// fakes for tests that only move bytes.
package releasetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Fake returns n bytes framed like a RAUC bundle (hub.CheckBundle takes
// it) that RAUC itself would refuse: the squashfs magic and superblock,
// seeded filler, a DER SEQUENCE where the CMS signature goes and its size
// at the end. n is at least 256.
func Fake(n int, seed byte) []byte {
	n = max(n, 256)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	copy(b, "hsqs")
	const sig = 100
	sigAt := n - 8 - sig
	binary.LittleEndian.PutUint64(b[40:48], uint64(sigAt))
	b[sigAt], b[sigAt+1] = 0x30, sig-2
	binary.BigEndian.PutUint64(b[n-8:], sig)
	return b
}

// Bundle is a bundle RAUC made, and the certificate that signed it (a
// keyring for rauc info).
type Bundle struct {
	Path, Cert string
}

// Build makes a signed RAUC bundle (verity format) of version for
// compatible (e.g. "gridkiosk-amd64") in t's temporary directory, with
// an image of imageSize seeded bytes. It needs rauc and mksquashfs
// (Debian's rauc and squashfs-tools, which .ci/deps.sh test installs)
// and fails the test, saying so, without them.
func Build(t testing.TB, version, compatible string, imageSize int) Bundle {
	t.Helper()
	for _, tool := range []string{"rauc", "mksquashfs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("releasetest: %s is not installed: apt-get install rauc squashfs-tools (make deps-test)", tool)
		}
	}
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := writeCert(cert, key); err != nil {
		t.Fatal(err)
	}
	content := filepath.Join(dir, "content")
	if err := os.Mkdir(content, 0o755); err != nil {
		t.Fatal(err)
	}
	// Incompressible, so that the bundle is about imageSize: RAUC
	// refuses a squashfs of one block.
	img := make([]byte, imageSize)
	rand.NewChaCha8([32]byte{byte(imageSize)}).Read(img)
	manifest := fmt.Sprintf("[update]\ncompatible=%s\nversion=%s\n\n[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=root.img\n", compatible, version)
	if err := os.WriteFile(filepath.Join(content, "root.img"), img, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(content, "manifest.raucm"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bundle.raucb")
	cmd := exec.Command("rauc", "bundle", "--cert", cert, "--key", key, content, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("releasetest: rauc bundle: %v\n%s", err, msg)
	}
	return Bundle{Path: out, Cert: cert}
}

// writeCert makes a self-signed P-256 signing certificate and its key.
func writeCert(certFile, keyFile string) error {
	k, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gridkiosk test bundles"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(crand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return err
	}
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600)
}
