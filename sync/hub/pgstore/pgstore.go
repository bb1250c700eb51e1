// Package pgstore keeps a hub's records, station tokens and reference
// data in PostgreSQL: the hub.Store for a county that outgrows one bbolt
// file, or that runs its admin commands while the hub serves.
//
// Open creates the tables it needs, or migrates them, in the database it
// is given; they are named hub_*. What the tables hold of residents and
// staff (record payloads, staff notes, reference data with names and PIN
// hashes) is sealed under a key file, as in the bbolt store (package
// hubseal): a dump of the database, or its data directory, is no use
// without the key. The grid, the station's place (county, township,
// community codes), is kept in a json column, byte for byte as the
// station sent it, for staff to query.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/hubseal"
)

// opTimeout bounds each call of the store. The hub.Store methods take no
// context; a database that does not answer must still not hold a
// station's request forever.
const opTimeout = 30 * time.Second

// Store is a hub.Store in a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	seal *hubseal.Sealer
}

var _ hub.Store = (*Store)(nil)

// Open connects to the database dsn names (postgres://user@host/db or
// "host=... dbname=..."), checks that it is UTF-8, and creates or
// migrates the hub's tables. keyFile holds the key the personal data is
// sealed with; it is made (mode 0600) when the database has never been
// sealed, and a key the database was not sealed with is refused.
func Open(ctx context.Context, dsn, keyFile string) (*Store, error) {
	if keyFile == "" {
		return nil, errors.New("hub: pg: no key file: the records are sealed under one (--key-file)")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.init(ctx, keyFile); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context, keyFile string) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("hub: pg: connect: %w", err)
	}
	// Text is kept as stations send it, and they send UTF-8; a database
	// in another encoding would convert it or refuse it.
	var enc string
	if err := s.pool.QueryRow(ctx, "SELECT current_setting('server_encoding')").Scan(&enc); err != nil {
		return fmt.Errorf("hub: pg: encoding: %w", err)
	}
	if enc != "UTF8" {
		return fmt.Errorf("hub: pg: database %q is encoded %s; the hub needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0)",
			s.pool.Config().ConnConfig.Database, enc)
	}
	sealed, err := s.migrate(ctx, keyFile)
	if err != nil {
		return fmt.Errorf("hub: pg: migrate: %w", err)
	}
	if err := s.migrateConsole(ctx); err != nil {
		return fmt.Errorf("hub: pg: console tables: %w", err)
	}
	if err := s.migrateHealth(ctx); err != nil {
		return fmt.Errorf("hub: pg: health table: %w", err)
	}
	if err := s.EnsurePartitions(ctx, time.Now()); err != nil {
		return err
	}
	if sealed {
		return vacuum(ctx, s.pool)
	}
	return nil
}

// Close closes the store's connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

func (s *Store) context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), opTimeout)
}
