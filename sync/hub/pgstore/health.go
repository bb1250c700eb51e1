package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// healthLock is the advisory lock hub_health is made under.
const healthLock = 0x67726964686c7468 // "gridhlth"

// healthSchema is its own table, made idempotently beside the numbered
// migrations: health reports are bounded per station and need none of
// the records' partitioning or sealing.
const healthSchema = `
CREATE TABLE IF NOT EXISTS hub_health (
	station_id  text COLLATE "C" NOT NULL,
	id          bigint GENERATED ALWAYS AS IDENTITY,
	received_at timestamptz NOT NULL,
	report      jsonb NOT NULL,
	PRIMARY KEY (station_id, id)
);`

func (s *Store) migrateHealth(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(healthLock)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, healthSchema)
		return err
	})
}

// PutHealth implements hub.HealthStore, dropping the station's reports
// beyond hub.HealthHistory in the same transaction.
func (s *Store) PutHealth(h wire.Health, at time.Time) error {
	data, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("hub: pg: health of %s: %w", h.StationID, err)
	}
	ctx, cancel := s.context()
	defer cancel()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, "INSERT INTO hub_health (station_id, received_at, report) VALUES ($1, $2, $3) RETURNING id",
			h.StationID, at.UTC(), string(data)).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM hub_health WHERE station_id = $1 AND id <= (
			SELECT id FROM hub_health WHERE station_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`, h.StationID, hub.HealthHistory)
		return err
	})
	if err != nil {
		return fmt.Errorf("hub: pg: store health of %s: %w", h.StationID, err)
	}
	return nil
}

// HealthHistory implements hub.HealthStore.
func (s *Store) HealthHistory(stationID string, limit int) ([]hub.HealthReport, error) {
	if limit <= 0 {
		limit = hub.HealthHistory
	}
	return s.healthQuery("SELECT received_at, report FROM hub_health WHERE station_id = $1 ORDER BY id DESC LIMIT $2", stationID, limit)
}

// LatestHealth implements hub.HealthStore.
func (s *Store) LatestHealth() ([]hub.HealthReport, error) {
	return s.healthQuery("SELECT DISTINCT ON (station_id) received_at, report FROM hub_health ORDER BY station_id, id DESC")
}

func (s *Store) healthQuery(q string, args ...any) ([]hub.HealthReport, error) {
	ctx, cancel := s.context()
	defer cancel()
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: health: %w", err)
	}
	var out []hub.HealthReport
	for rows.Next() {
		var r hub.HealthReport
		var data []byte
		if err := rows.Scan(&r.ReceivedAt, &data); err != nil {
			return nil, fmt.Errorf("hub: pg: health: %w", err)
		}
		if err := json.Unmarshal(data, &r.Report); err != nil {
			return nil, fmt.Errorf("hub: pg: health of %s: %w", r.Report.StationID, err)
		}
		r.ReceivedAt = r.ReceivedAt.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("hub: pg: health: %w", err)
	}
	return out, nil
}
