package pgstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/hubseal"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// insertRecord stores a new record. For an ID the hub holds, it leaves
// the row alone and returns nothing; Ingest then compares the two. The
// ID's row in hub_record_ids is what says it is new: records are
// partitioned by month, and only that table is unique by ID alone.
const insertRecord = `
WITH new AS (
	INSERT INTO hub_record_ids (id, received_at) VALUES ($1, $10) ON CONFLICT (id) DO NOTHING RETURNING id
)
INSERT INTO hub_records (id, station_id, kind, seq, created_at, created_at_sent, clock_trusted,
	grid, payload, received_at, state, note, updated_at, deliveries, link_key)
SELECT new.id, $2::text, $3::text, $4::text::numeric, $5::timestamptz, $6::text, $7::boolean, $8::text::json,
	$9::bytea, $10::timestamptz, 'received', $11::bytea, $10::timestamptz, 1, $12::bytea
FROM new
RETURNING id`

// selectHeld reads the records a batch sent again, locked until the
// batch's transaction ends, in ID order like the inserts.
const selectHeld = `
SELECT ` + storedColumns + `
FROM hub_records WHERE id = ANY($1) ORDER BY id COLLATE "C" FOR UPDATE`

// storedColumns are what scanStored reads.
const storedColumns = `id, station_id, kind, seq::text, created_at_sent, clock_trusted, grid, payload,
	received_at, state, updated_at, note, deliveries, link_key`

// Ingest implements hub.Store, in one transaction per batch. Records are
// keyed by hub.NormalID; whether one sent again is the same record or a
// conflict is hub.Conflict's to say, as for every store.
func (s *Store) Ingest(station string, recs []wire.Record, at time.Time) (wire.Reply, error) {
	rejected := make([]*wire.Rejection, len(recs)) // nil for a record acked
	keys := make([]string, len(recs))
	var order []int
	for i, r := range recs {
		keys[i] = hub.NormalID(r.ID)
		if reason := hub.Check(r); reason != "" {
			rejected[i] = &wire.Rejection{ID: r.ID, Reason: reason}
			continue
		}
		order = append(order, i)
	}
	// Rows are locked in ID order, whatever the batch's order, so two
	// overlapping batches never wait for each other in a cycle, a
	// deadlock PostgreSQL would break by failing one of them.
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	if len(order) > 0 {
		ctx, cancel := s.context()
		defer cancel()
		at = at.Truncate(time.Microsecond) // what timestamptz keeps; rounding could move it into the future
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			again, err := s.insertNew(ctx, tx, station, recs, keys, order, at)
			if err != nil {
				return err
			}
			return s.countAgain(ctx, tx, station, recs, keys, again, rejected)
		})
		if err != nil {
			return wire.Reply{}, fmt.Errorf("hub: pg: ingest: %w", err)
		}
	}
	var reply wire.Reply
	for i, r := range recs {
		if rejected[i] == nil {
			reply.Acked = append(reply.Acked, r.ID)
		} else {
			reply.Rejected = append(reply.Rejected, *rejected[i])
		}
	}
	return reply, nil
}

// insertNew inserts the records of order that the hub does not hold and
// returns the others, in order.
func (s *Store) insertNew(ctx context.Context, tx pgx.Tx, station string, recs []wire.Record, keys []string, order []int, at time.Time) ([]int, error) {
	b := &pgx.Batch{}
	for _, i := range order {
		r := recs[i]
		payload, err := s.seal.Seal(hubseal.RecordAD(keys[i]), r.Payload)
		if err != nil {
			return nil, fmt.Errorf("record %s: %w", r.ID, err)
		}
		note, err := s.seal.Seal(hubseal.NoteAD(keys[i]), nil)
		if err != nil {
			return nil, fmt.Errorf("record %s: %w", r.ID, err)
		}
		link, err := s.sealLinkKey(keys[i], hub.LinkKey(r))
		if err != nil {
			return nil, fmt.Errorf("record %s: %w", r.ID, err)
		}
		b.Queue(insertRecord, keys[i], station, r.Kind, strconv.FormatUint(r.Seq, 10), r.CreatedAt,
			r.CreatedAt.Format(time.RFC3339Nano), r.ClockTrusted, string(r.Grid), payload, at, note, link)
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	var again []int
	for _, i := range order {
		var id string
		err := br.QueryRow().Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			again = append(again, i)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("record %s: %w", recs[i].ID, err)
		}
	}
	return again, br.Close()
}

