package soak

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/faultnet"
)

var (
	cycles  = flag.Int("soak.cycles", 20, "kill/restart cycles of the station")
	seedArg = flag.Uint64("soak.seed", 0, "seed of kill timings, partitions and proxy faults; 0: from the clock")
	keepDir = flag.String("soak.dir", "", "work in this directory's soak/ and powercut/ and keep them (logs, databases); default: temporary ones")
)

// soakSeed is -soak.seed, or a new seed logged so that a failing run can
// be replayed.
func soakSeed(t *testing.T, name, runs string) uint64 {
	seed := *seedArg
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("%s: seed %d (replay with -soak.seed=%d), %s", name, seed, seed, runs)
	return seed
}

// TestSoak kills and restarts the station under a faulty network while
// records are submitted, then checks that every record the station
// promised (201) reached the hub exactly once and intact, and that every
// print job it answered 202 for is kept, whole and held, unless cancelled.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: skipped in -short mode")
	}
	seed := soakSeed(t, "soak", fmt.Sprintf("%d cycles", *cycles))
	started := time.Now()
	dir := workDir(t, "soak")
	bin := buildStation(t, dir)
	h := startHub(t, dir, seed)
	desk := newPrintDesk(t)
	st := newStation(t, dir, filepath.Join(dir, "station"), bin, h.URL(), desk.printerConfig())

	st.start()
	st.waitReady()
	token := st.token()
	sub := newSubmitter(st.admin, token)
	desk.attach(st.admin, token, sub.promisedID)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sub.run(ctx) })
	wg.Go(func() { partitions(ctx, h.proxy, rand.New(rand.NewPCG(seed, 2))) })
	wg.Go(func() { desk.run(ctx, rand.New(rand.NewPCG(seed, 4))) })
	killLoop(t, st, desk, rand.New(rand.NewPCG(seed, 1)), *cycles)
	cancel()
	wg.Wait()

	// The network heals; the station comes back once more and drains.
	h.proxy.SetFaults(faultnet.Faults{})
	st.start()
	st.waitReady()
	desk.check(st)
	final := st.waitDrained(2 * time.Minute)
	lookups := checkStates(t, st, token, sub.attempts)
	st.stop()
	stored := h.records(t)
	v := verify(sub.attempts, stored)
	desk.verifyReceipts(stored)
	report(t, "soak", *cycles, seed, started, v, final, lookups, sub.attempts, h.proxy.Stats(), desk.figures())
}

// report prints a soak's summary line (name: the soak's, and the flag
// that replays it; extra: figures of that soak alone) and fails the test
// on any broken promise.
func report(t *testing.T, name string, cycles int, seed uint64, started time.Time, v verdict, final health, lookups int,
	attempts []attempt, ps faultnet.Stats, extra string) {
	t.Helper()
	summary := fmt.Sprintf("%s: seed=%d cycles=%d promised=%d at_hub=%d extra_at_hub=%d duplicates_at_hub_absorbed=%d "+
		"missing=%d content_mismatch=%d phantom=%d seq_problems=%d reencoded=%d queued_left=%d rejected=%d "+
		"station_delivered=%d hub_records=%d not_delivered_at_station=%d submissions=%d elapsed=%s%s "+
		"proxy: accepted=%d dropped=%d reset=%d duplicated=%d partitions=%d severed=%d requests=%d",
		name, seed, cycles, v.Promised, v.AtHub, v.Extra, v.Absorbed, v.Missing, v.Mismatch, v.Phantom, v.SeqProblem,
		v.Reencoded, final.Outbox.Queued, final.Outbox.Rejected, final.Outbox.Delivered, v.HubRecords, lookups,
		len(attempts), time.Since(started).Round(time.Second), extra,
		ps.Accepted, ps.Dropped(), ps.Reset, ps.Duplicated, ps.Partitions, ps.Severed, ps.Requests)
	t.Log(summary)
	fmt.Println(summary)
	t.Logf("%s: submissions by outcome: %s", name, outcomes(attempts))

	if !v.ok() || v.Promised == 0 {
		t.Errorf("%s FAILED (replay with -soak.seed=%d -%s.cycles=%d): %d promised, problems:\n  %s",
			name, seed, name, cycles, v.Promised, strings.Join(v.Problems, "\n  "))
	}
	if final.Outbox.Delivered != v.HubRecords {
		t.Errorf("the station counts %d records delivered, the hub holds %d", final.Outbox.Delivered, v.HubRecords)
	}
	if final.Outbox.Rejected != 0 {
		t.Errorf("the station set %d records aside as rejected by the hub", final.Outbox.Rejected)
	}
	if lookups != 0 {
		t.Errorf("%d promised records are not delivered by the station's own account", lookups)
	}
	for _, a := range attempts {
		if a.Outcome == unexpected {
			t.Errorf("submission 第%d号 got an unexpected answer: %d %s", a.N, a.Status, a.Detail)
			break
		}
	}
}

// killLoop restarts and SIGKILLs the station cycles times. The station is
// running when it is called (the first cycle's start) and dead when it
// returns.
func killLoop(t *testing.T, st *station, desk *printDesk, rng *rand.Rand, cycles int) {
	t.Helper()
	for i := range cycles {
		if i > 0 {
			st.start()
		}
		switch p := rng.Float64(); {
		case p < 0.1 && i > 0:
			// During start-up: opening the outbox, the first batch.
			time.Sleep(between(rng, 0, 80*time.Millisecond))
		case p < 0.5:
			// Soon after it is ready: forwarding of the backlog.
			st.waitReady()
			desk.ready(st)
			time.Sleep(between(rng, 20*time.Millisecond, 300*time.Millisecond))
		default:
			// Steady running: submissions and batches in flight.
			st.waitReady()
			desk.ready(st)
			time.Sleep(between(rng, 300*time.Millisecond, 3*time.Second))
		}
		st.kill()
		desk.cut()
		time.Sleep(between(rng, 0, 150*time.Millisecond))
	}
}

// checkStates looks up every promised record at the station after the
// drain and returns how many are not delivered there.
func checkStates(t *testing.T, st *station, token string, attempts []attempt) int {
	t.Helper()
	bad := 0
	for _, a := range attempts {
		if a.Outcome != promised {
			continue
		}
		state, err := st.state(token, a.ID)
		if err != nil || state != "delivered" {
			if bad < 10 {
				t.Errorf("soak: promised record %s (第%d号) at the station after the drain: %q %v", a.ID, a.N, state, err)
			}
			bad++
		}
	}
	return bad
}

func outcomes(attempts []attempt) string {
	n := map[outcome]int{}
	for _, a := range attempts {
		n[a.Outcome]++
	}
	var parts []string
	for o := notSent; o <= unexpected; o++ {
		parts = append(parts, fmt.Sprintf("%s=%d", o, n[o]))
	}
	return strings.Join(parts, " ")
}

// workDir is a temporary directory, or with -soak.dir the named soak's
// directory under it, kept.
func workDir(t *testing.T, name string) string {
	if *keepDir == "" {
		return t.TempDir()
	}
	dir := filepath.Join(*keepDir, name)
	// A station or hub left from another run would blur the counts.
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		t.Fatalf("%s: -soak.dir %s is not empty", name, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: working in %s (kept)", name, dir)
	return dir
}
