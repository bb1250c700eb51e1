package outbox

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/internal/powercut"
)

func TestKeep(t *testing.T) {
	dir := t.TempDir()
	o := openT(t, dir, Options{})
	name := []byte(`{"name":"李建国","service":"政策宣传"}`)
	if err := o.Keep("volunteer/李建国", name); err != nil {
		t.Fatal(err)
	}
	if err := o.Keep("volunteer/张伟", []byte(`{"name":"张伟"}`)); err != nil {
		t.Fatal(err)
	}
	if err := o.Keep("other/x", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := o.Keep("volunteer/李建国", []byte(`{}`)); !errors.Is(err, ErrKept) {
		t.Fatalf("keeping a kept key again: %v, want ErrKept", err)
	}
	for _, key := range []string{"", strings.Repeat("k", maxKeptKey+1)} {
		if err := o.Keep(key, nil); err == nil || !strings.Contains(err.Error(), "1 to 200 bytes") {
			t.Errorf("Keep(%d-byte key): %v", len(key), err)
		}
	}
	got, err := o.KeptWith("volunteer/")
	if err != nil || len(got) != 2 || got[0].Key != "volunteer/张伟" || !bytes.Equal(got[1].Value, name) {
		t.Fatalf("KeptWith: %q %v", got, err)
	}
	if err := o.Forget("volunteer/张伟"); err != nil {
		t.Fatal(err)
	}
	if err := o.Forget("volunteer/张伟"); !errors.Is(err, ErrNotKept) {
		t.Fatalf("forgetting twice: %v, want ErrNotKept", err)
	}
	o.Close()

	// Sealed at rest: neither the names (in keys and values) nor the
	// service are in the file, nor the keys' prefix.
	raw, err := os.ReadFile(filepath.Join(dir, dbName))
	if err != nil {
		t.Fatal(err)
	}
	for _, clear := range []string{"李建国", "张伟", "政策宣传", "volunteer/", "other/x"} {
		if bytes.Contains(raw, []byte(clear)) {
			t.Errorf("%q is readable in the database file", clear)
		}
	}
	// Kept across a restart.
	o = openT(t, dir, Options{})
	if got, err := o.KeptWith("volunteer/"); err != nil || len(got) != 1 || got[0].Key != "volunteer/李建国" {
		t.Fatalf("after reopening: %q %v", got, err)
	}
}

// A value moved under another key no longer opens.
func TestKeptBoundToKey(t *testing.T) {
	dir := t.TempDir()
	o := openT(t, dir, Options{})
	if err := o.Keep("a", []byte("secret")); err != nil {
		t.Fatal(err)
	}
	ka, kb := o.seal.keptName("a"), o.seal.keptName("b")
	o.Close()
	db, err := bolt.Open(filepath.Join(dir, dbName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKept)
		return b.Put(kb, b.Get(ka))
	})
	db.Close()
	o = openT(t, dir, Options{})
	if _, err := o.KeptWith("b"); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("kept value %x", kb)) {
		t.Fatalf("a value moved to another key: %v, want a decrypt error naming it", err)
	}
}

