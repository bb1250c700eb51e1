package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func station(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("station: want add, import or list")
	}
	switch args[0] {
	case "add":
		return stationAdd(ctx, args[1:], stdout, stderr)
	case "list":
		return stationList(ctx, args[1:], stdout)
	case "import":
		return stationImport(ctx, args[1:], stdout)
	}
	return fmt.Errorf("station: unknown command %q: want add, import or list", args[0])
}

// stationAdd makes a station's token. The token goes alone to stdout,
// for scripts; what to do with it goes to stderr.
func stationAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("station add", flag.ContinueOnError)
	sf := addStoreFlags(fs)
	id := fs.String("station", "", "station ID, as in the station's configuration (station.id), e.g. 141029-xfw-01 (required)")
	replace := fs.Bool("replace", false, "give a station that has a token a new one; the old one stops working")
	if err := noArgs(fs, args); err != nil {
		return fmt.Errorf("station add: %w", err)
	}
	if *id == "" {
		return errors.New("station add: --station is required")
	}
	if err := hub.CheckStationID(*id); err != nil {
		return fmt.Errorf("station add: %w", err)
	}
	store, err := sf.open(ctx, adding)
	if err != nil {
		return fmt.Errorf("station add: %w", err)
	}
	defer store.Close()
	stations, err := store.Stations()
	if err != nil {
		return fmt.Errorf("station add: %w", err)
	}
	for _, st := range stations {
		if st.ID == *id && !*replace {
			return fmt.Errorf("station add: station %s already has a token (since %s); "+
				"--replace gives it a new one, and the old one stops working", *id, st.TokenSetAt.Local().Format(time.DateTime))
		}
	}
	token := hub.NewToken()
	if err := store.SetToken(*id, token, time.Now()); err != nil {
		return fmt.Errorf("station add: %w", err)
	}
	fmt.Fprintln(stdout, token)
	fmt.Fprintf(stderr, "Station %s: the line above is its token, shown this once (the hub keeps only its hash).\n"+
		"Write it to the station's token file (upstream.token_file in its configuration).\n", *id)
	if *sf.data != "" {
		fmt.Fprintln(stderr, "gridhub serve --data takes it from its next start.")
	} else {
		fmt.Fprintln(stderr, "gridhub serve --db takes it now.")
	}
	return nil
}

// bulkTokens is a store that sets many stations' tokens at once.
type bulkTokens interface {
	SetTokens(tokens hub.Tokens, at time.Time) error
}

// stationImport gives every station of a tokens file ("station_id
// token" lines, as serve --tokens reads) its token in the store, so
// that every hub on the database knows them and no hub needs the file.
func stationImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("station import", flag.ContinueOnError)
	sf := addStoreFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return fmt.Errorf("station import: %w", err)
	}
	if len(pos) != 1 {
		return errors.New("station import: want one tokens file of \"station_id token\" lines")
	}
	raw, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("station import: %w", err)
	}
	tokens, err := hub.ParseTokens(raw, pos[0])
	if err != nil {
		return fmt.Errorf("station import: %w", err)
	}
	store, err := sf.open(ctx, adding)
	if err != nil {
		return fmt.Errorf("station import: %w", err)
	}
	defer store.Close()
	now := time.Now()
	if bt, ok := store.(bulkTokens); ok {
		err = bt.SetTokens(tokens, now)
	} else {
		// bbolt: one commit each; a county's few hundred stations.
		for tok, st := range tokens {
			if err = store.SetToken(st, tok, now); err != nil {
				err = fmt.Errorf("station %s: %w", st, err)
				break
			}
		}
	}
	if err != nil {
		return fmt.Errorf("station import: %s: %w", pos[0], err)
	}
	fmt.Fprintf(stdout, "%d stations\n", len(tokens))
	return nil
}

