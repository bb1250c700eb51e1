package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/loadgen"
	"github.com/gridkiosk/gridkiosk/sync/hub/pgtest"
)

var (
	provinceStations   = flag.Int("province.stations", 20000, "stations BenchmarkProvince reconnects at once")
	provinceBacklog    = flag.Int("province.backlog", 24, "records each station holds after the 24 h outage")
	provinceRate       = flag.Float64("province.rate", 1000, "live records a second, all stations together, after the backlogs")
	provinceHealthRate = flag.Float64("province.health-rate", 200, "live health reports a second, all stations together (20,000 stations every 5 min: 67)")
)

// loadRun is one load on real gridhub serve processes.
type loadRun struct {
	store string // "postgres" or "bbolt"
	hubs  int    // gridhub serve processes on the one store
	cfg   loadgen.Config
	// imported gives the stations their tokens with gridhub station
	// import, in the store, instead of serve --tokens.
	imported bool
	// importTime, if set, is given how long the import took.
	importTime *time.Duration
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
	storeArgs := []string{"--key-file", key, "--data", data}
	if lr.store == "postgres" {
		db = pgtest.DSN(t)
		storeArgs = []string{"--key-file", key, "--db", db}
	}
	args := append([]string{"--console=false"}, storeArgs...)
	if lr.imported {
		var out, errb bytes.Buffer
		t0 := time.Now()
		if code := realMain(append(append([]string{"station", "import"}, storeArgs...), tokens), &out, &errb); code != 0 {
			t.Fatalf("gridhub station import: exit %d: %s", code, errb.String())
		}
		if got, want := strings.TrimSpace(out.String()), fmt.Sprintf("%d stations", lr.cfg.Stations); got != want {
			t.Fatalf("gridhub station import printed %q, want %q", got, want)
		}
		if lr.importTime != nil {
			*lr.importTime = time.Since(t0)
		}
	} else {
		args = append(args, "--tokens", tokens)
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
		requireDurable(t, db)
		*lr.bytesPerRecord = pgBytesPerRecord(t, db, len(all))
	}
	return backlog, live, loadgen.Check(lr.cfg, stored)
}

