package pgstore

import (
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// schemaV6 keeps the system releases and who should run which
// (hub.ReleaseStore). A station's assignment has an empty county and
// arch, a county's an empty station_id: the key is the three together.
const schemaV6 = `
CREATE TABLE hub_releases (
	version  text COLLATE "C" NOT NULL,
	arch     text COLLATE "C" NOT NULL,
	size     bigint NOT NULL CHECK (size > 0),
	sha256   text NOT NULL,
	path     text NOT NULL,
	added_at timestamptz NOT NULL,
	added_by text NOT NULL,
	PRIMARY KEY (version, arch)
);
CREATE TABLE hub_assignments (
	station_id  text COLLATE "C" NOT NULL,
	county      text COLLATE "C" NOT NULL,
	arch        text COLLATE "C" NOT NULL,
	version     text COLLATE "C" NOT NULL,
	assigned_by text NOT NULL,
	assigned_at timestamptz NOT NULL,
	PRIMARY KEY (station_id, county, arch),
	CHECK ((station_id = '') <> (county = ''))
);
CREATE TABLE hub_update_asked (
	station_id text COLLATE "C" PRIMARY KEY,
	arch       text NOT NULL,
	version    text NOT NULL,
	asked_at   timestamptz NOT NULL
);
`

const releaseColumns = "version, arch, size, sha256, path, added_at, added_by"

// PutRelease implements hub.ReleaseStore.
func (s *Store) PutRelease(r hub.Release, replace bool) error {
	if err := hub.CheckRelease(r); err != nil {
		return fmt.Errorf("hub: pg: %w", err)
	}
	ctx, cancel := s.context()
	defer cancel()
	q := "INSERT INTO hub_releases (" + releaseColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (version, arch) DO "
	if replace {
		q += "UPDATE SET size = $3, sha256 = $4, path = $5, added_at = $6, added_by = $7"
	} else {
		q += "NOTHING"
	}
	tag, err := s.pool.Exec(ctx, q, r.Version, r.Arch, r.Size, r.SHA256, r.Path, r.AddedAt.UTC(), r.AddedBy)
	switch {
	case err != nil:
		return fmt.Errorf("hub: pg: release %s/%s: %w", r.Version, r.Arch, err)
	case tag.RowsAffected() == 0:
		return fmt.Errorf("hub: pg: release %s/%s: %w", r.Version, r.Arch, hub.ErrReleaseExists)
	}
	return nil
}

// Release implements hub.ReleaseStore.
func (s *Store) Release(version, arch string) (hub.Release, bool, error) {
	rs, err := s.releases("SELECT "+releaseColumns+" FROM hub_releases WHERE version = $1 AND arch = $2", version, arch)
	if err != nil || len(rs) == 0 {
		return hub.Release{}, false, err
	}
	return rs[0], true, nil
}

// Releases implements hub.ReleaseStore.
func (s *Store) Releases() ([]hub.Release, error) {
	rs, err := s.releases("SELECT " + releaseColumns + " FROM hub_releases")
	hub.SortReleases(rs)
	return rs, err
}

func (s *Store) releases(q string, args ...any) ([]hub.Release, error) {
	ctx, cancel := s.context()
	defer cancel()
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: releases: %w", err)
	}
	rs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.Release, error) {
		var r hub.Release
		err := row.Scan(&r.Version, &r.Arch, &r.Size, &r.SHA256, &r.Path, &r.AddedAt, &r.AddedBy)
		r.AddedAt = r.AddedAt.UTC()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("hub: pg: releases: %w", err)
	}
	return rs, nil
}