func stationList(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("station list", flag.ContinueOnError)
	sf := addStoreFlags(fs)
	if err := noArgs(fs, args); err != nil {
		return fmt.Errorf("station list: %w", err)
	}
	store, err := sf.open(ctx, existing)
	if err != nil {
		return fmt.Errorf("station list: %w", err)
	}
	defer store.Close()
	as, err := store.Assignments()
	if err != nil {
		return fmt.Errorf("station list: %w", err)
	}
	views, err := stationViews(store, as)
	if err != nil {
		return fmt.Errorf("station list: %w", err)
	}
	// SOFTWARE, SLOT and UPDATE are from the station's newest report,
	// SYSTEM and ARCH from its latest update question; "(behind)" marks
	// a station whose assigned release is newer than the system it runs.
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATION\tTOKEN SET\tLAST REPORT\tSOFTWARE\tSYSTEM\tARCH\tSLOT\tUPDATE\tASSIGNED")
	for _, v := range views {
		token, last, software, slot, update := "tokens file", "never", "-", "-", "-"
		if v.token != nil {
			token = v.token.TokenSetAt.Local().Format(time.RFC3339)
		}
		if r := v.report; r != nil {
			last, software = r.ReceivedAt.Local().Format(time.RFC3339), cmpOr(r.Report.Version, "-")
			if u := r.Report.Update; u != nil {
				slot, update = cmpOr(u.Slot, "-"), updateText(u)
			}
		}
		system, arch := "-", "-"
		if v.asked != nil {
			system, arch = cmpOr(v.asked.Version, "-"), v.asked.Arch
		}
		assigned := assignedText(v.assigned, v.asked != nil)
		if hub.Behind(v.running(), v.assigned) {
			assigned += " (behind)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.id, token, last, software, system, arch, slot, update, assigned)
	}
	return tw.Flush()
}

func refdata(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "load" {
		return errors.New("refdata: want load")
	}
	fs := flag.NewFlagSet("refdata load", flag.ContinueOnError)
	sf := addStoreFlags(fs)
	id := fs.String("station", "", "the station the data is for; without it, every station that has none of its own")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return fmt.Errorf("refdata load: %w", err)
	}
	if len(pos) != 1 {
		return errors.New("refdata load: want one FILE.json")
	}
	if *id != "" {
		if err := hub.CheckStationID(*id); err != nil {
			return fmt.Errorf("refdata load: %w", err)
		}
	}
	// Checked before the store is opened, so a bad file is reported
	// even while serve holds the bbolt file.
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("refdata load: %w", err)
	}
	if err := wire.ValidateRefData(data); err != nil {
		return fmt.Errorf("refdata load: %s: %w; the stored copy is unchanged", pos[0], err)
	}
	store, err := sf.open(ctx, adding)
	if err != nil {
		return fmt.Errorf("refdata load: %w", err)
	}
	defer store.Close()
	kept := 0
	if stored, ok, err := store.RefData(*id); err != nil {
		return fmt.Errorf("refdata load: %w", err)
	} else if ok {
		data, kept = keepPINHashes(stored, data)
	}
	if err := store.PutRefData(*id, data); err != nil {
		return fmt.Errorf("refdata load: %w", err)
	}
	var top struct{ Categories []json.RawMessage }
	json.Unmarshal(data, &top)
	who := "every station without its own"
	if *id != "" {
		who = "station " + *id
	}
	fmt.Fprintf(stdout, "reference data for %s kept: %d bytes, %d categories; stations get it at their next refresh\n",
		who, len(data), len(top.Categories))
	if kept > 0 {
		fmt.Fprintf(stdout, "the PINs of %d staff members set with gridhub staff pin set are kept\n", kept)
	}
	return nil
}

func record(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "set-status" {
		return errors.New("record: want set-status")
	}
	fs := flag.NewFlagSet("record set-status", flag.ContinueOnError)
	sf := addStoreFlags(fs)
	note := fs.String("note", "", "a note the station sees with the status, shown on the record's public status page too: no names or numbers of people")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return fmt.Errorf("record set-status: %w", err)
	}
	if len(pos) != 2 {
		return fmt.Errorf("record set-status: want ID and STATE (one of %s)", strings.Join(hub.States(), ", "))
	}
	id, state := pos[0], pos[1]
	if err := hub.CheckState(state); err != nil {
		return fmt.Errorf("record set-status: %w", err)
	}
	store, err := sf.open(ctx, existing)
	if err != nil {
		return fmt.Errorf("record set-status: %w", err)
	}
	defer store.Close()
	err = store.SetStatus(id, state, *note, time.Now())
	if errors.Is(err, hub.ErrNotFound) {
		return fmt.Errorf("record set-status: the hub has no record %s (gridhub records lists them)", id)
	}
	if err != nil {
		return fmt.Errorf("record set-status: %w", err)
	}
	fmt.Fprintf(stdout, "record %s: %s\n", id, state)
	return nil
}

func records(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("records", flag.ContinueOnError)
	sf := addStoreFlags(fs)
	var q hub.Query
	fs.StringVar(&q.StationID, "station", "", "only this station's records")
	fs.StringVar(&q.State, "state", "", "only records in this state")
	fs.IntVar(&q.Limit, "limit", 0, "at most this many records (0: all)")
	if err := noArgs(fs, args); err != nil {
		return fmt.Errorf("records: %w", err)
	}
	if q.State != "" {
		if err := hub.CheckState(q.State); err != nil {
			return fmt.Errorf("records: %w", err)
		}
	}
	store, err := sf.open(ctx, existing)
	if err != nil {
		return fmt.Errorf("records: %w", err)
	}
	defer store.Close()
	all, err := store.Records(q)
	if err != nil {
		return fmt.Errorf("records: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATION\tSEQ\tKIND\tSTATE\tCREATED\tCLOCK\tRECEIVED\tDELIVERIES")
	for _, s := range all {
		clock := "trusted"
		if !s.Record.ClockTrusted {
			clock = "untrusted"
		}
		// CREATED is the station's clock, as it sent it; RECEIVED the hub's.
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\n", s.Record.ID, s.StationID, s.Record.Seq, s.Record.Kind, s.State,
			s.Record.CreatedAt.Format(time.RFC3339), clock, s.ReceivedAt.Local().Format(time.RFC3339), s.Deliveries)
	}
	return tw.Flush()
}

// noArgs parses args and refuses positional arguments.
func noArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
