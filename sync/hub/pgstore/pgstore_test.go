package pgstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgstore"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
	"github.com/gridkiosk/gridkiosk/sync/hub/storetest"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// open opens the store at dsn with the key in key (see keyFile).
func open(t *testing.T, dsn, key string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(t.Context(), dsn, key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// keyFile is where a test's store key is made.
func keyFile(t *testing.T) string { return filepath.Join(t.TempDir(), "hub.key") }

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) hub.Store { return open(t, pgtest.DSN(t), keyFile(t)) })
}

// Hubs that start together on a new database both find the tables, and
// a store opened again finds what it stored.
func TestOpenTwice(t *testing.T) {
	dsn, key := pgtest.DSN(t), keyFile(t)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			s, err := pgstore.Open(context.Background(), dsn, key)
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	s := open(t, dsn, key)
	if err := s.PutRefData("", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if data, ok, err := open(t, dsn, key).RefData(""); err != nil || !ok || string(data) != "{}" {
		t.Fatalf("after reopening: %s %v %v", data, ok, err)
	}
}

func TestOpenErrors(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	key := keyFile(t)
	open(t, dsn, key).Close()
	if _, err := conn.Exec(ctx, "UPDATE hub_schema SET version = 99"); err != nil {
		t.Fatal(err)
	}
	ascii := strings.Replace(dsn, "/t", "/ascii_t", 1)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+dbName(t, ascii)+" ENCODING 'SQL_ASCII' TEMPLATE template0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP DATABASE "+dbName(t, ascii)) })
	tests := []struct {
		name, dsn, want string
	}{
		{"newer schema", dsn, "schema version 99"},
		{"not UTF-8", ascii, "needs UTF8"},
		{"no such database", strings.Replace(dsn, "/t", "/none_t", 1), "does not exist"},
		{"not a DSN", "postgres://[::1", "hub: pg:"},
	}
	for _, tc := range tests {
		s, err := pgstore.Open(ctx, tc.dsn, key)
		if err == nil {
			s.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Open: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

func dbName(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return pgx.Identifier{strings.TrimPrefix(u.Path, "/")}.Sanitize()
}

// BenchmarkIngest is the cost of a batch of 100 new records, each
// payload sealed before it is inserted.
func BenchmarkIngest(b *testing.B) {
	s, err := pgstore.Open(b.Context(), pgtest.DSN(b), filepath.Join(b.TempDir(), "hub.key"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	n := 0
	for b.Loop() {
		recs := make([]wire.Record, 100)
		for i := range recs {
			n++
			recs[i] = wire.Record{ID: fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", n), Kind: "matter", Seq: uint64(n),
				CreatedAt: at, Grid: json.RawMessage(`{"county":"141029","township":"141029100","community":"141029100001"}`),
				Payload: json.RawMessage(`{"category":"repair","description":"` + strings.Repeat("灯", 100) + `"}`)}
		}
		reply, err := s.Ingest("s", recs, at)
		if err != nil || len(reply.Acked) != len(recs) {
			b.Fatalf("%+v %v", reply, err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
