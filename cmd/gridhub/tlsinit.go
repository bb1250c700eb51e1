package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/spki"
	"github.com/gridkiosk/gridkiosk/sync/hub/hubtls"
)

const day = 24 * time.Hour

// tlsCmd makes the county's own CA and the hub's certificate (init), or a
// new hub certificate from that CA (renew).
func tlsCmd(args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "init" && args[0] != "renew") {
		return errors.New("tls: want init or renew")
	}
	sub := args[0]
	fs := flag.NewFlagSet("tls "+sub, flag.ContinueOnError)
	dir := fs.String("dir", "", "directory for ca.pem, ca.key, hub.pem and hub.key (required)")
	hosts := fs.String("host", "", "the hub's names and IP addresses as the stations' upstream.url names it, comma-separated (required)")
	name := fs.String("name", "gridkiosk county CA", "init: the CA's name, e.g. \"Xiangning County gridkiosk CA\"")
	caDays := fs.Int("ca-days", 20*365, "init: days the CA is valid")
	days := fs.Int("days", 5*365, "days the hub certificate is valid (at most as long as the CA)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("tls %s: unexpected argument %q", sub, fs.Arg(0))
	case *dir == "":
		return fmt.Errorf("tls %s: --dir is required", sub)
	case *hosts == "":
		return fmt.Errorf("tls %s: --host is required (e.g. --host hub.xiangning.local,10.14.0.2)", sub)
	case *days < 1 || *caDays < 1:
		return fmt.Errorf("tls %s: --days and --ca-days must be at least 1", sub)
	}
	// Before anything is written, so that a typo leaves no half-made CA.
	if _, _, err := hubtls.ParseHosts(strings.Split(*hosts, ",")); err != nil {
		return fmt.Errorf("tls %s: --host: %w", sub, err)
	}
	f := tlsFiles{dir: *dir}
	now := time.Now()
	var ca *hubtls.CA
	var err error
	if sub == "init" {
		if ca, err = f.init(*name, now, time.Duration(*caDays)*day); err != nil {
			return fmt.Errorf("tls init: %w", err)
		}
	} else if ca, err = hubtls.LoadCA(f.path("ca.pem"), f.path("ca.key")); err != nil {
		return fmt.Errorf("tls renew: %w (make the CA first with gridhub tls init)", err)
	}
	leaf, err := f.issue(ca, strings.Split(*hosts, ","), now, time.Duration(*days)*day, sub == "renew")
	if err != nil {
		return fmt.Errorf("tls %s: %w", sub, err)
	}
	f.report(stdout, ca, leaf, sub == "init")
	return nil
}

// tlsFiles are the files of one county's CA and hub certificate.
type tlsFiles struct{ dir string }

func (f tlsFiles) path(name string) string { return filepath.Join(f.dir, name) }

// init makes the CA; it never overwrites a CA, whose loss would strand
// every station that trusts it.
func (f tlsFiles) init(name string, now time.Time, validity time.Duration) (*hubtls.CA, error) {
	for _, n := range []string{"ca.pem", "ca.key", "hub.pem", "hub.key"} {
		if _, err := os.Lstat(f.path(n)); err == nil {
			return nil, fmt.Errorf("%s already exists; use gridhub tls renew for a new hub certificate from that CA, or another --dir", f.path(n))
		}
	}
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return nil, err
	}
	ca, err := hubtls.NewCA(name, now, validity)
	if err != nil {
		return nil, err
	}
	key, err := hubtls.KeyPEM(ca.Key)
	if err != nil {
		return nil, err
	}
	if err := hubtls.WriteNew(f.path("ca.key"), key, 0o600); err != nil {
		return nil, err
	}
	if err := hubtls.WriteNew(f.path("ca.pem"), hubtls.CertPEM(ca.Cert), 0o644); err != nil {
		return nil, err
	}
	return ca, nil
}

// issue writes a hub certificate and its new key. A renewal replaces the
// old pair by renaming, so that a running hub never reads half a file.
func (f tlsFiles) issue(ca *hubtls.CA, hosts []string, now time.Time, validity time.Duration, replace bool) (*x509.Certificate, error) {
	leaf, key, err := ca.Issue(hosts, now, validity)
	if err != nil {
		return nil, err
	}
	keyPEM, err := hubtls.KeyPEM(key)
	if err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data []byte
		perm os.FileMode
	}{{"hub.key", keyPEM, 0o600}, {"hub.pem", hubtls.CertPEM(leaf), 0o644}}
	for _, w := range files {
		if !replace {
			if err := hubtls.WriteNew(f.path(w.name), w.data, w.perm); err != nil {
				return nil, err
			}
			continue
		}
		tmp := f.path(w.name + ".new")
		os.Remove(tmp)
		if err := hubtls.WriteNew(tmp, w.data, w.perm); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, f.path(w.name)); err != nil {
			return nil, err
		}
	}
	return leaf, nil
}

// report says what was written and what to put in the stations' config.
func (f tlsFiles) report(w io.Writer, ca *hubtls.CA, leaf *x509.Certificate, made bool) {
	if made {
		fmt.Fprintf(w, "wrote %s  the CA's certificate: copy it to every station\n", f.path("ca.pem"))
		fmt.Fprintf(w, "wrote %s  the CA's private key (mode 0600): keep it off the network; it makes hub certificates\n", f.path("ca.key"))
	}
	names := append([]string{}, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	fmt.Fprintf(w, "wrote %s  the hub's certificate for %s, valid until %s\n", f.path("hub.pem"), strings.Join(names, ", "), leaf.NotAfter.UTC().Format(time.DateOnly))
	fmt.Fprintf(w, "wrote %s  its private key (mode 0600)\n\n", f.path("hub.key"))
	fmt.Fprintf(w, "serve with:\n  gridhub serve --tls-cert %s --tls-key %s ...\n\n", f.path("hub.pem"), f.path("hub.key"))
	fmt.Fprintf(w, "station config, with ca.pem copied to /etc/gridkiosk/county-ca.pem:\n")
	fmt.Fprintf(w, "  [upstream]\n  url = \"https://%s\"\n  ca_file = \"/etc/gridkiosk/county-ca.pem\"\n  ca_mode = \"replace\"\n", names[0])
	fmt.Fprintf(w, "  # optional: pin the CA's key, which stays when the hub's certificate is renewed\n")
	fmt.Fprintf(w, "  pin_sha256 = [\"%s\"]\n\n", spki.Of(ca.Cert))
	fmt.Fprintf(w, "the hub's own key pin (changes with every renewal): %s\n", spki.Of(leaf))
}