// Assign implements hub.ReleaseStore. The release's existence is
// checked in the statement that stores the assignment, so a release
// cannot go between the check and the write.
func (s *Store) Assign(a hub.Assignment) error {
	if err := hub.CheckTarget(a.Target); err != nil {
		return fmt.Errorf("hub: pg: %w", err)
	}
	ctx, cancel := s.context()
	defer cancel()
	if a.Version == "" {
		if _, err := s.pool.Exec(ctx, "DELETE FROM hub_assignments WHERE station_id = $1 AND county = $2 AND arch = $3",
			a.Station, a.County, a.Arch); err != nil {
			return fmt.Errorf("hub: pg: assign %s: %w", a.Target, err)
		}
		return nil
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO hub_assignments (station_id, county, arch, version, assigned_by, assigned_at)
		SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM hub_releases WHERE version = $4 AND ($3 = '' OR arch = $3))
		ON CONFLICT (station_id, county, arch) DO UPDATE SET version = $4, assigned_by = $5, assigned_at = $6`,
		a.Station, a.County, a.Arch, a.Version, a.By, a.At.UTC())
	switch {
	case err != nil:
		return fmt.Errorf("hub: pg: assign %s: %w", a.Target, err)
	case tag.RowsAffected() == 0:
		return fmt.Errorf("hub: pg: assign %s: %w", a.Target, noRelease(a))
	}
	return nil
}

func noRelease(a hub.Assignment) error {
	if a.Arch != "" {
		return fmt.Errorf("%w %s for %s", hub.ErrNoRelease, a.Version, a.Arch)
	}
	return fmt.Errorf("%w %s", hub.ErrNoRelease, a.Version)
}

const assignColumns = "station_id, county, arch, version, assigned_by, assigned_at"

// Assigned implements hub.ReleaseStore.
func (s *Store) Assigned(t hub.Target) (hub.Assignment, bool, error) {
	as, err := s.assignments("SELECT "+assignColumns+" FROM hub_assignments WHERE station_id = $1 AND county = $2 AND arch = $3",
		t.Station, t.County, t.Arch)
	if err != nil || len(as) == 0 {
		return hub.Assignment{}, false, err
	}
	return as[0], true, nil
}

// Assignments implements hub.ReleaseStore.
func (s *Store) Assignments() ([]hub.Assignment, error) {
	as, err := s.assignments("SELECT " + assignColumns + " FROM hub_assignments")
	hub.SortAssignments(as)
	return as, err
}

func (s *Store) assignments(q string, args ...any) ([]hub.Assignment, error) {
	ctx, cancel := s.context()
	defer cancel()
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("hub: pg: assignments: %w", err)
	}
	as, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.Assignment, error) {
		var a hub.Assignment
		err := row.Scan(&a.Station, &a.County, &a.Arch, &a.Version, &a.By, &a.At)
		a.At = a.At.UTC()
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("hub: pg: assignments: %w", err)
	}
	return as, nil
}

// PutAsked implements hub.ReleaseStore.
func (s *Store) PutAsked(a hub.Asked) error {
	if err := hub.CheckAsked(a); err != nil {
		return fmt.Errorf("hub: pg: update question: %w", err)
	}
	ctx, cancel := s.context()
	defer cancel()
	if _, err := s.pool.Exec(ctx, `INSERT INTO hub_update_asked (station_id, arch, version, asked_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (station_id) DO UPDATE SET arch = $2, version = $3, asked_at = $4`, a.Station, a.Arch, a.Version, a.At.UTC()); err != nil {
		return fmt.Errorf("hub: pg: update question of %s: %w", a.Station, err)
	}
	return nil
}

// Asked implements hub.ReleaseStore.
func (s *Store) Asked() ([]hub.Asked, error) {
	ctx, cancel := s.context()
	defer cancel()
	rows, err := s.pool.Query(ctx, "SELECT station_id, arch, version, asked_at FROM hub_update_asked ORDER BY station_id")
	if err != nil {
		return nil, fmt.Errorf("hub: pg: update questions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hub.Asked, error) {
		var a hub.Asked
		err := row.Scan(&a.Station, &a.Arch, &a.Version, &a.At)
		a.At = a.At.UTC()
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("hub: pg: update questions: %w", err)
	}
	return out, nil
}
