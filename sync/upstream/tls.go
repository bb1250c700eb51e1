package upstream

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/spki"
)

// Trust is how the station decides that it is talking to its hub: which
// CAs may sign the hub's certificate and, optionally, which keys the hub's
// chain must hold. A county network often has its own CA, which the
// system's roots do not know.
type Trust struct {
	// Host is the hub's host as upstream.url names it; the certificate
	// must be for it.
	Host string
	// CAFile is a PEM bundle of CA certificates (upstream.ca_file). It is
	// read at every new connection, so that a technician can replace it
	// without a restart, and a missing or broken file is an alert rather
	// than a station that does not start.
	CAFile string
	// ReplaceRoots trusts CAFile alone instead of adding it to the
	// system's roots (upstream.ca_mode = "replace").
	ReplaceRoots bool
	// Pins are SHA-256 digests of SubjectPublicKeyInfo (upstream.pin_sha256).
	// With any, some certificate in a verified chain (the hub's own, an
	// intermediate or the root) must have one of these keys, so that a
	// pin on the county CA survives the hub's certificate renewals.
	Pins [][sha256.Size]byte
	// Now is the time certificates are checked at; default time.Now.
	Now func() time.Time
}

// TLSError is a hub whose identity could not be established: its
// certificate or key was refused, or it does not speak TLS. It says which
// setting to look at; it is not fixed by waiting.
type TLSError struct {
	Msg string
	Err error // the underlying error, if any
}

func (e *TLSError) Error() string { return "upstream: TLS: " + e.Msg }

func (e *TLSError) Unwrap() error { return e.Err }

// IsTLS reports whether err is, or wraps, a *TLSError.
func IsTLS(err error) bool {
	var te *TLSError
	return errors.As(err, &te)
}

// NewHTTPClient returns a client for the hub that checks its identity by
// t, with the given overall timeout per request.
func NewHTTPClient(timeout time.Duration, t *Trust) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = t.TLSConfig()
	return &http.Client{Timeout: timeout, Transport: tr}
}

// TLSConfig returns a client configuration that verifies the hub by t.
func (t *Trust) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The chain is verified, fully, in VerifyConnection instead of by
		// crypto/tls: there the CA file can be read afresh and a refusal
		// can name the setting a technician has to change. crypto/tls
		// still checks that the hub holds the certificate's key.
		InsecureSkipVerify: true,
		VerifyConnection:   t.verify,
	}
}

func (t *Trust) verify(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return &TLSError{Msg: "the hub sent no certificate"}
	}
	leaf := cs.PeerCertificates[0]
	roots, err := t.roots()
	if err != nil {
		return err
	}
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	opts := x509.VerifyOptions{Roots: roots, DNSName: t.Host, CurrentTime: now, Intermediates: x509.NewCertPool()}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	chains, err := leaf.Verify(opts)
	if err != nil {
		return t.explain(err, leaf, now)
	}
	if len(t.Pins) == 0 {
		return nil
	}
	var seen []string
	for _, chain := range chains {
		for _, c := range chain {
			sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
			for _, p := range t.Pins {
				if sum == p {
					return nil
				}
			}
			if s := spki.Of(c) + " (" + name(c) + ")"; !slices.Contains(seen, s) {
				seen = append(seen, s)
			}
		}
	}
	return &TLSError{Msg: "hub key does not match upstream.pin_sha256; the hub's chain has the keys " + strings.Join(seen, ", ") +
		": if the hub's key was changed on purpose, add its pin"}
}

// roots returns the CAs the hub's certificate may chain to; nil means the
// system's.
func (t *Trust) roots() (*x509.CertPool, error) {
	if t.CAFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(t.CAFile)
	if err != nil {
		return nil, &TLSError{Msg: "cannot read upstream.ca_file: " + err.Error(), Err: err}
	}
	pool := x509.NewCertPool()
	if !t.ReplaceRoots {
		if sys, err := x509.SystemCertPool(); err == nil {
			pool = sys
		}
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &TLSError{Msg: "upstream.ca_file " + t.CAFile + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"}
	}
	return pool, nil
}

// explain turns a failed chain verification into what a technician needs
// to know: which setting or which clock to look at.
func (t *Trust) explain(err error, leaf *x509.Certificate, now time.Time) error {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var msg string
	switch {
	case errors.As(err, &ua):
		signers := "a CA this station trusts (the system's; set upstream.ca_file for a county CA)"
		switch {
		case t.CAFile != "" && t.ReplaceRoots:
			signers = "upstream.ca_file " + t.CAFile
		case t.CAFile != "":
			signers = "upstream.ca_file " + t.CAFile + " or a system CA"
		}
		msg = fmt.Sprintf("hub certificate (%s, issued by %s) is not signed by %s", name(leaf), issuer(leaf), signers)
	case errors.As(err, &he):
		var names []string
		names = append(names, leaf.DNSNames...)
		for _, ip := range leaf.IPAddresses {
			names = append(names, ip.String())
		}
		msg = fmt.Sprintf("hub certificate is for %s, not for %s, the host in upstream.url", orNone(names), t.Host)
	case errors.As(err, &ci) && ci.Reason == x509.Expired && now.Before(ci.Cert.NotBefore):
		msg = fmt.Sprintf("certificate %s is valid only from %s but the station's clock reads %s: check the clock",
			name(ci.Cert), ci.Cert.NotBefore.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		msg = fmt.Sprintf("certificate %s expired on %s (the station's clock reads %s)",
			name(ci.Cert), ci.Cert.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	default:
		msg = "hub certificate refused: " + err.Error()
	}
	return &TLSError{Msg: msg, Err: err}
}

// explainTLS names the mistake when a hub reached over https:// does not
// answer in TLS at all; other errors are returned as they are.
func explainTLS(err error) error {
	var rh tls.RecordHeaderError
	// net/http replaces the RecordHeaderError of a hub that answered in
	// HTTP with an error of its own that wraps nothing.
	if errors.As(err, &rh) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return &TLSError{Msg: "the hub did not answer in TLS: is upstream.url https:// to a port that serves plain http?", Err: err}
	}
	return err
}

// name is how a certificate is named in messages.
func name(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName
	}
	return c.Subject.String()
}

func issuer(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return "CN=" + c.Issuer.CommonName
	}
	return c.Issuer.String()
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "no host name"
	}
	return strings.Join(names, ", ")
}