func TestPutForget(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	if err := o.PutForget(testRecord(1), "volunteer/nobody"); !errors.Is(err, ErrNotKept) || !strings.Contains(err.Error(), "NOT stored") {
		t.Fatalf("PutForget of a key not kept: %v", err)
	}
	if st := o.Stats(); st.Queued != 0 || st.LastSeq != 0 {
		t.Fatalf("a refused PutForget stored something: %+v", st)
	}
	if err := o.Keep("volunteer/王秀兰", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := o.PutForget(testRecord(2), "volunteer/王秀兰"); err != nil {
		t.Fatal(err)
	}
	if e, err := o.Lookup(testRecord(2).ID); err != nil || e.State != Queued {
		t.Fatalf("record after PutForget: %+v %v", e, err)
	}
	if got, _ := o.KeptWith("volunteer/"); len(got) != 0 {
		t.Fatalf("key still kept after PutForget: %q", got)
	}
	// The second check-out of the same check-in stores nothing.
	if err := o.PutForget(testRecord(3), "volunteer/王秀兰"); !errors.Is(err, ErrNotKept) {
		t.Fatalf("second PutForget: %v, want ErrNotKept", err)
	}
	if o.Stats().Queued != 1 {
		t.Fatalf("queued %d, want 1", o.Stats().Queued)
	}
}

// testdata/v2 was written by the format 2 code (commit df1b7da): records
// 1 to 4, the first delivered, the second rejected, the fourth spending
// the one-time key appt-v2, and reference data.
func TestOpenFormat2(t *testing.T) {
	o := openT(t, copyStation(t, "v2"), Options{})
	if st := o.Stats(); st.Queued != 2 || st.Delivered != 1 || st.Rejected != 1 || st.LastSeq != 4 {
		t.Fatalf("stats after migration: %+v", st)
	}
	if used, err := o.Used("appt-v2"); err != nil || !used {
		t.Fatalf("one-time key after migration: used=%v %v", used, err)
	}
	if rd, err := o.RefData(); err != nil || rd.ETag != `"v2"` {
		t.Fatalf("reference data after migration: %+v %v", rd, err)
	}
	if err := o.Keep("volunteer/张伟", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := o.PutForget(testRecord(5), "volunteer/张伟"); err != nil {
		t.Fatal(err)
	}
}

// Set replaces what Keep refuses to.
func TestSet(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	for _, v := range []string{"1", "2"} {
		if err := o.Set("pin/lock", []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := o.KeptWith("pin/"); err != nil || len(got) != 1 || string(got[0].Value) != "2" {
		t.Fatalf("after two Sets: %q %v", got, err)
	}
}

// testdata/v3 was written by the format 3 code (commit 2b04c9d): records
// 1 to 3, the first delivered, the second rejected, the volunteer 李建国
// checked in (kept under "volunteer/李建国" in clear) and reference data
// with a staff member's name, in clear too. Format 4 seals both.
func TestOpenFormat3(t *testing.T) {
	dir := copyStation(t, "v3")
	before, err := os.ReadFile(filepath.Join(dir, dbName))
	if err != nil || !bytes.Contains(before, []byte("李建国")) {
		t.Fatalf("testdata/v3 should hold the name in clear: %v", err)
	}
	o := openT(t, dir, Options{})
	if st := o.Stats(); st.Queued != 1 || st.Delivered != 1 || st.Rejected != 1 || st.LastSeq != 3 {
		t.Fatalf("stats after migration: %+v", st)
	}
	got, err := o.KeptWith("volunteer/")
	if err != nil || len(got) != 1 || got[0].Key != "volunteer/李建国" || !bytes.Contains(got[0].Value, []byte("政策宣传")) {
		t.Fatalf("check-in after migration: %q %v", got, err)
	}
	rd, err := o.RefData()
	if err != nil || rd.ETag != `"v3"` || !bytes.Contains(rd.Data, []byte("s-0007")) {
		t.Fatalf("reference data after migration: %+v %v", rd, err)
	}
	// The migrated check-in checks out as any other.
	if err := o.PutForget(testRecord(4), "volunteer/李建国"); err != nil {
		t.Fatal(err)
	}
	o.Close()
	// bbolt leaves freed pages as they were, so the old clear bytes
	// survive in pages no longer used until they are reused; what is
	// checked is that no live value holds them.
	db, err := bolt.Open(filepath.Join(dir, dbName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				for _, clear := range []string{"李建国", "政策宣传", "s-0007", "volunteer/"} {
					if bytes.Contains(k, []byte(clear)) || bytes.Contains(v, []byte(clear)) {
						t.Errorf("bucket %s still holds %q in clear", name, clear)
					}
				}
				return nil
			})
		})
	})
}

