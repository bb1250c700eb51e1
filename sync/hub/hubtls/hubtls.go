// Package hubtls makes a county's own certificate authority and the hub's
// server certificate under it, for county networks where the hub has no
// certificate from a public CA. Stations trust the CA through
// upstream.ca_file (and may pin its key), so the hub's certificate can be
// renewed, with a new key, without touching a station.
package hubtls

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"strings"
	"time"
)

// Backdate is how far before its making a certificate is valid from. A
// station board without a battery-backed clock boots at the time it was
// last shut down; a certificate made since then would look not yet valid
// to it until NTP or the hub's Date header set the clock, and the hub
// cannot be asked while its certificate is refused.
const Backdate = 30 * 24 * time.Hour

// CA is a certificate authority: its certificate and private key.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// NewCA makes a CA named name, valid for the given time from now.
func NewCA(name string, now time.Time, validity time.Duration) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("hubtls: CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-Backdate),
		NotAfter:              now.Add(validity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		// The CA signs server certificates and nothing under them.
		MaxPathLenZero: true,
		KeyUsage:       x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("hubtls: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("hubtls: CA certificate: %w", err)
	}
	return &CA{Cert: cert, Key: key}, nil
}

// LoadCA reads a CA's certificate and key, as WriteFiles wrote them.
func LoadCA(certFile, keyFile string) (*CA, error) {
	cert, err := readCert(certFile)
	if err != nil {
		return nil, err
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("hubtls: %s is not a CA certificate", certFile)
	}
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("hubtls: CA key: %w", err)
	}
	b, _ := pem.Decode(raw)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("hubtls: %s holds no PEM \"PRIVATE KEY\"", keyFile)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("hubtls: %s: %w", keyFile, err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok || !publicEqual(signer.Public(), cert.PublicKey) {
		return nil, fmt.Errorf("hubtls: %s is not the key of %s", keyFile, certFile)
	}
	return &CA{Cert: cert, Key: signer}, nil
}

// Issue makes a server certificate for hosts (names or IP addresses, as
// the stations' upstream.url will name the hub), with a new key, valid for
// the given time from now but never past the CA.
func (ca *CA) Issue(hosts []string, now time.Time, validity time.Duration) (*x509.Certificate, crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("hubtls: hub key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    now.Add(-Backdate),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	if tmpl.DNSNames, tmpl.IPAddresses, err = ParseHosts(hosts); err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("hubtls: hub certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("hubtls: hub certificate: %w", err)
	}
	return cert, key, nil
}

// ParseHosts sorts the hosts a certificate is for into names and IP
// addresses, and refuses what is neither, such as a URL.
func ParseHosts(hosts []string) (names []string, ips []net.IP, err error) {
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		switch ip := net.ParseIP(h); {
		case ip != nil:
			ips = append(ips, ip)
		case h == "" || strings.ContainsAny(h, "/: "):
			return nil, nil, fmt.Errorf("hubtls: %q is not a host name or IP address (write hub.example.org or 10.14.0.2, without scheme or port)", h)
		default:
			names = append(names, h)
		}
	}
	if len(names)+len(ips) == 0 {
		return nil, nil, errors.New("hubtls: no host to issue the certificate for")
	}
	return names, ips, nil
}

// CertPEM encodes a certificate as PEM.
func CertPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// KeyPEM encodes a private key as PKCS #8 PEM.
func KeyPEM(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("hubtls: encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// WriteNew writes data to a file that must not exist yet, with mode perm:
// a CA key or a hub key that is overwritten by mistake cannot be had back.
func WriteNew(name string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("hubtls: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("hubtls: write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("hubtls: write %s: %w", name, err)
	}
	return f.Close()
}

func readCert(name string) (*x509.Certificate, error) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("hubtls: %w", err)
	}
	b, _ := pem.Decode(raw)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("hubtls: %s holds no PEM certificate", name)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("hubtls: %s: %w", name, err)
	}
	return c, nil
}

func publicEqual(a, b crypto.PublicKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}

// serial is a random 128-bit serial number, as RFC 5280 recommends over
// counting when there is no database of issued certificates.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		// crypto/rand does not fail on Linux; a fixed serial is still a
		// valid certificate.
		return big.NewInt(1)
	}
	return n.Add(n, big.NewInt(1))
}
