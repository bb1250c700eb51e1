package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/loadgen"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
)

var (
	provinceStations = flag.Int("province.stations", 20000, "stations BenchmarkProvince reconnects at once")
	provinceBacklog  = flag.Int("province.backlog", 24, "records each station holds after the 24 h outage")
	provinceRate     = flag.Float64("province.rate", 1000, "live records a second, all stations together, after the backlogs")
)

// loadRun is one load on real gridhub serve processes.
type loadRun struct {
	store string // "postgres" or "bbolt"
	hubs  int    // gridhub serve processes on the one store
	cfg   loadgen.Config
	// bytesPerRecord, if set, is given the records' size on disk in
	// PostgreSQL, their indexes and ID table included.
	bytesPerRecord *float64
}

func pgBytesPerRecord(t testing.TB, dsn string, n int) float64 {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var size int64
	err = conn.QueryRow(context.Background(), `
SELECT (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('hub_records'))::bigint
	+ pg_total_relation_size('hub_record_ids')`).Scan(&size)
	if err != nil {
		t.Fatal(err)
	}
	return float64(size) / float64(n)
}

// run starts the hubs, puts the load on them (the backlogs, then the
// live records), stops them, and reads back what the store holds.
func (lr loadRun) run(t testing.TB) (backlog, live loadgen.Result, _ loadgen.Tally) {
	t.Helper()
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, loadgen.Tokens(lr.cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "hub.key")
	data, db := filepath.Join(dir, "data"), ""
	args := []string{"--tokens", tokens, "--key-file", key, "--console=false"}
	if lr.store == "postgres" {
		db = pgtest.DSN(t)
		args = append(args, "--db", db)
	} else {
		args = append(args, "--data", data)
	}
	var hubs []*hubProcess
	cfg := lr.cfg
	cfg.URLs = nil
	for range lr.hubs {
		h := startHub(t, nil, args...)
		hubs = append(hubs, h)
		cfg.URLs = append(cfg.URLs, h.url)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	backlog, err := loadgen.Run(ctx, cfg)
	if err == nil {
		live, err = loadgen.RunLive(ctx, cfg)
	}
	for _, h := range hubs {
		if err := h.stop(); err != nil {
			t.Errorf("gridhub serve did not stop cleanly: %v", err)
		}
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, hubs[0].log.String())
	}
	sf := storeFlags{data: &data, db: &db, keyFile: &key}
	if lr.store == "postgres" {
		sf.data = new(string)
	} else {
		sf.db = new(string)
	}
	s, err := sf.open(context.Background(), existing)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.Records(hub.Query{})
	if err != nil {
		t.Fatal(err)
	}
	stored := make([]loadgen.Stored, len(all))
	for i, st := range all {
		stored[i] = loadgen.Stored{Station: st.StationID, ID: st.Record.ID, Seq: st.Record.Seq}
	}
	if lr.store == "postgres" && lr.bytesPerRecord != nil {
		*lr.bytesPerRecord = pgBytesPerRecord(t, db, len(all))
	}
	return backlog, live, loadgen.Check(lr.cfg, stored)
}

// Stations reconnecting at once with a backlog each, against two hub
// processes on one PostgreSQL database and against one on bbolt: every
// record the stations numbered is at the hub once. A station keeps to
// one hub, half the stations to each, and the two hubs share nothing but
// the database.
func TestLoadSmoke(t *testing.T) {
	for _, lr := range []loadRun{
		{store: "postgres", hubs: 2},
		{store: "bbolt", hubs: 1},
	} {
		t.Run(lr.store, func(t *testing.T) {
			lr.cfg = loadgen.Config{Stations: 60, Records: 25, Batch: 10, Conns: 8, Seed: "smoke", RetryMax: 2 * time.Second,
				Live: 2, Rate: 200}
			res, live, tally := lr.run(t)
			res.Records += live.Records
			want := lr.cfg.Stations * (lr.cfg.Records + lr.cfg.Live)
			if res.Records != want || tally.Stored != want || tally.Lost != 0 || tally.Duplicated != 0 {
				t.Errorf("acked %d, stored %d, lost %d, duplicated %d; want %d acked and stored, none lost or duplicated",
					res.Records, tally.Stored, tally.Lost, tally.Duplicated, want)
			}
		})
	}
}

// BenchmarkProvince is a province's stations (-province.stations, 20,000)
// coming back at once after a 24 h outage, each with its backlog
// (-province.backlog records), against two gridhub serve processes on one
// PostgreSQL database and against one on bbolt;. Run it once (-benchtime 1x).
func BenchmarkProvince(b *testing.B) {
	for _, lr := range []loadRun{
		{store: "postgres", hubs: 2},
		{store: "bbolt", hubs: 1},
	} {
		b.Run(lr.store, func(b *testing.B) {
			for range b.N {
				var size float64
				lr.bytesPerRecord = &size
				lr.cfg = loadgen.Config{Stations: *provinceStations, Records: *provinceBacklog, Batch: 100, Conns: 256, Seed: "outage",
					Live: 1, Rate: *provinceRate}
				res, live, tally := lr.run(b)
				b.ReportMetric(res.RecordsPerSecond(), "records/s")
				b.ReportMetric(res.Elapsed.Seconds(), "drain-s")
				b.ReportMetric(float64(res.P50.Milliseconds()), "p50-ms")
				b.ReportMetric(float64(res.P99.Milliseconds()), "p99-ms")
				b.ReportMetric(live.RecordsPerSecond(), "live-records/s")
				b.ReportMetric(float64(live.P50.Microseconds())/1000, "live-p50-ms")
				b.ReportMetric(float64(live.P99.Microseconds())/1000, "live-p99-ms")
				b.ReportMetric(float64(tally.Lost), "lost")
				b.ReportMetric(float64(tally.Duplicated), "duplicated")
				fmt.Printf("province %s, %d hub(s): %d stations reconnect with %d records each: drained in %.1f s, %.0f records/s, "+
					"ack p50 %v p99 %v, %d retries; then live, one record per request at %.0f/s offered: %.0f records/s, ack p50 %v p99 %v, %d retries; "+
					"stored %d, lost %d, duplicated %d%s\n",
					lr.store, lr.hubs, lr.cfg.Stations, lr.cfg.Records, res.Elapsed.Seconds(), res.RecordsPerSecond(),
					res.P50.Round(time.Millisecond), res.P99.Round(time.Millisecond), res.Retries,
					lr.cfg.Rate, live.RecordsPerSecond(), live.P50.Round(100*time.Microsecond), live.P99.Round(100*time.Microsecond), live.Retries,
					tally.Stored, tally.Lost, tally.Duplicated, sizeNote(size))
				if tally.Lost != 0 || tally.Duplicated != 0 || tally.Stored != lr.cfg.Stations*(lr.cfg.Records+lr.cfg.Live) {
					b.Errorf("stored %d, lost %d, duplicated %d", tally.Stored, tally.Lost, tally.Duplicated)
				}
			}
		})
	}
}

func sizeNote(bytesPerRecord float64) string {
	if bytesPerRecord == 0 {
		return ""
	}
	return fmt.Sprintf("; %.0f bytes a record on disk, indexes included", bytesPerRecord)
}
