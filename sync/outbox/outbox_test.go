package outbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func testRecord(i int) *wire.Record {
	return &wire.Record{
		ID:        fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i),
		Kind:      "matter",
		CreatedAt: time.Date(2026, 11, 26, 9, 0, i, 0, time.UTC),
		Grid:      json.RawMessage(`{"county":"141029"}`),
		Payload:   json.RawMessage(fmt.Sprintf(`{"category":"repair","description":"第%d号楼路灯不亮"}`, i)),
	}
}

func openT(t *testing.T, dir string, opt Options) *Outbox {
	t.Helper()
	o, err := Open(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

func TestLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	o := openT(t, t.TempDir(), Options{Retention: time.Hour, Now: func() time.Time { return now }})
	for i := 1; i <= 5; i++ {
		r := testRecord(i)
		if err := o.Put(r); err != nil {
			t.Fatal(err)
		}
		if r.Seq != uint64(i) {
			t.Fatalf("record %d got seq %d", i, r.Seq)
		}
	}
	if err := o.Put(testRecord(3)); err == nil || !strings.Contains(err.Error(), "already stored") {
		t.Fatalf("duplicate Put: err = %v", err)
	}
	got, err := o.Pending(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Seq != 1 || got[2].Seq != 3 {
		t.Fatalf("Pending(3) = %d records, seqs %v", len(got), seqs(got))
	}
	if string(got[1].Payload) != string(testRecord(2).Payload) {
		t.Errorf("payload round trip: %s", got[1].Payload)
	}
	if err := o.Ack([]string{got[0].ID, got[1].ID, "unknown-id"}); err != nil {
		t.Fatal(err)
	}
	if err := o.Reject([]wire.Rejection{{ID: got[2].ID, Reason: "bad grid"}}); err != nil {
		t.Fatal(err)
	}
	// A second ack of a delivered record is harmless.
	if err := o.Ack([]string{got[0].ID}); err != nil {
		t.Fatal(err)
	}
	st := o.Stats()
	if st.Queued != 2 || st.Delivered != 2 || st.Rejected != 1 || st.LastSeq != 5 {
		t.Fatalf("stats = %+v", st)
	}
	if !st.OldestQueued.Equal(testRecord(4).CreatedAt) {
		t.Errorf("oldest queued = %v, want record 4's time", st.OldestQueued)
	}
	for _, c := range []struct {
		id, state, reason string
	}{
		{got[0].ID, Delivered, ""}, {got[2].ID, Rejected, "bad grid"}, {testRecord(5).ID, Queued, ""},
	} {
		e, err := o.Lookup(c.id)
		if err != nil || e.State != c.state || e.Reason != c.reason {
			t.Errorf("Lookup(%s) = %+v, %v; want state %s", c.id, e, err, c.state)
		}
	}
	for _, id := range []string{got[0].ID, got[2].ID, testRecord(5).ID} {
		r, e, err := o.Get(id)
		if err != nil || r.ID != id || e.ID != id || len(r.Payload) == 0 {
			t.Errorf("Get(%s) = %+v, %+v, %v", id, r, e, err)
		}
	}
	if _, _, err := o.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of an unknown id: %v", err)
	}
	rest, _ := o.Pending(10)
	if len(rest) != 2 || rest[0].Seq != 4 {
		t.Fatalf("after ack, Pending = seqs %v", seqs(rest))
	}

	// Purge keeps delivered records within retention and drops them after.
	if n, err := o.Purge(); err != nil || n != 0 {
		t.Fatalf("early purge removed %d, %v", n, err)
	}
	now = now.Add(2 * time.Hour)
	if n, err := o.Purge(); err != nil || n != 2 {
		t.Fatalf("purge removed %d, %v; want 2", n, err)
	}
	if _, err := o.Lookup(got[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("purged record still found: %v", err)
	}
	if e, err := o.Lookup(got[2].ID); err != nil || e.State != Rejected {
		t.Errorf("purge touched a rejected record: %+v %v", e, err)
	}
	if st := o.Stats(); st.Delivered != 0 || st.Queued != 2 {
		t.Errorf("stats after purge = %+v", st)
	}
}

func TestSequenceSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	o, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if err := o.Put(testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	o.Close()
	o = openT(t, dir, Options{})
	r := testRecord(4)
	if err := o.Put(r); err != nil {
		t.Fatal(err)
	}
	if r.Seq != 4 {
		t.Fatalf("seq after reopen = %d, want 4", r.Seq)
	}
	if st := o.Stats(); st.Queued != 4 || st.LastSeq != 4 {
		t.Fatalf("stats after reopen = %+v", st)
	}
}

// TestEncryptedAtRest greps the raw database file for the personal data of a
// record and must not find it.
func TestEncryptedAtRest(t *testing.T) {
	dir := t.TempDir()
	o, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const name, idNumber, phone = "王小明", "14102919850317123X", "13912345678"
	r := testRecord(1)
	r.Kind = "registration"
	r.Payload = json.RawMessage(`{"person":{"name":"` + name + `","id_number":"` + idNumber + `","address":"山西省乡宁县昌宁镇幸福湾社区"},"phone":"` + phone + `"}`)
	if err := o.Put(r); err != nil {
		t.Fatal(err)
	}
	o.Close()
	raw, err := os.ReadFile(filepath.Join(dir, dbName))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{name, idNumber, phone, "幸福湾", "1410291985"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("raw %s contains %q in clear", dbName, secret)
		}
	}
	// The record is still there and readable with the key.
	o = openT(t, dir, Options{})
	got, err := o.Pending(1)
	if err != nil || len(got) != 1 || !bytes.Contains(got[0].Payload, []byte(idNumber)) {
		t.Fatalf("reading back: %v, %d records", err, len(got))
	}
	fi, err := os.Stat(filepath.Join(dir, keyName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}

func TestKeyProblems(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  string
	}{
		{"missing key", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, keyName))
		}, "is missing but"},
		{"other key", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, keyName), bytes.Repeat([]byte{7}, keySize), 0o600)
		}, "is not the key"},
		{"short key", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, keyName), []byte("short"), 0o600)
		}, "holds 5 bytes"},
		{"readable by others", func(t *testing.T, dir string) {
			os.Chmod(filepath.Join(dir, keyName), 0o644)
		}, "chmod 600"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := o.Put(testRecord(1)); err != nil {
				t.Fatal(err)
			}
			o.Close()
			tc.spoil(t, dir)
			o, err = Open(dir, Options{})
			if err == nil {
				o.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Fatalf("err = %v; want it to say %q and name %s", err, tc.want, dir)
			}
		})
	}
}

func TestLockedByAnotherProcess(t *testing.T) {
	// bbolt's flock is per open file description, so a second Open in the
	// same process contends just as a second process would.
	dir := t.TempDir()
	openT(t, dir, Options{})
	start := time.Now()
	_, err := Open(dir, Options{LockTimeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "another gridkiosk") {
		t.Fatalf("second Open: %v", err)
	}
	if time.Since(start) > time.Minute {
		t.Fatal("second Open hung")
	}
}

func TestUnwritableDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(dir, nil, 0o600)
	_, err := Open(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "data dir") {
		t.Fatalf("Open on a file: %v", err)
	}
}

func seqs(rs []wire.Record) []uint64 {
	var s []uint64
	for _, r := range rs {
		s = append(s, r.Seq)
	}
	return s
}
