package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/console"
	"github.com/gridkiosk/gridkiosk/sync/hub/statuspage"
	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

func serve(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	sf := addStoreFlags(fs)
	tokens := fs.String("tokens", "", "file of \"station_id token\" lines, besides the stations of gridhub station add")
	refdata := fs.String("refdata", "", "JSON file of reference data served to every station, instead of what gridhub refdata load kept")
	codeKey := fs.String("code-key", "", "signing key of appointment and staff codes (gridhub keygen); its public half is served with the reference data")
	tlsCert := fs.String("tls-cert", "", "TLS certificate (PEM, with its chain) to serve HTTPS; needs --tls-key (gridhub tls init makes one under a county CA)")
	tlsKey := fs.String("tls-key", "", "TLS private key (PEM) of --tls-cert")
	publicURL := fs.String("public-url", "", "the hub's address as residents' phones reach it (https://host[/path]): receipts print <public-url>/r/<record>?k=<key> and the hub serves that status page; stations learn it from the reference data")
	withConsole := fs.Bool("console", true, "serve the county's web console at /console/ on the same listener (accounts: gridhub user add)")
	maxConns := fs.Int("max-conns", hub.MaxConns, "connections kept open at most; when more come, the longest-waiting idle or slow ones are closed first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if err := sf.check(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if *maxConns < 1 {
		return fmt.Errorf("serve: --max-conns %d: give at least 1", *maxConns)
	}
	var public *url.URL
	if *publicURL != "" {
		var err error
		if public, err = receiptcode.ParseBase(*publicURL); err != nil {
			return fmt.Errorf("serve: --public-url: %w", err)
		}
	}
	srv := &hub.Server{Log: log}
	var err error
	if srv.Tokens, err = readTokens(*tokens); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	tlsConfig, err := loadTLS(*tlsCert, *tlsKey)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	getRefData, err := refDataSource(*refdata, *codeKey, public)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	store, err := sf.open(ctx, serving)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer store.Close()
	// PostgreSQL's records are partitioned by month; every hub on the
	// database keeps the coming months' partitions made.
	if ps, ok := store.(partitioned); ok {
		go ps.KeepPartitions(ctx, 24*time.Hour, time.Now, log)
	}
	srv.Store = store
	srv.RefData = func(station string) ([]byte, error) { return getRefData(store, station) }
	stations, err := store.Stations()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if len(stations)+len(srv.Tokens) == 0 {
		log.Warn("gridhub: no stations yet: add one with gridhub station add, or give --tokens FILE")
	}
	if err := checkReleaseFiles(store, log); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	mux, err := serveMux(srv, *withConsole, tlsConfig != nil, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if public != nil {
		page := &statuspage.Page{Records: store, RefData: srv.RefData, Log: log.With("component", "statuspage")}
		page.Register(mux, public.EscapedPath())
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	lim := hub.HTTPLimits(*maxConns)
	hs, gl := lim.Server(mux, ln, log)
	ln = gl
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(shut)
	}()
	log.Info("gridhub: serving", "addr", ln.Addr().String(), "tls", tlsConfig != nil, "store", sf.kind(),
		"stations", len(stations), "file_tokens", len(srv.Tokens), "max_conns", lim.MaxConns, "public_url", publicOf(public))
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// kind names the store for the log.
func (f storeFlags) kind() string {
	if *f.db != "" {
		return "postgres" // the DSN may hold a password: not logged
	}
	return "bbolt " + *f.data
}

// serveMux is the stations' contract, and the console beside it under
// /console/ when withConsole: one listener, so one TLS certificate and
// one port for the county's firewall. Other pages register on the same
// mux.
func serveMux(srv *hub.Server, withConsole, tls bool, log *slog.Logger) (*http.ServeMux, error) {
	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	if !withConsole {
		return mux, nil
	}
	c := &console.Console{Store: srv.Store, Log: log.With("component", "console"), Secure: tls}
	ch, err := c.Handler()
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	mux.Handle(console.Prefix, ch)
	users, err := srv.Store.Users()
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		log.Warn("gridhub: the console at /console/ has no accounts yet: add one with gridhub user add --role admin")
	}
	return mux, nil
}

// partitioned is a store whose records' partitions need upkeep.
type partitioned interface {
	KeepPartitions(ctx context.Context, interval time.Duration, now func() time.Time, log *slog.Logger)
}

// readTokens reads the tokens file, if there is one.
func readTokens(path string) (hub.Tokens, error) {
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	return hub.ParseTokens(raw, path)
}

// loadTLS loads the certificate and key, or returns nil without either.
func loadTLS(cert, key string) (*tls.Config, error) {
	switch {
	case cert == "" && key == "":
		return nil, nil
	case key == "":
		return nil, errors.New("--tls-cert needs --tls-key, the certificate's private key")
	case cert == "":
		return nil, errors.New("--tls-key needs --tls-cert, the certificate it belongs to")
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// publicOf is the public URL for the log, or "none".
func publicOf(u *url.URL) string {
	if u == nil {
		return "none (no status pages; receipts keep GK1:R: codes)"
	}
	return u.String()
}

// refDataSource returns how serve finds a station's reference data: the
// --refdata file when given, else the store; with the code key's public
// half and the station's own appointment ID-hash key attached when there
// is a key, and the hub's public URL when it has one.
func refDataSource(file, codeKey string, public *url.URL) (func(hub.RefDataStore, string) ([]byte, error), error) {
	var fixed []byte
	if file != "" {
		var err error
		if fixed, err = os.ReadFile(file); err != nil {
			return nil, fmt.Errorf("refdata: %w", err)
		}
		if err := wire.ValidateRefData(fixed); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	var signer *signedcode.Signer
	if codeKey != "" {
		s, err := signedcode.LoadSigner(codeKey)
		if err != nil {
			return nil, fmt.Errorf("--code-key: %w", err)
		}
		signer = &s
	}
	return func(s hub.RefDataStore, station string) ([]byte, error) {
		data := fixed
		if data == nil {
			var err error
			if data, err = hub.StationRefData(s, station); err != nil {
				return nil, err
			}
		}
		if public != nil {
			var err error
			if data, err = hub.AttachPublicURL(data, public.String()); err != nil {
				return nil, err
			}
		}
		if signer == nil {
			return data, nil
		}
		return signedcode.AttachKeys(data, signer.ForStation(station))
	}, nil
}

// checkReleaseFiles warns of releases whose bundle is missing or not the
// size it was added with (a data directory moved without its releases, a
// --releases directory not mounted): stations would be offered them and
// get 503 for the bundle.
func checkReleaseFiles(store hub.ReleaseStore, log *slog.Logger) error {
	rels, err := store.Releases()
	if err != nil {
		return err
	}
	for _, r := range rels {
		fi, err := os.Stat(r.Path)
		switch {
		case err != nil:
			log.Warn("gridhub: a release's bundle is missing: stations get 503 for it until it is back or added again (gridhub release add --replace)",
				"version", r.Version, "arch", r.Arch, "err", err)
		case fi.Size() != r.Size:
			log.Warn("gridhub: a release's bundle is not the size it was added with: it is not served (gridhub release add --replace)",
				"version", r.Version, "arch", r.Arch, "path", r.Path, "size", fi.Size(), "want", r.Size)
		}
	}
	return nil
}
