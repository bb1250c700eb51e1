package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgstore"
)

// storeFlags are the flags that choose a hub's store.
type storeFlags struct {
	data, db, keyFile *string
}

func addStoreFlags(fs *flag.FlagSet) storeFlags {
	return storeFlags{
		data: fs.String("data", "", "data directory: the hub's bbolt file is DIR/hub.db"),
		db:   fs.String("db", "", "PostgreSQL database instead of --data, e.g. postgres://gridhub@localhost/gridhub"),
		keyFile: fs.String("key-file", "", "the key the records and reference data are sealed with, made (mode 0600) on first use; "+
			"with --data the default is DIR/hub.key, with --db it must be given. Back it up apart from the store: without it the records cannot be read"),
	}
}

// How a command opens the store.
type openMode int

const (
	serving  openMode = iota // gridhub serve: make the file if need be, wait for the lock
	adding                   // station add, refdata load: make the file if need be
	existing                 // records, set-status: a missing file is a wrong --data
)

// check returns an error unless exactly one store is chosen.
func (f storeFlags) check() error {
	switch {
	case *f.data == "" && *f.db == "":
		return errors.New("--data DIR or --db DSN is required")
	case *f.data != "" && *f.db != "":
		return errors.New("give --data or --db, not both")
	case *f.db != "" && *f.keyFile == "":
		// A default would be a file beside wherever the command runs:
		// a second key, and a database that refuses it.
		return errors.New("--db needs --key-file FILE: the key the records in the database are sealed with " +
			"(made, mode 0600, on first use; every gridhub command on this database must give the same file)")
	}
	return nil
}

// open opens the chosen store, with errors a technician can act on.
func (f storeFlags) open(ctx context.Context, mode openMode) (hub.Store, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if *f.db != "" {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		return pgstore.Open(ctx, *f.db, *f.keyFile)
	}
	path := filepath.Join(*f.data, "hub.db")
	switch mode {
	case existing:
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no hub database %s: check --data (gridhub serve and station add make it)", path)
		}
	default:
		if err := os.MkdirAll(*f.data, 0o700); err != nil {
			return nil, err
		}
	}
	// serve waits a while for a hub that is still stopping; an admin
	// command says at once that the hub runs.
	wait := time.Second
	if mode == serving {
		wait = 5 * time.Second
	}
	key := *f.keyFile
	if key == "" {
		key = hub.DefaultKeyFile(path)
	}
	s, err := hub.OpenBoltKey(path, key, wait)
	if errors.Is(err, hub.ErrLocked) {
		return nil, fmt.Errorf("%s is locked, most likely by gridhub serve: stop it and try again, "+
			"or run the hub with --db postgres://... so that admin commands work while it serves", path)
	}
	return s, err
}

// parseArgs parses args like fs.Parse, but also takes flags after the
// positional arguments ("ID STATE --note ..."), the way technicians type
// them. It returns the positional arguments; after "--" all are.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}
