package pgstore

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/hubseal"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// SetToken implements hub.Store.
func (s *Store) SetToken(stationID, token string, at time.Time) error {
	if err := hub.CheckToken(stationID, token); err != nil {
		return fmt.Errorf("hub: pg: set token of %s: %w", stationID, err)
	}
	ctx, cancel := s.context()
	defer cancel()
	_, err := s.pool.Exec(ctx, `
INSERT INTO hub_stations (station_id, token_sha256, token_set_at) VALUES ($1, $2, $3)
ON CONFLICT (station_id) DO UPDATE SET token_sha256 = excluded.token_sha256, token_set_at = excluded.token_set_at`,
		stationID, hub.HashToken(token), at.Truncate(time.Microsecond))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation: of token_sha256, the station's own is updated
		err = hub.ErrTokenInUse
	}
	if err != nil {
		return fmt.Errorf("hub: pg: set token of %s: %w", stationID, err)
	}
	return nil
}

// StationByToken implements hub.Store.
func (s *Store) StationByToken(token string) (string, bool, error) {
	ctx, cancel := s.context()
	defer cancel()
	var station string
	err := s.pool.QueryRow(ctx, "SELECT station_id FROM hub_stations WHERE token_sha256 = $1", hub.HashToken(token)).Scan(&station)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("hub: pg: token look-up: %w", err)
	}
	return station, true, nil
}

// Stations implements hub.Store.
func (s *Store) Stations() ([]hub.Station, error) {
	ctx, cancel := s.context()
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT station_id, token_set_at FROM hub_stations ORDER BY station_id COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: stations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.Station, error) {
		var st hub.Station
		err := row.Scan(&st.ID, &st.TokenSetAt)
		return st, err
	})
	if err != nil {
		return nil, fmt.Errorf("hub: pg: stations: %w", err)
	}
	return out, nil
}

// PutRefData implements hub.Store.
func (s *Store) PutRefData(stationID string, data []byte) error {
	err := checkRefDataKey(stationID)
	if err == nil {
		err = wire.ValidateRefData(data)
	}
	var sealed []byte
	if err == nil {
		sealed, err = s.seal.Seal(hubseal.RefDataAD(stationID), data)
	}
	if err == nil {
		ctx, cancel := s.context()
		defer cancel()
		_, err = s.pool.Exec(ctx, `
INSERT INTO hub_refdata (station_id, data, updated_at) VALUES ($1, $2, now())
ON CONFLICT (station_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
			stationID, sealed)
	}
	if err != nil {
		return fmt.Errorf("hub: pg: put refdata of %q: %w", stationID, err)
	}
	return nil
}

// RefData implements hub.Store.
func (s *Store) RefData(stationID string) ([]byte, bool, error) {
	if err := checkRefDataKey(stationID); err != nil {
		return nil, false, fmt.Errorf("hub: pg: refdata of %q: %w", stationID, err)
	}
	ctx, cancel := s.context()
	defer cancel()
	var data []byte
	err := s.pool.QueryRow(ctx, "SELECT data FROM hub_refdata WHERE station_id = $1", stationID).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err == nil {
		data, err = s.seal.Open(hubseal.RefDataAD(stationID), data)
	}
	if err != nil {
		return nil, false, fmt.Errorf("hub: pg: refdata of %q: %w", stationID, err)
	}
	return data, true, nil
}

// checkRefDataKey allows "" (the global copy) and station IDs.
func checkRefDataKey(stationID string) error {
	if stationID == "" {
		return nil
	}
	return hub.CheckStationID(stationID)
}

// SetTokens gives each station of tokens (token → station ID, as
// hub.ParseTokens reads a tokens file) its token, replacing any it had,
// all in one transaction: a province's 20,000 stations are provisioned
// in one pipelined round of statements, and either all or none.
func (s *Store) SetTokens(tokens hub.Tokens, at time.Time) error {
	byStation := make(map[string]string, len(tokens))
	for tok, st := range tokens {
		if err := hub.CheckToken(st, tok); err != nil {
			return fmt.Errorf("hub: pg: set tokens: %w", err)
		}
		if _, dup := byStation[st]; dup {
			return fmt.Errorf("hub: pg: set tokens: station %s is given two tokens; give each station one", st)
		}
		byStation[st] = tok
	}
	ctx, cancel := s.context()
	defer cancel()
	at = at.Truncate(time.Microsecond)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, st := range slices.Sorted(maps.Keys(byStation)) {
			b.Queue(`
INSERT INTO hub_stations (station_id, token_sha256, token_set_at) VALUES ($1, $2, $3)
ON CONFLICT (station_id) DO UPDATE SET token_sha256 = excluded.token_sha256, token_set_at = excluded.token_set_at`,
				st, hub.HashToken(byStation[st]), at)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // a token another station, not in the file, holds
		err = hub.ErrTokenInUse
	}
	if err != nil {
		return fmt.Errorf("hub: pg: set tokens: %w", err)
	}
	return nil
}
