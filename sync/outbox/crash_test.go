package outbox

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash test runs this test binary a second time as a writer process
// (selected by the environment) and kills it with SIGKILL mid-stream.
const crashEnv = "GRIDKIOSK_OUTBOX_CRASH_WRITER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashWriter(dir)
		return
	}
	os.Exit(m.Run())
}

// crashWriter puts records forever and prints each ID once Put returned,
// which is the moment the station would tell the resident "done".
func crashWriter(dir string) {
	o, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	base, _ := strconv.Atoi(os.Getenv(crashEnv + "_BASE"))
	if os.Getenv(crashEnv+"_MODE") == "forget" {
		forgetWriter(o, base)
		return
	}
	for i := base; ; i++ {
		r := testRecord(i)
		if err := o.Put(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("%s %d\n", r.ID, r.Seq)
	}
}

// startWriter starts this test binary as a writer process on dir (mode
// "put" or "forget"), its record IDs based on round so that no two rounds
// write the same; the scanner reads what it printed.
func startWriter(t *testing.T, dir, mode string, round int) (*exec.Cmd, *bufio.Scanner, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir, crashEnv+"_MODE="+mode, fmt.Sprintf("%s_BASE=%d", crashEnv, round*1_000_000))
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out), cancel
}

// copyStation puts the station files of testdata/NAME in a new temporary
// directory and returns it.
func copyStation(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{dbName, keyName} {
		b, err := os.ReadFile(filepath.Join("testdata", name, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSurvivesSIGKILL kills a writer process at random moments, several
// times over the same file. Every record whose Put had returned must be
// there afterwards, and sequence numbers must keep rising across restarts.
func TestSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	confirmed := map[string]uint64{}
	var lastSeq uint64
	for round := range 5 {
		cmd, sc, cancel := startWriter(t, dir, "put", round)
		want := 20 + rand.IntN(40)
		for n := 0; n < want && sc.Scan(); n++ {
			id, seq, ok := strings.Cut(sc.Text(), " ")
			if !ok {
				t.Fatalf("writer printed %q", sc.Text())
			}
			s, _ := strconv.ParseUint(seq, 10, 64)
			if s <= lastSeq {
				t.Fatalf("round %d: seq %d after %d", round, s, lastSeq)
			}
			lastSeq = s
			confirmed[id] = s
		}
		cmd.Process.Signal(syscall.SIGKILL)
		// Lines the writer printed before dying were confirmed too.
		for sc.Scan() {
			id, seq, _ := strings.Cut(sc.Text(), " ")
			s, _ := strconv.ParseUint(seq, 10, 64)
			confirmed[id], lastSeq = s, s
		}
		cmd.Wait()
		cancel()
	}
	o := openT(t, dir, Options{})
	for id, seq := range confirmed {
		e, err := o.Lookup(id)
		if err != nil || e.Seq != seq || e.State != Queued {
			t.Errorf("confirmed record %s (seq %d) after kills: %+v, %v", id, seq, e, err)
		}
	}
	pend, err := o.Pending(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(pend) < len(confirmed) {
		t.Fatalf("%d records pending, %d confirmed", len(pend), len(confirmed))
	}
	t.Logf("%d confirmed records over 5 kills, %d stored", len(confirmed), len(pend))
}
