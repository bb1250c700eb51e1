package soak

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/powercut"
	"github.com/gridkiosk/gridkiosk/sync/faultnet"
)

var cuts = flag.Int("powercut.cycles", 20, "power cuts of the station in TestPowerCutSoak")

// soakRefData is the reference data the hub serves in the power-cut soak:
// the station keeps it in its database, and it must survive the cuts
// whole or not at all.
const soakRefData = `{"categories":[{"code":"repair","name":"报修 Repair"}]}`

// TestPowerCutSoak is the soak with power cuts instead of kills: the
// station's data directory is on a powercut file system, and each cycle
// SIGKILLs the station and then drops everything it had not fsynced, as
// a power cut would, before it starts again. At the end, the same
// promise as TestSoak's: every record answered 201 is at the hub exactly
// once, intact; and after every cut the station's key, admin token and
// reference data are whole or absent, never half. A print desk asks for
// receipts meanwhile on a printer that runs out of paper in each: after
// every cut each job the station answered 202 for is listed, whole and
// held, unless staff cancelled it (see printDesk).
func TestPowerCutSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("powercut: skipped in -short mode")
	}
	seed := soakSeed(t, "powercut", fmt.Sprintf("%d cuts", *cuts))
	started := time.Now()
	dir := workDir(t, "powercut")
	fsys, mnt := powercut.Mounted(t)
	bin := buildStation(t, dir)
	h := startHub(t, dir, seed)
	if err := h.store.PutRefData(stationID, []byte(soakRefData)); err != nil {
		t.Fatal(err)
	}
	desk := newPrintDesk(t)
	st := newStation(t, dir, filepath.Join(mnt, "station"), bin, h.URL(), desk.printerConfig())

	st.start()
	st.waitReady()
	token := st.token()
	files := &fileCheck{token: token + "\n"}
	sub := newSubmitter(st.admin, token)
	desk.attach(st.admin, token, sub.promisedID)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sub.run(ctx) })
	wg.Go(func() { desk.run(ctx, rand.New(rand.NewPCG(seed, 4))) })
	cutLoop(t, st, fsys, files, desk, rand.New(rand.NewPCG(seed, 3)), *cuts)
	cancel()
	wg.Wait()

	h.proxy.SetFaults(faultnet.Faults{})
	st.start()
	st.waitReady()
	desk.check(st)
	final := st.waitDrained(2 * time.Minute)
	files.refData(t, st)
	if files.etag == "" {
		t.Errorf("powercut: the station holds no reference data after the drain")
	}
	lookups := checkStates(t, st, token, sub.attempts)
	st.stop()
	stored := h.records(t)
	v := verify(sub.attempts, stored)
	desk.verifyReceipts(stored)
	fst := fsys.Stats()
	extra := fmt.Sprintf(" fs: file_syncs=%d dir_syncs=%d dropped_bytes=%d dropped_entries=%d key_and_token_checks=%d refdata_kept=%d",
		fst.FileSyncs, fst.DirSyncs, fst.DroppedBytes, fst.DroppedFiles, files.checks, files.refKept) + desk.figures()
	report(t, "powercut", *cuts, seed, started, v, final, lookups, sub.attempts, h.proxy.Stats(), extra)
}

// cutLoop starts the station, lets it run for a random while, SIGKILLs it
// and cuts the power, cycles times; the station is running when it is
// called and dead when it returns. After each cut, before the next start,
// the station's files are checked.
func cutLoop(t *testing.T, st *station, fsys *powercut.FS, files *fileCheck, desk *printDesk, rng *rand.Rand, cycles int) {
	t.Helper()
	for i := range cycles {
		if i > 0 {
			st.start()
		}
		if p := rng.Float64(); p < 0.15 && i > 0 {
			// During start-up: opening the outbox, the first fetches.
			time.Sleep(between(rng, 0, 80*time.Millisecond))
		} else {
			st.waitReady()
			files.refData(t, st)
			desk.ready(st)
			time.Sleep(between(rng, 20*time.Millisecond, 1500*time.Millisecond))
		}
		st.kill()
		desk.cut()
		if err := fsys.Cut(); err != nil {
			t.Fatalf("powercut: cut %d: %v", i+1, err)
		}
		files.check(t, st.data)
	}
}

// fileCheck checks what the station keeps outside its records.
type fileCheck struct {
	token   string // admin.token as the first start wrote it
	etag    string // of the reference data, once the station had it
	checks  int
	refKept int // ready checks that found the reference data kept from before
}

// check looks at the data directory after a cut: the key is whole or
// absent, and absent only with the database; the admin token is the one
// the submitter uses, or absent.
func (c *fileCheck) check(t *testing.T, data string) {
	t.Helper()
	c.checks++
	key, kerr := os.ReadFile(filepath.Join(data, "station.key"))
	_, dberr := os.Stat(filepath.Join(data, "station.db"))
	switch {
	case kerr == nil && len(key) != 32:
		t.Errorf("powercut: after cut %d station.key holds %d bytes, want 32", c.checks, len(key))
	case errors.Is(kerr, fs.ErrNotExist) && dberr == nil:
		t.Errorf("powercut: after cut %d station.db is there without station.key: the station cannot read its records", c.checks)
	case kerr != nil && !errors.Is(kerr, fs.ErrNotExist):
		t.Errorf("powercut: after cut %d: %v", c.checks, kerr)
	}
	tok, err := os.ReadFile(filepath.Join(data, "admin.token"))
	switch {
	case err == nil && string(tok) != c.token:
		t.Errorf("powercut: after cut %d admin.token holds %q, want the token the station gave at first start", c.checks, tok)
	case err != nil:
		// Once the station was ready, its token was there to stay.
		t.Errorf("powercut: after cut %d admin.token: %v", c.checks, err)
	}
}

// refData checks the reference data the station reports when it is
// ready: none yet, or the hub's; once it had it, it keeps it.
func (c *fileCheck) refData(t *testing.T, st *station) {
	t.Helper()
	h, err := st.health()
	if err != nil {
		t.Errorf("powercut: %v", err)
		return
	}
	// The station stores reference data (fsynced) before it reports it,
	// and loads the kept copy at start.
	switch e := h.RefData.ETag; {
	case e == "" && c.etag != "":
		t.Errorf("powercut: after cut %d the station lost the reference data it had (%q)", c.checks, c.etag)
	case e == "":
	case c.etag == "":
		c.etag = e
	case e != c.etag:
		t.Errorf("powercut: the station reports reference data %q, earlier %q", e, c.etag)
	default:
		c.refKept++
	}
}