// countAgain decides on the records of again, which the hub already
// holds: another station's ID, a conflict (hub.Conflict compares the
// payloads opened), or one more delivery of the same record, counted.
func (s *Store) countAgain(ctx context.Context, tx pgx.Tx, station string, recs []wire.Record, keys []string, again []int, rejected []*wire.Rejection) error {
	if len(again) == 0 {
		return nil
	}
	ids := make([]string, len(again))
	for j, i := range again {
		ids[j] = keys[i]
	}
	rows, err := tx.Query(ctx, selectHeld, ids)
	if err != nil {
		return fmt.Errorf("records sent again: %w", err)
	}
	held, err := pgx.CollectRows(rows, s.scanStored)
	if err != nil {
		return fmt.Errorf("records sent again: %w", err)
	}
	byID := make(map[string]hub.Stored, len(held))
	for _, st := range held {
		byID[st.Record.ID] = st
	}
	more := map[string]int{}
	keyed := map[string][]byte{} // records held without a link key that came with one
	for _, i := range again {
		st, ok := byID[keys[i]]
		switch {
		case !ok:
			return fmt.Errorf("record %s: neither inserted nor found", recs[i].ID)
		case st.StationID != station:
			rej := hub.OtherStation(recs[i].ID)
			rejected[i] = &rej
		default:
			if rej, ok := hub.Conflict(st.Record, recs[i]); ok {
				rejected[i] = &rej
				continue
			}
			more[keys[i]]++
			if k := hub.LinkKey(recs[i]); st.Record.LinkKey == "" && k != "" && keyed[keys[i]] == nil {
				if keyed[keys[i]], err = s.sealLinkKey(keys[i], k); err != nil {
					return fmt.Errorf("record %s: %w", recs[i].ID, err)
				}
			}
		}
	}
	b := &pgx.Batch{}
	for _, id := range slices.Sorted(maps.Keys(more)) {
		b.Queue("UPDATE hub_records SET deliveries = deliveries + $2, link_key = coalesce(link_key, $3) WHERE id = $1",
			id, more[id], keyed[id])
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

// heldID is the key of the record whose ID is $1, in any case: its
// lower-case form, or, for a record that kept its ID because another
// had the lower-case form when the database was migrated (schemaV2), $1
// as it was stored.
const heldID = `(SELECT id FROM hub_record_ids WHERE id IN (lower($1), $1) ORDER BY id = lower($1) DESC LIMIT 1)`

// Status implements hub.Store.
func (s *Store) Status(stationID, id string) (wire.Status, bool, error) {
	ctx, cancel := s.context()
	defer cancel()
	st := wire.Status{ID: id}
	var key string
	var note []byte
	err := s.pool.QueryRow(ctx, "SELECT id, state, updated_at, note FROM hub_records WHERE station_id = $2 AND id = "+heldID, id, stationID).
		Scan(&key, &st.State, &st.UpdatedAt, &note)
	if errors.Is(err, pgx.ErrNoRows) {
		return wire.Status{}, false, nil
	}
	if err == nil {
		note, err = s.seal.Open(hubseal.NoteAD(key), note)
		st.Note = string(note)
	}
	if err != nil {
		return wire.Status{}, false, fmt.Errorf("hub: pg: status of %s: %w", id, err)
	}
	return st, true, nil
}

// sealLinkKey seals a record's status-page key, or returns nil (NULL)
// for a record without one.
func (s *Store) sealLinkKey(id, key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	return s.seal.Seal(hubseal.LinkKeyAD(id), []byte(key))
}

// Record implements hub.Store.
func (s *Store) Record(id string) (hub.Stored, bool, error) {
	ctx, cancel := s.context()
	defer cancel()
	rows, err := s.pool.Query(ctx, "SELECT "+storedColumns+" FROM hub_records WHERE id = "+heldID, id)
	if err != nil {
		return hub.Stored{}, false, fmt.Errorf("hub: pg: record %s: %w", id, err)
	}
	all, err := pgx.CollectRows(rows, s.scanStored)
	if err != nil {
		return hub.Stored{}, false, fmt.Errorf("hub: pg: record %s: %w", id, err)
	}
	if len(all) == 0 {
		return hub.Stored{}, false, nil
	}
	return all[0], true, nil
}

// SetStatus implements hub.Store.
func (s *Store) SetStatus(id, state, note string, at time.Time) error {
	if err := hub.CheckState(state); err != nil {
		return fmt.Errorf("hub: pg: set status of %s: %w", id, err)
	}
	// Both keys heldID may find are id in some case: the note's binding
	// (hubseal.NoteAD, lower case) is the same for either.
	sealed, err := s.seal.Seal(hubseal.NoteAD(id), []byte(note))
	if err != nil {
		return fmt.Errorf("hub: pg: set status of %s: %w", id, err)
	}
	ctx, cancel := s.context()
	defer cancel()
	tag, err := s.pool.Exec(ctx, "UPDATE hub_records SET state = $2, note = $3, updated_at = $4 WHERE id = "+heldID,
		id, state, sealed, at.Truncate(time.Microsecond))
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
SELECT `+storedColumns+`
FROM hub_records
WHERE ($1 = '' OR station_id = $1) AND ($2 = '' OR state = $2)
ORDER BY station_id COLLATE "C", seq, id COLLATE "C"
LIMIT $3`, q.StationID, q.State, limit)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: records: %w", err)
	}
	out, err := pgx.CollectRows(rows, s.scanStored)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: records: %w", err)
	}
	return out, nil
}

func (s *Store) scanStored(row pgx.CollectableRow) (hub.Stored, error) {
	var st hub.Stored
	var seq, created string
	var grid, payload, note, link []byte
	err := row.Scan(&st.Record.ID, &st.StationID, &st.Record.Kind, &seq, &created, &st.Record.ClockTrusted,
		&grid, &payload, &st.ReceivedAt, &st.State, &st.UpdatedAt, &note, &st.Deliveries, &link)
	if err != nil {
		return st, err
	}
	if link != nil {
		if link, err = s.seal.Open(hubseal.LinkKeyAD(st.Record.ID), link); err != nil {
			return st, fmt.Errorf("record %s: link key: %w", st.Record.ID, err)
		}
		st.Record.LinkKey = string(link)
	}
	if payload, err = s.seal.Open(hubseal.RecordAD(st.Record.ID), payload); err != nil {
		return st, fmt.Errorf("record %s: payload: %w", st.Record.ID, err)
	}
	if note, err = s.seal.Open(hubseal.NoteAD(st.Record.ID), note); err != nil {
		return st, fmt.Errorf("record %s: note: %w", st.Record.ID, err)
	}
	st.Record.Grid, st.Record.Payload, st.Note = grid, payload, string(note)
	if st.Record.Seq, err = strconv.ParseUint(seq, 10, 64); err != nil {
		return st, fmt.Errorf("record %s: seq: %w", st.Record.ID, err)
	}
	if st.Record.CreatedAt, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return st, fmt.Errorf("record %s: created_at: %w", st.Record.ID, err)
	}
	return st, nil
}
