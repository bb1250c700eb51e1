package config

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/secretfile"
)

// RedactURL is a URL as it may appear in a log or a message: without a
// user name and password, query or fragment, any of which may carry a
// credential. A URL that does not parse is not shown at all when it has
// an '@' in it.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") {
			return "(a URL that does not parse, not shown: it may hold a password)"
		}
		return raw
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

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
	var errs []error
	add := func(key, msg string) { errs = append(errs, KeyError(path, key, msg)) }
	if c.Upstream.CAFile != "" && c.Upstream.URL != "" {
		if msg := checkCAFile(c.Upstream.CAFile, now); msg != "" {
			add("upstream.ca_file", msg)
		}
	}
	// The secrets, by the rule the station reads them by. A file not
	// there yet is no problem here: provisioning installs the hub's
	// token after the check, and the station makes its own.
	if tf := c.Upstream.TokenFile; tf != "" && c.Upstream.URL != "" {
		if msg := checkSecret(tf); msg != "" {
			add("upstream.token_file", msg)
		}
	}
	for _, name := range []string{"admin.token", "station.key"} {
		if msg := checkSecret(filepath.Join(c.Storage.Dir, name)); msg != "" {
			add("storage.dir", msg)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// checkSecret says what is wrong with a secret file, or "" when it is
// fine or not there.
func checkSecret(name string) string {
	fi, err := os.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ""
	case err != nil:
		return fmt.Sprintf("cannot read %s: %v", name, errors.Unwrap(err))
	}
	if err := secretfile.Check(name, fi); err != nil {
		return err.Error()
	}
	return ""
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

// KeyError is a problem with what a key of the file at path names (a
// directory, a file it points to), found after the file was loaded: it
// carries the key's line when the file sets the key, so a technician
// goes straight to it. path may be empty (a configuration built in
// memory, as the simulation's).
func KeyError(path, key, msg string) *Error {
	e := &Error{File: path, Key: key, Msg: msg}
	if path == "" {
		return e
	}
	if data, err := os.ReadFile(path); err == nil {
		if doc, serr := scan(data, newSchema()); serr == nil {
			e.Line = doc.line(key)
		}
	}
	return e
}