// Stations reconnecting at once with a backlog each, against two hub
// processes on one PostgreSQL database and against one on bbolt: every
// record the stations numbered is at the hub once; so too with the
// stations' tokens imported into the store (gridhub station import)
// rather than in a file each hub reads. A station keeps to
// one hub, half the stations to each, and the two hubs share nothing but
// the database.
func TestLoadSmoke(t *testing.T) {
	for _, lr := range []loadRun{
		{store: "postgres", hubs: 2},
		{store: "bbolt", hubs: 1},
		{store: "postgres", hubs: 2, imported: true},
		{store: "bbolt", hubs: 1, imported: true},
	} {
		name := lr.store
		if lr.imported {
			name += "/imported"
		}
		t.Run(name, func(t *testing.T) {
			lr.cfg = loadgen.Config{Stations: 60, Records: 25, Batch: 10, Conns: 8, Seed: "smoke", RetryMax: 2 * time.Second,
				Live: 2, Rate: 200, Health: true, HealthRate: 200}
			res, live, tally := lr.run(t)
			if res.Health != lr.cfg.Stations || live.Health != lr.cfg.Stations*lr.cfg.Live {
				t.Errorf("health reports taken: %d after the backlogs, %d live; want %d and %d",
					res.Health, live.Health, lr.cfg.Stations, lr.cfg.Stations*lr.cfg.Live)
			}
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
// (-province.backlog records) and its newest health report, against two
// gridhub serve processes on one PostgreSQL database and against one on
// bbolt; then live records at -province.rate a second and health reports
// at -province.health-rate. Run it once (-benchtime 1x).
func BenchmarkProvince(b *testing.B) {
	// Against bbolt's fsync, PostgreSQL commits durably too: the cluster
	// starts at the first DSN, which is this benchmark's in a run of it
	// alone (checked below).
	b.Setenv(pgtest.DurableEnv, "1")
	// PostgreSQL's stations are imported into the database in one
	// transaction; bbolt's come from a --tokens file (importing would be
	// a commit each).
	for _, lr := range []loadRun{
		{store: "postgres", hubs: 2, imported: true},
		{store: "bbolt", hubs: 1},
	} {
		b.Run(lr.store, func(b *testing.B) {
			for range b.N {
				var size float64
				var imported time.Duration
				lr.bytesPerRecord, lr.importTime = &size, &imported
				lr.cfg = loadgen.Config{Stations: *provinceStations, Records: *provinceBacklog, Batch: 100, Conns: 256, Seed: "outage",
					Live: 1, Rate: *provinceRate, Health: true, HealthRate: *provinceHealthRate}
				res, live, tally := lr.run(b)
				b.ReportMetric(res.RecordsPerSecond(), "records/s")
				b.ReportMetric(res.Elapsed.Seconds(), "drain-s")
				b.ReportMetric(float64(res.P50.Milliseconds()), "p50-ms")
				b.ReportMetric(float64(res.P99.Milliseconds()), "p99-ms")
				b.ReportMetric(live.RecordsPerSecond(), "live-records/s")
				b.ReportMetric(float64(live.P50.Microseconds())/1000, "live-p50-ms")
				b.ReportMetric(float64(live.P99.Microseconds())/1000, "live-p99-ms")
				b.ReportMetric(res.HealthElapsed.Seconds(), "health-drain-s")
				b.ReportMetric(live.HealthPerSecond(), "live-health/s")
				b.ReportMetric(float64(live.HealthP99.Microseconds())/1000, "live-health-p99-ms")
				b.ReportMetric(float64(tally.Lost), "lost")
				b.ReportMetric(float64(tally.Duplicated), "duplicated")
				if lr.imported {
					fmt.Printf("province %s: %d stations' tokens imported (gridhub station import) in %.1f s\n",
						lr.store, lr.cfg.Stations, imported.Seconds())
				}
				fmt.Printf("province %s, %d hub(s): %d stations reconnect with %d records each: drained in %.1f s, %.0f records/s, "+
					"ack p50 %v p99 %v, %d retries; then live, one record per request at %.0f/s offered: %.0f records/s, ack p50 %v p99 %v, %d retries; "+
					"stored %d, lost %d, duplicated %d%s\n"+
					"province %s health: after the outage each station's newest report, all taken %.1f s after the start (ack p50 %v p99 %v, %d turned away with Retry-After and sent again); "+
					"live, %.0f offered: %.0f reports/s, ack p50 %v p99 %v, %d turned away\n",
					lr.store, lr.hubs, lr.cfg.Stations, lr.cfg.Records, res.Elapsed.Seconds(), res.RecordsPerSecond(),
					res.P50.Round(time.Millisecond), res.P99.Round(time.Millisecond), res.Retries,
					lr.cfg.Rate, live.RecordsPerSecond(), live.P50.Round(100*time.Microsecond), live.P99.Round(100*time.Microsecond), live.Retries,
					tally.Stored, tally.Lost, tally.Duplicated, sizeNote(size),
					lr.store, res.HealthElapsed.Seconds(), res.HealthP50.Round(100*time.Microsecond), res.HealthP99.Round(100*time.Microsecond), res.HealthRetries,
					lr.cfg.HealthRate, live.HealthPerSecond(), live.HealthP50.Round(100*time.Microsecond), live.HealthP99.Round(100*time.Microsecond), live.HealthRetries)
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

// A tokens file that cannot be imported is refused whole, saying why:
// a line that is no token, a station given two tokens, a token that
// another station holds.
func TestStationImportErrors(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "hub.key")
	db := pgtest.DSN(t)
	tokA, tokB := strings.Repeat("a", 64), strings.Repeat("b", 64)
	if out := run(t, "station", "import", "--db", db, "--key-file", key, writeFile(t, dir, "ok", "141029-xfw-01 "+tokA+"\n")); out != "1 stations" {
		t.Fatalf("import printed %q", out)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"short token", "141029-xfw-02 abc\n", "shorttoken:1"},
		{"two tokens", "141029-xfw-02 " + tokB + "\n141029-xfw-02 " + strings.Repeat("c", 64) + "\n", "station 141029-xfw-02 is given two tokens"},
		{"token in use", "141029-xfw-02 " + tokA + "\n", "token already belongs to another station"},
		{"bad station", "141029_XFW " + tokB + "\n", "141029_XFW"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runErr("station", "import", "--db", db, "--key-file", key, writeFile(t, dir, strings.ReplaceAll(tc.name, " ", ""), tc.file))
			if code == 0 || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, %q; want a failure saying %q", code, out, tc.want)
			}
		})
	}
	if out := run(t, "station", "list", "--db", db, "--key-file", key); strings.Contains(out, "141029-xfw-02") {
		t.Errorf("a refused import stored a station:\n%s", out)
	}
}

// requireDurable fails a benchmark whose PostgreSQL does not commit
// durably: its figures would not compare with bbolt's.
func requireDurable(t testing.TB, dsn string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var fsync, sync string
	if err := conn.QueryRow(context.Background(), "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &sync); err != nil {
		t.Fatal(err)
	}
	if fsync != "on" || sync != "on" {
		t.Fatalf("PostgreSQL runs with fsync=%s synchronous_commit=%s: run BenchmarkProvince alone (-run '^$'), so its cluster is the durable one", fsync, sync)
	}
}
