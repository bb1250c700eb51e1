package pgstore

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Records are range-partitioned by the month the hub received them in
// (received_at, UTC): the hub's clock, set once and never changed,
// where the station's created_at may be years off on a board without a
// clock battery. A province's years of records are then many
// month-sized tables: old months can be detached and archived whole,
// and the month being written keeps its indexes small and in memory.
//
// PostgreSQL only enforces a unique index on a partitioned table when it
// contains the partition key, so (id, received_at) is the records' key,
// and hub_record_ids, keyed by id alone, is what makes an ID unique
// across months: Ingest inserts the ID there first, in the same
// transaction, and stores the record only when that insert was new.
// Partitioning by the station's or record's ID instead would make every
// partition a slice of all time, and nothing could be archived by month.
const schemaV5 = `
ALTER TABLE hub_records RENAME TO hub_records_unpartitioned;
ALTER INDEX hub_records_pkey RENAME TO hub_records_unpartitioned_pkey;
ALTER INDEX hub_records_station_seq RENAME TO hub_records_unpartitioned_station_seq;
CREATE TABLE hub_records (
	id              text NOT NULL,
	station_id      text NOT NULL,
	kind            text NOT NULL,
	seq             numeric(20, 0) NOT NULL, -- a uint64, beyond bigint
	created_at      timestamptz NOT NULL,    -- the station's clock; see clock_trusted
	created_at_sent text NOT NULL,           -- created_at as sent: its offset and nanoseconds
	clock_trusted   boolean NOT NULL,
	grid            json NOT NULL,
	payload         bytea NOT NULL,
	received_at     timestamptz NOT NULL,    -- the hub's clock, and the partition key
	state           text NOT NULL CHECK (state IN ('received', 'in_progress', 'done', 'rejected')),
	note            bytea NOT NULL,
	updated_at      timestamptz NOT NULL,
	deliveries      integer NOT NULL,
	link_key        bytea,
	PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);
CREATE INDEX hub_records_station_seq ON hub_records (station_id COLLATE "C", seq);
-- A record received in a month with no partition yet (partition upkeep
-- stopped, a clock set far ahead) is still stored, here; upkeep moves it
-- into its month's partition when it creates that.
CREATE TABLE hub_records_default PARTITION OF hub_records DEFAULT;
CREATE TABLE hub_record_ids (
	id          text PRIMARY KEY,
	received_at timestamptz NOT NULL
);
`

// partitionOld moves the records of an unpartitioned table (schema
// version 4) into the partitioned one, a partition for each month they
// were received in, in the migration's transaction.
func partitionOld(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT DISTINCT date_trunc('month', received_at AT TIME ZONE 'UTC') FROM hub_records_unpartitioned`)
	if err != nil {
		return fmt.Errorf("months of the records: %w", err)
	}
	months, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return fmt.Errorf("months of the records: %w", err)
	}
	for _, m := range months {
		if err := createPartition(ctx, tx, m); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `
INSERT INTO hub_records (id, station_id, kind, seq, created_at, created_at_sent, clock_trusted, grid, payload,
	received_at, state, note, updated_at, deliveries, link_key)
SELECT id, station_id, kind, seq, created_at, created_at_sent, clock_trusted, grid, payload,
	received_at, state, note, updated_at, deliveries, link_key
FROM hub_records_unpartitioned;
INSERT INTO hub_record_ids (id, received_at) SELECT id, received_at FROM hub_records_unpartitioned;
DROP TABLE hub_records_unpartitioned;`)
	if err != nil {
		return fmt.Errorf("move the records into partitions: %w", err)
	}
	return nil
}

// monthStart is the first instant of t's month, in UTC.
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// partitionName is the table of records received in month m.
func partitionName(m time.Time) string {
	return fmt.Sprintf("hub_records_y%04dm%02d", m.Year(), int(m.Month()))
}

// createPartition creates the partition of month m unless it exists,
// first taking out of the default partition the rows that belong in it
// (PostgreSQL refuses a partition whose rows the default holds) and
// putting them back after, through the new partition.
func createPartition(ctx context.Context, tx pgx.Tx, m time.Time) error {
	m = monthStart(m)
	name := partitionName(m)
	var exists bool
	if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&exists); err != nil {
		return fmt.Errorf("partition %s: %w", name, err)
	}
	if exists {
		return nil
	}
	lo, hi := m, m.AddDate(0, 1, 0)
	moved, err := tx.Exec(ctx, `
CREATE TEMP TABLE hub_records_moving ON COMMIT DROP AS
WITH m AS (DELETE FROM hub_records_default WHERE received_at >= $1 AND received_at < $2 RETURNING *)
SELECT * FROM m`, lo, hi)
	if err != nil {
		return fmt.Errorf("partition %s: take its rows out of the default partition: %w", name, err)
	}
	bound := func(t time.Time) string { return "'" + t.Format("2006-01-02 15:04:05Z07:00") + "'" }
	_, err = tx.Exec(ctx, fmt.Sprintf("CREATE TABLE %s PARTITION OF hub_records FOR VALUES FROM (%s) TO (%s)",
		pgx.Identifier{name}.Sanitize(), bound(lo), bound(hi)))
	if err != nil {
		return fmt.Errorf("partition %s: %w", name, err)
	}
	if moved.RowsAffected() > 0 {
		if _, err := tx.Exec(ctx, "INSERT INTO hub_records SELECT * FROM hub_records_moving"); err != nil {
			return fmt.Errorf("partition %s: move its rows from the default partition: %w", name, err)
		}
	}
	_, err = tx.Exec(ctx, "DROP TABLE hub_records_moving")
	return err
}

// partitionsAhead is how many months after the current one have their
// partitions made: upkeep runs daily, so two months ahead survives weeks
// of every hub being down, and a month boundary never waits on DDL.
const partitionsAhead = 2

// EnsurePartitions creates the partitions of the month of now and the
// partitionsAhead months after it, those missing, each in a transaction
// of its own under the migration lock, so that several hubs on one
// database may all run it. Open runs it, and gridhub serve daily.
func (s *Store) EnsurePartitions(ctx context.Context, now time.Time) error {
	m := monthStart(now)
	for i := 0; i <= partitionsAhead; i++ {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
				return err
			}
			return createPartition(ctx, tx, m.AddDate(0, i, 0))
		})
		if err != nil {
			return fmt.Errorf("hub: pg: %w", err)
		}
	}
	return nil
}

// KeepPartitions runs EnsurePartitions every interval until ctx ends,
// logging a failure (the records still land, in the default partition).
func (s *Store) KeepPartitions(ctx context.Context, interval time.Duration, now func() time.Time, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.EnsurePartitions(ctx, now()); err != nil && ctx.Err() == nil {
				log.Error("hub: records' partitions: new records go to the default partition until this is fixed", "err", err)
			}
		}
	}
}
