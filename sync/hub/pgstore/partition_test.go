package pgstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func matter(i int) wire.Record {
	return wire.Record{ID: fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i), Kind: "matter", Seq: uint64(i + 1), ClockTrusted: true,
		CreatedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), Grid: []byte(`{"county":"141029"}`),
		Payload: []byte(fmt.Sprintf(`{"category":"repair","n":%d}`, i))}
}

// partitionOf says which table holds the record with ID id.
func partitionOf(t *testing.T, conn *pgx.Conn, id string) string {
	t.Helper()
	var table string
	if err := conn.QueryRow(context.Background(), "SELECT tableoid::regclass::text FROM hub_records WHERE id = $1", id).Scan(&table); err != nil {
		t.Fatalf("record %s: %v", id, err)
	}
	return table
}

// deliveries returns each stored record's deliveries by ID, failing on
// an ID stored twice.
func deliveries(t *testing.T, s *Store) map[string]int {
	t.Helper()
	all, err := s.Records(hub.Query{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, st := range all {
		if _, dup := got[st.Record.ID]; dup {
			t.Fatalf("record %s stored twice", st.Record.ID)
		}
		got[st.Record.ID] = st.Deliveries
	}
	return got
}

// An unpartitioned database of an older hub keeps every record when it
// is partitioned: each lands in its month's partition, reads as it was,
// and an ID sent again is still the same record, whatever its month.
func TestMigrateToPartitions(t *testing.T) {
	dsn, key := pgtest.DSN(t), filepath.Join(t.TempDir(), "hub.key")
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, schemaV1+schemaV2+`
CREATE TABLE hub_schema (version integer NOT NULL);
INSERT INTO hub_schema VALUES (2);`)
	if err != nil {
		t.Fatal(err)
	}
	received := []time.Time{
		time.Date(2024, 1, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 15, 8, 0, 0, 0, time.UTC),
	}
	for i, at := range received {
		r := matter(i)
		_, err := conn.Exec(ctx, `
INSERT INTO hub_records (id, station_id, kind, seq, created_at, created_at_sent, clock_trusted, grid, payload, received_at, state, updated_at, deliveries)
VALUES ($1, 's', 'matter', $2, $3, $4, true, $5, $6, $7, 'received', $7, 1)`,
			r.ID, r.Seq, r.CreatedAt, r.CreatedAt.Format(time.RFC3339Nano), string(r.Grid), string(r.Payload), at)
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, dsn, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, want := range []string{"hub_records_y2024m01", "hub_records_y2024m02", "hub_records_y2026m11"} {
		if got := partitionOf(t, conn, matter(i).ID); got != want {
			t.Errorf("record received %v is in %s, want %s", received[i], got, want)
		}
	}
	all, err := s.Records(hub.Query{})
	if err != nil || len(all) != len(received) {
		t.Fatalf("records after partitioning: %d, %v", len(all), err)
	}
	for i, st := range all {
		if r := matter(i); st.Record.ID != r.ID || string(st.Record.Payload) != string(r.Payload) || !st.ReceivedAt.Equal(received[i]) {
			t.Errorf("record %d after partitioning: %+v", i, st)
		}
	}
	reply, err := s.Ingest("s", []wire.Record{matter(0), matter(1), matter(2), matter(3)}, time.Now())
	if err != nil || len(reply.Acked) != 4 {
		t.Fatalf("sent again after partitioning: %+v %v", reply, err)
	}
	if got := deliveries(t, s); len(got) != 4 || got[matter(0).ID] != 2 || got[matter(3).ID] != 1 {
		t.Errorf("deliveries after sending again: %v", got)
	}
	s.Close()
	// Opened again: nothing to migrate, nothing changed.
	s, err = Open(ctx, dsn, key)
	if err != nil {
		t.Fatal(err)
	}
	if got := deliveries(t, s); len(got) != 4 {
		t.Errorf("records after opening again: %v", got)
	}
	var version int
	if err := conn.QueryRow(ctx, "SELECT version FROM hub_schema").Scan(&version); err != nil || version != len(migrations()) {
		t.Fatalf("schema version %d, %v", version, err)
	}
}

// A record received in a month that has no partition yet is stored in
// the default partition, is the same record when sent again, and moves
// into its month's partition when that is created.
func TestMonthWithoutPartition(t *testing.T) {
	dsn, key := pgtest.DSN(t), filepath.Join(t.TempDir(), "hub.key")
	ctx := t.Context()
	s, err := Open(ctx, dsn, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	later := monthStart(time.Now()).AddDate(2, 0, 3)
	r := matter(1)
	for range 2 {
		if reply, err := s.Ingest("s", []wire.Record{r}, later); err != nil || len(reply.Acked) != 1 {
			t.Fatalf("ingest in a month without a partition: %+v %v", reply, err)
		}
	}
	if got := partitionOf(t, conn, r.ID); got != "hub_records_default" {
		t.Fatalf("record is in %s, want the default partition", got)
	}
	if err := s.EnsurePartitions(ctx, later); err != nil {
		t.Fatal(err)
	}
	if got, want := partitionOf(t, conn, r.ID), partitionName(monthStart(later)); got != want {
		t.Fatalf("record is in %s after its partition was made, want %s", got, want)
	}
	// Sent again in the current month: the same record, not a second.
	if reply, err := s.Ingest("s", []wire.Record{r}, time.Now()); err != nil || len(reply.Acked) != 1 {
		t.Fatalf("sent again: %+v %v", reply, err)
	}
	if got := deliveries(t, s); len(got) != 1 || got[r.ID] != 3 {
		t.Errorf("deliveries: %v", got)
	}
	if st, ok, err := s.Status("s", r.ID); err != nil || !ok || st.State != hub.StateReceived {
		t.Errorf("status: %+v %v %v", st, ok, err)
	}
	if err := s.SetStatus(r.ID, hub.StateDone, "ok", time.Now()); err != nil {
		t.Errorf("set status: %v", err)
	}
	// Every hub runs the upkeep: a second run, or two at once, is harmless.
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- s.EnsurePartitions(ctx, later.AddDate(0, 1, 0)) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
