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

	"github.com/gridkiosk/gridkiosk/internal/powercut"
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
	switch os.Getenv(crashEnv + "_MODE") {
	case "forget":
		forgetWriter(o, base)
		return
	case "panic":
		panicWriter(o)
		return
	case "nosync":
		// The mistake the power-cut test must catch: commits that
		// return before they reach the disk.
		o.db.NoSync = true
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
// "put", "nosync" or "forget"), its record IDs based on round so that no two rounds
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

// confirmed is what the writer processes confirmed: record ID → seq.
type confirmed map[string]uint64

// killRounds runs a writer process on dir rounds times, each time reading
// between 20 and 60 confirmations (a writer that confirms fewer before it
// ends on its own fails the test: a crash test of a writer that never
// wrote proves nothing), then SIGKILLs it and, when cut is not nil, calls
// it before the next round, as a power cut would strike. It returns every
// record confirmed and how many times a sequence number did not rise.
func killRounds(t *testing.T, dir, mode string, rounds int, cut func()) (confirmed, int) {
	t.Helper()
	all := confirmed{}
	var lastSeq uint64
	seqProblems := 0
	add := func(line string) {
		id, seq, ok := strings.Cut(line, " ")
		s, err := strconv.ParseUint(seq, 10, 64)
		if !ok || err != nil {
			t.Fatalf("writer printed %q", line)
		}
		if s <= lastSeq {
			seqProblems++
			t.Logf("seq %d confirmed after %d", s, lastSeq)
		}
		lastSeq = s
		all[id] = s
	}
	for round := range rounds {
		cmd, sc, cancel := startWriter(t, dir, mode, round)
		want := 20 + rand.IntN(40)
		n := 0
		for ; n < want && sc.Scan(); n++ {
			add(sc.Text())
		}
		cmd.Process.Signal(syscall.SIGKILL)
		// Lines the writer printed before dying were confirmed too.
		for sc.Scan() {
			add(sc.Text())
		}
		err := cmd.Wait()
		cancel()
		if n < want {
			t.Fatalf("round %d: the writer confirmed %d records, not the %d wanted, before it ended on its own (%v)", round, n, want, err)
		}
		if cut != nil {
			cut()
		}
	}
	return all, seqProblems
}

// lost opens the outbox in dir and returns how many confirmed records it
// does not hold as confirmed (missing, another seq, not queued), naming a
// few. A database on a power-cut file system is opened from a copy: the
// test process serves that file system, and a fault on bbolt's mmap of it
// stalls the thread where the Go runtime cannot preempt it, so the next
// stop-the-world would wait for the server it stopped.
func lost(t *testing.T, dir string, c confirmed, onPowercut bool) (int, []string) {
	t.Helper()
	if onPowercut {
		dir = copyOut(t, dir)
	}
	o := openT(t, dir, Options{})
	defer o.Close()
	n := 0
	var which []string
	for id, seq := range c {
		e, err := o.Lookup(id)
		if err != nil || e.Seq != seq || e.State != Queued {
			n++
			if len(which) < 10 {
				which = append(which, fmt.Sprintf("%s (seq %d): %+v, %v", id, seq, e, err))
			}
		}
	}
	return n, which
}

// TestSurvivesSIGKILL kills a writer process at random moments, several
// times over the same file. Every record whose Put had returned must be
// there afterwards, and sequence numbers must keep rising across restarts.
func TestSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	c, seqProblems := killRounds(t, dir, "put", 5, nil)
	if seqProblems > 0 {
		t.Errorf("%d sequence numbers did not rise across restarts", seqProblems)
	}
	if n, which := lost(t, dir, c, false); n > 0 {
		t.Errorf("%d of %d confirmed records lost after kills:\n  %s", n, len(c), strings.Join(which, "\n  "))
	}
	o := openT(t, dir, Options{})
	pend, err := o.Pending(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(pend) < len(c) {
		t.Fatalf("%d records pending, %d confirmed", len(pend), len(c))
	}
	t.Logf("%d confirmed records over 5 kills, %d stored", len(c), len(pend))
}

// TestSurvivesPowerCut is TestSurvivesSIGKILL on a file system that, after
// each kill, forgets what was not fsynced, as a power cut does; the data
// directory is new, as on a station's first start.
func TestSurvivesPowerCut(t *testing.T) {
	fsys, mnt := powercut.Mounted(t)
	dir := filepath.Join(mnt, "station")
	c, seqProblems := killRounds(t, dir, "put", 5, func() {
		if err := fsys.Cut(); err != nil {
			t.Fatal(err)
		}
	})
	if seqProblems > 0 {
		t.Errorf("%d sequence numbers did not rise across power cuts", seqProblems)
	}
	if n, which := lost(t, dir, c, true); n > 0 {
		t.Errorf("%d of %d confirmed records lost after power cuts:\n  %s", n, len(c), strings.Join(which, "\n  "))
	}
	t.Logf("%d confirmed records over 5 power cuts; file system: %+v", len(c), fsys.Stats())
}

// TestPowerCutCatchesNoSync: the power-cut test is not blind. With
// bbolt's NoSync on, commits return before they are durable: SIGKILL
// cannot tell, a power cut loses confirmed records.
func TestPowerCutCatchesNoSync(t *testing.T) {
	fsys, mnt := powercut.Mounted(t)
	dir := filepath.Join(mnt, "station")
	c, _ := killRounds(t, dir, "nosync", 3, func() {
		if err := fsys.Cut(); err != nil {
			t.Fatal(err)
		}
	})
	n, _ := lost(t, dir, c, true)
	if n == 0 {
		t.Fatalf("with NoSync, all %d confirmed records survived the power cuts: the test cannot see a missing fsync", len(c))
	}
	t.Logf("with NoSync: %d of %d confirmed records lost, as they must be", n, len(c))
}

// copyOut copies the station files of dir to a new temporary directory
// with plain reads, and returns it.
func copyOut(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	for _, f := range []string{dbName, keyName} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("after the power cuts: %v", err)
		}
		if err := os.WriteFile(filepath.Join(out, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