// forgetWriter, in the crash writer process, checks volunteers in and out
// for ever: "K i" once Keep returned, "P i" once PutForget did.
func forgetWriter(o *Outbox, base int) {
	for i := base; ; i++ {
		key := fmt.Sprintf("volunteer/%d", i)
		if err := o.Keep(key, []byte(`{"name":"张伟"}`)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("K %d\n", i)
		if err := o.PutForget(testRecord(i), key); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("P %d\n", i)
	}
}

// TestPutForgetSurvivesSIGKILL kills a process that keeps keys and trades
// each for a record with PutForget. Afterwards every key it kept is
// either still kept or traded for its record: never both, never neither.
func TestPutForgetSurvivesSIGKILL(t *testing.T) {
	putForgetRounds(t, t.TempDir(), nil)
}

// TestPutForgetSurvivesPowerCut: the same with a power cut after each
// kill. Kept state is what holds the volunteers checked in: a cut must
// leave each check-in whole (kept, or traded for its service record),
// never lost and never both.
func TestPutForgetSurvivesPowerCut(t *testing.T) {
	fsys, mnt := powercut.Mounted(t)
	putForgetRounds(t, filepath.Join(mnt, "station"), func() {
		if err := fsys.Cut(); err != nil {
			t.Fatal(err)
		}
	})
}

// putForgetRounds runs the forget writer on dir four times, killing it
// and calling cut (when not nil) after each, then checks what it kept.
func putForgetRounds(t *testing.T, dir string, cut func()) {
	kept, traded := map[int]bool{}, map[int]bool{}
	for round := range 4 {
		cmd, sc, cancel := startWriter(t, dir, "forget", round)
		read := func() bool {
			if !sc.Scan() {
				return false
			}
			var op string
			var i int
			if _, err := fmt.Sscanf(sc.Text(), "%s %d", &op, &i); err != nil {
				t.Fatalf("writer printed %q", sc.Text())
			}
			if op == "K" {
				kept[i] = true
			} else {
				traded[i] = true
			}
			return true
		}
		n, want := 0, 20+rand.IntN(60)
		for ; n < want && read(); n++ {
		}
		cmd.Process.Signal(syscall.SIGKILL)
		for read() {
		}
		err := cmd.Wait()
		cancel()
		// A writer that died before it kept anything would pass the
		// checks below without proving a thing.
		if n < want {
			t.Fatalf("round %d: the writer printed %d lines, not the %d wanted, before it ended on its own (%v)", round, n, want, err)
		}
		if cut != nil {
			cut()
		}
	}
	if cut != nil {
		dir = copyOut(t, dir) // see lost
	}
	o := openT(t, dir, Options{})
	still, err := o.KeptWith("volunteer/")
	if err != nil {
		t.Fatal(err)
	}
	stillKept := map[string]bool{}
	for _, k := range still {
		stillKept[k.Key] = true
	}
	for i := range kept {
		key := fmt.Sprintf("volunteer/%d", i)
		_, err := o.Lookup(testRecord(i).ID)
		stored := err == nil
		switch {
		case stored && stillKept[key]:
			t.Errorf("%s: record stored and key still kept", key)
		case !stored && !stillKept[key]:
			t.Errorf("%s: kept, then neither kept nor stored", key)
		case traded[i] && !stored:
			t.Errorf("%s: PutForget returned but the record is not stored", key)
		}
	}
	t.Logf("%d keys kept, %d traded for records over 4 kills, %d still kept", len(kept), len(traded), len(still))
	if len(kept) == 0 || len(traded) == 0 {
		t.Errorf("the writer kept %d keys and traded %d: nothing to check", len(kept), len(traded))
	}
}

// splitKept reads what was sealed, so it is authenticated; still, a key
// it returns lies within what it was given, and a value keptPlain wrote
// comes back whole.
func FuzzSplitKept(f *testing.F) {
	f.Add("volunteer/李建国", []byte(`{"name":"李建国"}`), []byte(nil))
	f.Add("", []byte(nil), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, key string, value, raw []byte) {
		k, v, err := splitKept(keptPlain(key, value))
		if err != nil || k != key || !bytes.Equal(v, value) {
			t.Fatalf("round trip of %q, %q: %q, %q, %v", key, value, k, v, err)
		}
		if k, v, err := splitKept(raw); err == nil && len(k)+len(v) >= len(raw) {
			t.Fatalf("splitKept(%x) = %d-byte key, %d-byte value", raw, len(k), len(v))
		}
	})
}
