// Command gridhub is the reference county hub: the upstream side of the
// gridkiosk sync contract (v1).
//
// Usage:
//
//	gridhub serve   (--data DIR | --db DSN) [--tokens FILE] [--listen ADDR] [--refdata FILE]
//	                [--code-key FILE] [--tls-cert FILE --tls-key FILE] [--public-url URL]
//	gridhub station add  (--data DIR | --db DSN) --station ID [--replace]
//	gridhub station list (--data DIR | --db DSN)
//	gridhub station import (--data DIR | --db DSN) FILE
//	gridhub refdata load (--data DIR | --db DSN) [--station ID] FILE.json
//	gridhub release add (--data DIR | --db DSN --releases DIR) FILE --version V --arch A [--replace] [--keyring PEM]
//	gridhub release assign (--data DIR | --db DSN) (VERSION | --none) (--station ID | --county CODE [--arch A])
//	gridhub release list (--data DIR | --db DSN)
//	gridhub staff pin set|reset (--data DIR | --db DSN) [--station ID] --staff ID [--pin-file FILE]
//	gridhub record set-status (--data DIR | --db DSN) ID STATE [--note TEXT]
//	gridhub user add|reset|disable|list (--data DIR | --db DSN) --name NAME [--role R] [--community CODE]
//	gridhub records (--data DIR | --db DSN) [--station ID] [--state STATE] [--limit N]
//	gridhub keygen  --out FILE [--id ID]
//	gridhub tls init|renew --dir DIR --host NAMES [--name NAME] [--days N] [--ca-days N]
//	gridhub issue   appointment|staff --key FILE --station ID --name NAME ...
//	gridhub version
//
// "gridhub help" says what each command does, where the hub keeps its
// data, and why the admin commands cannot share a bbolt file with serve.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

var version = "dev"

