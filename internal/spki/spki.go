// Package spki reads and writes public-key pins: the base64 SHA-256 of a
// key's DER SubjectPublicKeyInfo (HPKP's pin-sha256, curl's
// --pinnedpubkey). It is a leaf so that the config check, the station's
// hub client and gridhub's tls init all read a pin one way without the
// config importing the client.
package spki

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
)

// Parse reads a pin, with or without curl's "sha256//" prefix.
func Parse(s string) ([sha256.Size]byte, error) {
	var pin [sha256.Size]byte
	b64 := strings.TrimPrefix(strings.TrimPrefix(s, "sha256//"), "sha256/")
	raw, err := base64.StdEncoding.Strict().DecodeString(b64)
	// The decoder skips CR and LF even when strict: a pin read back must
	// be the pin written, or two spellings would name one key.
	if err != nil || len(raw) != sha256.Size || base64.StdEncoding.EncodeToString(raw) != b64 {
		return pin, fmt.Errorf(`%q is not a base64 SHA-256 key digest (44 characters ending in "=", as "gridhub tls init" prints)`, s)
	}
	copy(pin[:], raw)
	return pin, nil
}

// Of returns the pin of cert's public key, in the form Parse reads.
func Of(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}
