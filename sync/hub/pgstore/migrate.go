package pgstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gridkiosk/gridkiosk/sync/hub/hubseal"
)

// migrationLock is the advisory lock a migration holds, so that two
// hubs opening one new database at once do not both create the tables
// (or both make a key).
const migrationLock = 0x67726964687562 // "gridhub"

// A migration takes the database from one version to the next: sql,
// then seal, if any, in the same transaction.
type migration struct {
	sql  string
	seal func(ctx context.Context, tx pgx.Tx, s *hubseal.Sealer) error
	// data moves rows the sql cannot move alone, after seal.
	data func(ctx context.Context, tx pgx.Tx) error
}

// migrations are the schema's versions: migrations()[i] takes a
// database from version i to i+1. Never change one that has shipped; add
// the next.
func migrations() []migration {
	return []migration{{sql: schemaV1}, {sql: schemaV2}, {sql: schemaV3, seal: sealInClear}, {sql: schemaV4},
		{sql: schemaV5, data: partitionOld}, {sql: schemaV6}}
}

// sealedSince is the first version whose personal data is sealed and
// which keeps the key's fingerprint in hub_meta.
const sealedSince = 3

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

// schemaV3 seals what the tables hold of residents and staff: payloads
// and staff notes become bytea holding hubseal values, and so does
// reference data; sealInClear then seals the rows already there. The
// key's fingerprint is kept in hub_meta.
const schemaV3 = `
CREATE TABLE hub_meta (
	name  text PRIMARY KEY,
	value bytea NOT NULL
);
ALTER TABLE hub_records
	ALTER COLUMN payload TYPE bytea USING convert_to(payload::text, 'UTF8'),
	ALTER COLUMN note DROP DEFAULT,
	ALTER COLUMN note TYPE bytea USING convert_to(note, 'UTF8');
ALTER TABLE hub_refdata ALTER COLUMN data TYPE bytea USING convert_to(data::text, 'UTF8');
`

// schemaV4 keeps each record's status-page key (wire.Record.LinkKey),
// sealed like the payload; NULL for records sent without one.
const schemaV4 = `
ALTER TABLE hub_records ADD COLUMN link_key bytea;
`

// migrate brings the schema to the newest version and loads the key,
// under the migration lock. It says whether it sealed rows in clear:
// their old versions are still in the tables' files, as dead rows.
func (s *Store) migrate(ctx context.Context, keyFile string) (sealed bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
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
		if err := s.loadKey(ctx, tx, have, keyFile); err != nil {
			return err
		}
		for v := have; v < len(ms); v++ {
			if _, err := tx.Exec(ctx, ms[v].sql); err != nil {
				return fmt.Errorf("to version %d: %w", v+1, err)
			}
			if ms[v].seal != nil {
				if err := ms[v].seal(ctx, tx, s.seal); err != nil {
					return fmt.Errorf("to version %d: %w", v+1, err)
				}
			}
			if ms[v].data != nil {
				if err := ms[v].data(ctx, tx); err != nil {
					return fmt.Errorf("to version %d: %w", v+1, err)
				}
			}
		}
		if have == len(ms) {
			return nil
		}
		sealed = have > 0 && have < sealedSince
		if _, err := tx.Exec(ctx, "INSERT INTO hub_meta (name, value) VALUES ('key_fingerprint', $1) ON CONFLICT (name) DO NOTHING",
			s.seal.Fingerprint()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM hub_schema"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO hub_schema (version) VALUES ($1)", len(ms))
		return err
	})
	return sealed, err
}

// loadKey loads the key from keyFile, making it for a database never
// sealed, and refuses a key the database was not sealed with.
func (s *Store) loadKey(ctx context.Context, tx pgx.Tx, version int, keyFile string) error {
	var fp []byte
	if version >= sealedSince {
		err := tx.QueryRow(ctx, "SELECT value FROM hub_meta WHERE name = 'key_fingerprint'").Scan(&fp)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("key fingerprint: %w", err)
		}
	}
	db := fmt.Sprintf("database %q", s.pool.Config().ConnConfig.Database)
	seal, err := hubseal.Load(keyFile, fp == nil, db)
	if err != nil {
		return err
	}
	if fp != nil && !bytes.Equal(fp, seal.Fingerprint()) {
		return fmt.Errorf("key file %s is not the key %s was sealed with; restore the right key (--key-file)", keyFile, db)
	}
	s.seal = seal
	return nil
}

// sealChunk is how many records sealInClear reads at once, so that a
// county's years of records are not all in memory together.
const sealChunk = 1000

// sealInClear seals the payloads, notes and reference data that an
// older hub stored in clear, in the migration's transaction: the
// database is never half sealed.
func sealInClear(ctx context.Context, tx pgx.Tx, s *hubseal.Sealer) error {
	type row struct {
		id            string
		payload, note []byte
	}
	last := ""
	for {
		rows, err := tx.Query(ctx, `SELECT id, payload, note FROM hub_records WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C" LIMIT $2`, last, sealChunk)
		if err != nil {
			return fmt.Errorf("seal records: %w", err)
		}
		chunk, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			err := r.Scan(&x.id, &x.payload, &x.note)
			return x, err
		})
		if err != nil {
			return fmt.Errorf("seal records: %w", err)
		}
		b := &pgx.Batch{}
		for _, x := range chunk {
			payload, err := s.Seal(hubseal.RecordAD(x.id), x.payload)
			if err != nil {
				return err
			}
			note, err := s.Seal(hubseal.NoteAD(x.id), x.note)
			if err != nil {
				return err
			}
			b.Queue("UPDATE hub_records SET payload = $2, note = $3 WHERE id = $1", x.id, payload, note)
			last = x.id
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("seal records: %w", err)
		}
		if len(chunk) < sealChunk {
			break
		}
	}
	rows, err := tx.Query(ctx, "SELECT station_id, data FROM hub_refdata")
	if err != nil {
		return fmt.Errorf("seal refdata: %w", err)
	}
	refs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2][]byte, error) {
		var k string
		var v []byte
		err := r.Scan(&k, &v)
		return [2][]byte{[]byte(k), v}, err
	})
	if err != nil {
		return fmt.Errorf("seal refdata: %w", err)
	}
	b := &pgx.Batch{}
	for _, kv := range refs {
		sealed, err := s.Seal(hubseal.RefDataAD(string(kv[0])), kv[1])
		if err != nil {
			return err
		}
		b.Queue("UPDATE hub_refdata SET data = $2 WHERE station_id = $1", string(kv[0]), sealed)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("seal refdata: %w", err)
	}
	return nil
}

// vacuum rewrites the tables after their rows were sealed: an UPDATE
// leaves the old row, in clear, in the table's file until it is vacuumed,
// and a plain VACUUM frees the space without overwriting it.
func vacuum(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, "VACUUM FULL hub_records, hub_refdata"); err != nil {
		return fmt.Errorf("hub: pg: the records are sealed now, but their old copies in clear are still in the tables' files: "+
			"run VACUUM FULL hub_records, hub_refdata as the tables' owner: %w", err)
	}
	return nil
}