const usage = `gridhub — county hub for gridkiosk stations (sync contract v1)

Usage:
  gridhub serve   (--data DIR | --db DSN) [--tokens FILE] [--listen ADDR] [--refdata FILE]
                  [--code-key FILE] [--tls-cert FILE --tls-key FILE] [--public-url URL]
  gridhub station add  (--data DIR | --db DSN) --station ID [--replace]
                                    make a station's token and print it
  gridhub station list (--data DIR | --db DSN)
  gridhub station import (--data DIR | --db DSN) FILE
                                    give every station of a tokens file its token (one transaction on --db)
  gridhub refdata load (--data DIR | --db DSN) [--station ID] FILE.json
                                    check reference data and keep it, for one station or all
                                    (PINs set with staff pin set are kept for staff it lists)
  gridhub release add (--data DIR | --db DSN --releases DIR) FILE.raucb --version V --arch amd64|arm64
                      [--replace] [--keyring PEM] [--rauc PATH|none]
                                    check a RAUC bundle and keep a copy for the stations to download
  gridhub release assign (--data DIR | --db DSN) VERSION (--station ID | --county CODE [--arch A])
  gridhub release assign (--data DIR | --db DSN) --none (--station ID | --county CODE [--arch A])
                                    which release a station, or a county's stations, should run
  gridhub release list (--data DIR | --db DSN)
                                    releases, and how many stations each is assigned to, runs on,
                                    is on its way to, failed on
  gridhub staff pin set   (--data DIR | --db DSN) [--station ID] --staff ID [--pin-file FILE]
                                    set a staff member's PIN (asked without echo, or stdin)
  gridhub staff pin reset (--data DIR | --db DSN) [--station ID] --staff ID
                                    clear it: no PIN log-in for them until set again
  gridhub record set-status (--data DIR | --db DSN) ID STATE [--note TEXT]
                                    STATE: received, in_progress, done or rejected
  gridhub records (--data DIR | --db DSN) [--station ID] [--state STATE] [--limit N]
                                    list the records the hub holds (no personal data)
  gridhub user add (--data DIR | --db DSN) --name NAME --role admin|staff|viewer [--community CODE]
                   [--password-file FILE]
                                    a county console account (password asked without echo, or stdin)
  gridhub user reset|disable (--data DIR | --db DSN) --name NAME
                                    a new password, or no more log-ins; either ends its sessions
  gridhub user list (--data DIR | --db DSN)
  gridhub keygen  --out FILE        make the key appointment and staff codes are signed with
  gridhub tls init  --dir DIR --host NAMES [--name NAME] [--days N] [--ca-days N]
                                    make a county CA and the hub's certificate under it
  gridhub tls renew --dir DIR --host NAMES [--days N]
                                    a new hub certificate (and key) from DIR's CA
  gridhub issue appointment --key FILE --station ID --name NAME --id-number N [--date D] [--purpose P] [--png F]
  gridhub issue staff --key FILE --station ID --name NAME --staff ID --role R [--days N] [--png F]
  gridhub version

Storage: --data DIR keeps everything in DIR/hub.db, a bbolt file, with
the records and reference data sealed (AES-256-GCM) under DIR/hub.key
(or --key-file FILE), made with mode 0600 on first use: back it up apart
from hub.db, which cannot be read without it;
--db postgres://USER@HOST/DBNAME --key-file FILE keeps it in PostgreSQL
(tables hub_*, made on first use; the database must be UTF8), sealed the
same way under FILE, which every command on the database must give.
A bbolt file opens in one process at a time: with --data, stop gridhub
serve before the station, refdata, record and records commands (they say
so if it runs), and start it again after. With --db they work while serve runs, which sees their changes
at once.

Console: gridhub serve serves the county's web console at /console/ on
its listener (--console=false turns it off). Roles: admin (the county:
everything, and the audit log), staff (one community's records only),
viewer (reads, personal data masked). Add the first account with
"gridhub user add --role admin".

Stations: "gridhub station add" prints a station's token once and keeps
only its SHA-256, in the store. A tokens file (serve --tokens) of
"station_id token" lines (# comments) works beside them.

Releases: "gridhub release add" checks that FILE is a RAUC bundle (the
squashfs frame and the signature at its end; with rauc installed, that
its manifest's version and compatible, gridkiosk-ARCH, match; with
--keyring, its signature) and copies it to DIR/releases/VERSION/ARCH/
(--data) or --releases DIR (--db: a directory every serve reads). A
station asks serve which release it should run: its own assignment,
else its county's for its arch, else its county's for every arch (its
county: the first 6 digits of its reports' community). It installs only
a newer version than it runs. "gridhub station list" shows each
station's system version and arch (from its latest question), slot and
update (from its latest health report).

Staff PINs: "gridhub staff pin set" keeps an argon2id hash of the PIN
(never the PIN) in the stored reference data's staff entry; stations take
it at their next refresh. Hashes in the old SHA-256 form are refused by
the stations: set those PINs again. With serve --refdata FILE the stored
copy is not served, nor its PINs.

Reference data: a station gets what "gridhub refdata load" kept for it,
else the copy loaded without --station, else {}. serve --refdata FILE
sends FILE to every station instead. With --code-key, the key's public
half goes to the stations with the reference data, so they can check the
codes offline.

Status pages: with serve --public-url https://hub.example.gov.cn (the
hub's address as residents' phones reach it), receipts' QR codes are
links, URL/r/RECORD?k=KEY, and the hub serves each record's progress
page there: the state, the note of record set-status, the grid leader
(reference data staff with "phone"), no personal data. Stations learn
the URL from the reference data.

TLS: serve --tls-cert FILE --tls-key FILE (PEM, both) serves HTTPS; the
stations' upstream.url is then https://... A county network without a
certificate from a public CA makes its own: "gridhub tls init --dir DIR
--host hub.example.local,10.14.0.2" writes DIR/ca.pem (the CA, for every
station's upstream.ca_file), DIR/ca.key (keep it off the network),
DIR/hub.pem and DIR/hub.key (for serve), and prints the station config
with the CA's key pin. "gridhub tls renew" makes a new hub certificate from
the same CA; stations that trust or pin the CA need no change. With
openssl instead:
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout ca.key -out ca.pem -days 7300 -subj "/CN=county CA"
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout hub.key -out hub.csr -subj "/CN=hub.example.local"
  openssl x509 -req -in hub.csr -CA ca.pem -CAkey ca.key -days 1825 -out hub.pem \
    -extfile <(printf "subjectAltName=DNS:hub.example.local,IP:10.14.0.2\nextendedKeyUsage=serverAuth")
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
	case "station":
		err = station(ctx, args[1:], stdout, stderr)
	case "refdata":
		err = refdata(ctx, args[1:], stdout)
	case "release":
		err = releaseCmd(ctx, args[1:], stdout, stderr)
	case "staff":
		err = staffCmd(ctx, args[1:], os.Stdin, stdout, stderr)
	case "record":
		err = record(ctx, args[1:], stdout)
	case "user":
		err = userCmd(ctx, args[1:], os.Stdin, stdout, stderr)
	case "records":
		err = records(ctx, args[1:], stdout)
	case "keygen":
		err = keygen(args[1:], stdout)
	case "issue":
		err = issue(args[1:], stdout)
	case "tls":
		err = tlsCmd(args[1:], stdout)
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
