package pgstore

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
)

// insertRecord stores a new record, or counts one more delivery of a
// record the same station sent before. For an ID another station's
// record has, the WHERE leaves the row alone and nothing is returned.
const insertRecord = `
INSERT INTO hub_records AS r (id, station_id, kind, seq, created_at, created_at_sent, clock_trusted,
	grid, payload, received_at, state, updated_at, deliveries)
VALUES ($1, $2, $3, $4::text::numeric, $5, $6, $7, $8, $9, $10, 'received', $10, 1)
ON CONFLICT (id) DO UPDATE SET deliveries = r.deliveries + 1
	WHERE r.station_id = excluded.station_id
RETURNING r.id`

const reasonOtherStation = "id already used by another station"

// Ingest implements hub.Store, in one transaction per batch.
func (s *Store) Ingest(station string, recs []upstream.Record, at time.Time) (upstream.Reply, error) {
	reasons := make([]string, len(recs)) // "" for a record acked
	var order []int
	for i, r := range recs {
		if reasons[i] = hub.Check(r); reasons[i] == "" {
			order = append(order, i)
		}
	}
	// Rows are locked in ID order, whatever the batch's order, so two
	// overlapping batches never wait for each other in a cycle, a
	// deadlock PostgreSQL would break by failing one of them.
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(recs[a].ID, recs[b].ID) })
	if len(order) > 0 {
		ctx, cancel := s.context()
		defer cancel()
		at = at.Truncate(time.Microsecond) // what timestamptz keeps; rounding could move it into the future
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			b := &pgx.Batch{}
			for _, i := range order {
				r := recs[i]
				b.Queue(insertRecord, r.ID, station, r.Kind, strconv.FormatUint(r.Seq, 10), r.CreatedAt,
					r.CreatedAt.Format(time.RFC3339Nano), r.ClockTrusted, string(r.Grid), string(r.Payload), at)
			}
			br := tx.SendBatch(ctx, b)
			defer br.Close()
			for _, i := range order {
				var id string
				err := br.QueryRow().Scan(&id)
				if errors.Is(err, pgx.ErrNoRows) {
					reasons[i] = reasonOtherStation
					continue
				}
				if err != nil {
					return fmt.Errorf("record %s: %w", recs[i].ID, err)
				}
			}
			return br.Close()
		})
		if err != nil {
			return upstream.Reply{}, fmt.Errorf("hub: pg: ingest: %w", err)
		}
	}
	var reply upstream.Reply
	for i, r := range recs {
		if reasons[i] == "" {
			reply.Acked = append(reply.Acked, r.ID)
		} else {
			reply.Rejected = append(reply.Rejected, upstream.Rejection{ID: r.ID, Reason: reasons[i]})
		}
	}
	return reply, nil
}

// Status implements hub.Store.
func (s *Store) Status(stationID, id string) (upstream.Status, bool, error) {
	ctx, cancel := s.context()
	defer cancel()
	st := upstream.Status{ID: id}
	err := s.pool.QueryRow(ctx, "SELECT state, updated_at, note FROM hub_records WHERE id = $1 AND station_id = $2", id, stationID).
		Scan(&st.State, &st.UpdatedAt, &st.Note)
	if errors.Is(err, pgx.ErrNoRows) {
		return upstream.Status{}, false, nil
	}
	if err != nil {
		return upstream.Status{}, false, fmt.Errorf("hub: pg: status of %s: %w", id, err)
	}
	return st, true, nil
}

// SetStatus implements hub.Store.
func (s *Store) SetStatus(id, state, note string, at time.Time) error {
	if err := hub.CheckState(state); err != nil {
		return fmt.Errorf("hub: pg: set status of %s: %w", id, err)
	}
	ctx, cancel := s.context()
	defer cancel()
	tag, err := s.pool.Exec(ctx, "UPDATE hub_records SET state = $2, note = $3, updated_at = $4 WHERE id = $1",
		id, state, note, at.Truncate(time.Microsecond))
	if err == nil && tag.RowsAffected() == 0 {
		err = hub.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("hub: pg: set status of %s: %w", id, err)
	}
	return nil
}

// Records implements hub.Store. Station IDs sort by byte, as in bolt,
// whatever the database's collation.
func (s *Store) Records(q hub.Query) ([]hub.Stored, error) {
	ctx, cancel := s.context()
	defer cancel()
	var limit any // NULL: no limit
	if q.Limit > 0 {
		limit = q.Limit
	}
	rows, err := s.pool.Query(ctx, `
SELECT id, station_id, kind, seq::text, created_at_sent, clock_trusted, grid, payload,
	received_at, state, updated_at, note, deliveries
FROM hub_records
WHERE ($1 = '' OR station_id = $1) AND ($2 = '' OR state = $2)
ORDER BY station_id COLLATE "C", seq, id COLLATE "C"
LIMIT $3`, q.StationID, q.State, limit)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: records: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanStored)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: records: %w", err)
	}
	return out, nil
}

func scanStored(row pgx.CollectableRow) (hub.Stored, error) {
	var st hub.Stored
	var seq, created string
	var grid, payload []byte
	err := row.Scan(&st.Record.ID, &st.StationID, &st.Record.Kind, &seq, &created, &st.Record.ClockTrusted,
		&grid, &payload, &st.ReceivedAt, &st.State, &st.UpdatedAt, &st.Note, &st.Deliveries)
	if err != nil {
		return st, err
	}
	st.Record.Grid, st.Record.Payload = grid, payload
	if st.Record.Seq, err = strconv.ParseUint(seq, 10, 64); err != nil {
		return st, fmt.Errorf("record %s: seq: %w", st.Record.ID, err)
	}
	if st.Record.CreatedAt, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return st, fmt.Errorf("record %s: created_at: %w", st.Record.ID, err)
	}
	return st, nil
}
