package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
	"github.com/gridkiosk/gridkiosk/sync/wire"
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
	s, err := Open(ctx, dsn, filepath.Join(t.TempDir(), "hub.key"))
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

// A database of a hub from before sealing (schema version 2) has its
// payloads, notes and reference data sealed when opened: everything
// still reads as it was, conflicts are still found, and neither the
// tables nor their files hold the old clear rows.
func TestMigrateSealsClearRows(t *testing.T) {
	p := newPersonal(t)
	dsn, key := pgtest.DSN(t), filepath.Join(t.TempDir(), "hub.key")
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	const station = "141029-xfw-01"
	r := p.record("0190f5e6-0000-7000-8000-00000000000c")
	_, err = conn.Exec(ctx, schemaV1+schemaV2+`
CREATE TABLE hub_schema (version integer NOT NULL);
INSERT INTO hub_schema VALUES (2);`)
	if err != nil {
		t.Fatal(err)
	}
	// As the hub before sealing wrote them.
	_, err = conn.Exec(ctx, `
INSERT INTO hub_records (id, station_id, kind, seq, created_at, created_at_sent, clock_trusted, grid, payload, received_at, state, note, updated_at, deliveries)
VALUES ($1, $2, 'registration', 1, $3, $4, true, $5, $6, now(), 'in_progress', $7, now(), 1)`,
		r.ID, station, r.CreatedAt, r.CreatedAt.Format(time.RFC3339Nano), string(r.Grid), string(r.Payload), p.note())
	if err == nil {
		_, err = conn.Exec(ctx, `INSERT INTO hub_refdata (station_id, data, updated_at) VALUES ('', $2, now()), ($1, $2, now())`,
			station, string(p.refData()))
	}
	if err != nil {
		t.Fatal(err)
	}
	var before []string
	conn.QueryRow(ctx, `SELECT array_agg(pg_relation_filepath(c)) FROM unnest(array['hub_records', 'hub_refdata']) c`).Scan(&before)

	s, err := Open(ctx, dsn, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.Records(hub.Query{})
	if err != nil || len(all) != 1 || !bytes.Equal(all[0].Record.Payload, r.Payload) || all[0].Note != p.note() || all[0].State != hub.StateInProgress {
		t.Fatalf("records after sealing: %+v %v", all, err)
	}
	for _, st := range []string{"", station} {
		if rd, ok, err := s.RefData(st); err != nil || !ok || !bytes.Equal(rd, p.refData()) {
			t.Fatalf("refdata %q after sealing: %s %v %v", st, rd, ok, err)
		}
	}
	other := r
	other.Payload = json.RawMessage(`{"phone":"13800000000"}`)
	reply, err := s.Ingest(station, []wire.Record{r, other}, time.Now())
	if err != nil || len(reply.Acked) != 1 || len(reply.Rejected) != 1 || reply.Rejected[0].Code != wire.RejectConflict {
		t.Fatalf("sent again, and with another payload: %+v %v", reply, err)
	}
	if found := p.in(t, dump(t, conn)); len(found) > 0 {
		t.Errorf("the tables hold in clear after sealing: %q", found)
	}
	// The clear rows were written to the WAL before sealing; the tables'
	// own files must not keep them as dead rows.
	var after []string
	if err := conn.QueryRow(ctx, `
SELECT array_agg(pg_relation_filepath(c)) FROM (
	SELECT relid FROM pg_partition_tree('hub_records') WHERE isleaf
	UNION ALL SELECT relid FROM pg_partition_tree('hub_records_pkey') WHERE isleaf
	UNION ALL SELECT 'hub_refdata'::regclass
) r(c)`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	files := onDisk(t, conn)
	for _, rel := range append(after, before...) {
		for path, b := range files {
			if strings.HasSuffix(path, "/"+rel) || strings.Contains(path, "/"+rel+".") || strings.Contains(path, "/"+rel+"_") {
				if found := p.in(t, b); len(found) > 0 {
					t.Errorf("%s holds in clear after sealing: %q", path, found)
				}
			}
		}
	}
	var version int
	if err := conn.QueryRow(ctx, "SELECT version FROM hub_schema").Scan(&version); err != nil || version != len(migrations()) {
		t.Fatalf("schema version %d, %v", version, err)
	}
}
