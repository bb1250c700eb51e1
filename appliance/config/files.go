package config

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"
)

// Check loads the configuration file at path like Load and also looks at
// the files it names that the station reads later, so that a technician
// hears of a missing or wrong CA file at provisioning rather than from an
// alert once the kiosk is on site. Its problems carry file and line like
// those of Parse.
func Check(path string, now time.Time) (*Config, error) {
	c, err := Load(path)
	if err != nil {
		return nil, err
	}
	if c.Upstream.CAFile == "" || c.Upstream.URL == "" {
		return c, nil
	}
	msg := checkCAFile(c.Upstream.CAFile, now)
	if msg == "" {
		return c, nil
	}
	e := &Error{File: path, Key: "upstream.ca_file", Msg: msg}
	if data, err := os.ReadFile(path); err == nil {
		if doc, serr := scan(data, newSchema()); serr == nil {
			e.Line = doc.line(e.Key)
		}
	}
	return nil, errors.Join(e)
}

// checkCAFile says what is wrong with a CA bundle, or "".
func checkCAFile(name string, now time.Time) string {
	data, err := os.ReadFile(name)
	if err != nil {
		return fmt.Sprintf("cannot read %s: %v", name, errors.Unwrap(err))
	}
	n := 0
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		if block.Type != "CERTIFICATE" {
			continue
		}
		n++
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return fmt.Sprintf("%s: certificate %d does not parse: %v", name, n, err)
		}
		if now.After(cert.NotAfter) {
			return fmt.Sprintf("%s: certificate %d (CN=%s) expired on %s", name, n, cert.Subject.CommonName, cert.NotAfter.UTC().Format(time.DateOnly))
		}
	}
	if n == 0 {
		return fmt.Sprintf("%s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", name)
	}
	return ""
}
