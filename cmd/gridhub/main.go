// Command gridhub is the reference county hub: the upstream side of the
// gridkiosk sync contract (v1).
//
// Usage:
//
//	gridhub serve   --data DIR --tokens FILE [--listen ADDR] [--refdata FILE] [--code-key FILE]
//	gridhub records --data DIR
//	gridhub keygen  --out FILE [--id ID]
//	gridhub issue   appointment|staff --key FILE --station ID --name NAME ...
//	gridhub version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/sync/hub"
)

var version = "dev"

const usage = `gridhub — county hub for gridkiosk stations (sync contract v1)

Usage:
  gridhub serve   --data DIR --tokens FILE [--listen ADDR] [--refdata FILE] [--code-key FILE]
  gridhub records --data DIR        list the records the hub holds (no personal data)
  gridhub keygen  --out FILE        make the key appointment and staff codes are signed with
  gridhub issue appointment --key FILE --station ID --name NAME --id-number N [--date D] [--purpose P] [--png F]
  gridhub issue staff --key FILE --station ID --name NAME --staff ID --role R [--days N] [--png F]
  gridhub version

The tokens file has one "station_id token" pair per line (# comments).
With --code-key, the key's public half goes to the stations with the
reference data, so they can check the codes offline.
`

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], log)
	case "records":
		err = records(args[1:], stdout)
	case "keygen":
		err = keygen(args[1:], stdout)
	case "issue":
		err = issue(args[1:], stdout)
	case "version":
		fmt.Fprintln(stdout, "gridhub", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "gridhub: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stderr, "gridhub:", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	data := fs.String("data", "", "data directory (required)")
	tokens := fs.String("tokens", "", "file of \"station_id token\" lines (required)")
	refdata := fs.String("refdata", "", "JSON file of reference data served to every station")
	codeKey := fs.String("code-key", "", "signing key of appointment and staff codes (gridhub keygen); its public half is served with the reference data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" || *tokens == "" {
		return errors.New("serve: --data and --tokens are required")
	}
	raw, err := os.ReadFile(*tokens)
	if err != nil {
		return fmt.Errorf("serve: tokens: %w", err)
	}
	tok, err := hub.ParseTokens(raw, *tokens)
	if err != nil {
		return err
	}
	srv := &hub.Server{Tokens: tok, Log: log}
	var rd []byte
	if *refdata != "" {
		if rd, err = os.ReadFile(*refdata); err != nil {
			return fmt.Errorf("serve: refdata: %w", err)
		}
	}
	if *codeKey != "" {
		signer, err := signedcode.LoadSigner(*codeKey)
		if err != nil {
			return fmt.Errorf("serve: --code-key: %w", err)
		}
		if rd, err = signedcode.AttachKeys(rd, signer.Public()); err != nil {
			return fmt.Errorf("serve: %s: %w", *refdata, err)
		}
	}
	if rd != nil {
		srv.RefData = func(string) ([]byte, error) { return rd, nil }
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	store, err := hub.OpenBolt(filepath.Join(*data, "hub.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	srv.Store = store
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(shut)
	}()
	log.Info("gridhub: serving", "addr", ln.Addr().String(), "stations", len(tok), "data", *data)
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func records(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("records", flag.ContinueOnError)
	data := fs.String("data", "", "data directory (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("records: --data is required")
	}
	store, err := hub.OpenBolt(filepath.Join(*data, "hub.db"))
	if err != nil {
		return fmt.Errorf("records: %w (is gridhub serve running on it?)", err)
	}
	defer store.Close()
	all, err := store.All()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATION\tSEQ\tKIND\tCREATED\tCLOCK\tRECEIVED\tDELIVERIES")
	for _, s := range all {
		clock := "trusted"
		if !s.Record.ClockTrusted {
			clock = "untrusted"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d\n", s.Record.ID, s.StationID, s.Record.Seq, s.Record.Kind,
			s.Record.CreatedAt.Format(time.RFC3339), clock, s.ReceivedAt.Format(time.RFC3339), s.Deliveries)
	}
	return tw.Flush()
}
