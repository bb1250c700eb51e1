// Package pgstore keeps a hub's records, station tokens and reference
// data in PostgreSQL: the hub.Store for a county that outgrows one bbolt
// file, or that runs its admin commands while the hub serves.
//
// Open creates the tables it needs, or migrates them, in the database it
// is given; they are named hub_*. Grid and payload are kept in json
// columns, which store the text as the station sent it, byte for byte,
// and still let staff query it with PostgreSQL's JSON operators.
package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// opTimeout bounds each call of the store. The hub.Store methods take no
// context; a database that does not answer must still not hold a
// station's request forever.
const opTimeout = 30 * time.Second

// Store is a hub.Store in a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
}

var _ hub.Store = (*Store)(nil)

// Open connects to the database dsn names (postgres://user@host/db or
// "host=... dbname=..."), checks that it is UTF-8, and creates or
// migrates the hub's tables.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.init(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
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
	if err := migrate(ctx, s.pool); err != nil {
		return fmt.Errorf("hub: pg: migrate: %w", err)
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

// migrationLock is the advisory lock a migration holds, so that two
// hubs opening one new database at once do not both create the tables.
const migrationLock = 0x67726964687562 // "gridhub"

// migrations are the schema's versions: migrations()[i] takes a
// database from version i to i+1. Never change one that has shipped; add
// the next.
func migrations() []string {
	return []string{schemaV1, schemaV2}
}

const schemaV1 = `
CREATE TABLE hub_records (
	id              text PRIMARY KEY,
	station_id      text NOT NULL,
	kind            text NOT NULL,
	seq             numeric(20, 0) NOT NULL, -- a uint64, beyond bigint
	created_at      timestamptz NOT NULL,    -- the station's clock; see clock_trusted
	created_at_sent text NOT NULL,           -- created_at as sent: its offset and nanoseconds
	clock_trusted   boolean NOT NULL,
	grid            json NOT NULL,
	payload         json NOT NULL,
	received_at     timestamptz NOT NULL,    -- the hub's clock
	state           text NOT NULL CHECK (state IN ('received', 'in_progress', 'done', 'rejected')),
	note            text NOT NULL DEFAULT '',
	updated_at      timestamptz NOT NULL,
	deliveries      integer NOT NULL
);
CREATE INDEX hub_records_station_seq ON hub_records (station_id COLLATE "C", seq);

CREATE TABLE hub_stations (
	station_id   text PRIMARY KEY,
	token_sha256 bytea NOT NULL UNIQUE,
	token_set_at timestamptz NOT NULL
);

CREATE TABLE hub_refdata (
	station_id text PRIMARY KEY, -- '' is the copy for every station without its own
	data       json NOT NULL,
	updated_at timestamptz NOT NULL
);
`

// schemaV2 keys records by lower-case ID, as hub.NormalID: a record an
// older hub stored under upper-case letters is found when sent again in
// lower case. Where the lower-case ID is taken too (the old hub took both
// as two records), both stay as they are, for the county's staff to
// sort out; of several upper-case spellings of one ID, the first
// received is moved.
const schemaV2 = `
UPDATE hub_records r SET id = lower(r.id)
FROM (SELECT DISTINCT ON (lower(id)) id FROM hub_records WHERE id <> lower(id) ORDER BY lower(id), received_at, id) u
WHERE r.id = u.id AND NOT EXISTS (SELECT 1 FROM hub_records o WHERE o.id = lower(r.id));
`

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS hub_schema (version integer NOT NULL)"); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM hub_schema").Scan(&have); err != nil {
			return err
		}
		ms := migrations()
		if have > len(ms) {
			return fmt.Errorf("the database has schema version %d, this gridhub knows up to %d: run a newer gridhub", have, len(ms))
		}
		for v := have; v < len(ms); v++ {
			if _, err := tx.Exec(ctx, ms[v]); err != nil {
				return fmt.Errorf("to version %d: %w", v+1, err)
			}
		}
		if have == len(ms) {
			return nil
		}
		if _, err := tx.Exec(ctx, "DELETE FROM hub_schema"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO hub_schema (version) VALUES ($1)", len(ms))
		return err
	})
}
