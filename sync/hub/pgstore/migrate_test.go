package pgstore

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
)

// A database of a hub from before case-insensitive IDs has its
// upper-case IDs made lower case, except where the lower-case ID is
// taken, and the records are found in either case.
func TestMigrateUpperCaseIDs(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	const (
		upper = "0190F5E6-0000-7000-8000-00000000000A"
		taken = "0190F5E6-0000-7000-8000-00000000000B"
	)
	_, err = conn.Exec(ctx, schemaV1+`
CREATE TABLE hub_schema (version integer NOT NULL);
INSERT INTO hub_schema VALUES (1);`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `
INSERT INTO hub_records (id, station_id, kind, seq, created_at, created_at_sent, clock_trusted, grid, payload, received_at, state, updated_at, deliveries)
VALUES ($1, 's', 'matter', 1, now(), '2026-11-26T09:00:00Z', true, '{}', '{"n":1}', now(), 'received', now(), 1),
	($2, 's', 'matter', 2, now(), '2026-11-26T09:00:00Z', true, '{}', '{"n":2}', now(), 'received', now(), 1),
	(lower($2), 's', 'matter', 3, now(), '2026-11-26T09:00:00Z', true, '{}', '{"n":3}', now(), 'received', now(), 1)`,
		upper, taken)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.Records(hub.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range all {
		got = append(got, st.Record.ID)
	}
	want := []string{hub.NormalID(upper), taken, hub.NormalID(taken)}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("IDs after migration %v, want %v", got, want)
	}
	for _, id := range []string{upper, hub.NormalID(upper)} {
		if _, ok, err := s.Status("s", id); !ok || err != nil {
			t.Errorf("Status(%s) = %v, %v", id, ok, err)
		}
	}
}
