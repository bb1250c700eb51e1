package outbox

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// testdata/v1 was written by the format 1 code (commit 2afb007): four
// records, the first delivered, the second rejected. Opening it with this
// code must migrate it and keep every record.
func TestOpenFormat1(t *testing.T) {
	dir := copyStation(t, "v1")
	o := openT(t, dir, Options{})
	st := o.Stats()
	if st.Queued != 2 || st.Delivered != 1 || st.Rejected != 1 || st.LastSeq != 4 {
		t.Fatalf("stats after migration: %+v", st)
	}
	got, err := o.Pending(10)
	if err != nil || len(got) != 2 || got[0].ID != testRecord(3).ID || string(got[1].Payload) != string(testRecord(4).Payload) {
		t.Fatalf("pending after migration: %v %v", got, err)
	}
	if e, err := o.Lookup(testRecord(2).ID); err != nil || e.State != Rejected || !strings.Contains(e.Reason, "gossip") {
		t.Fatalf("rejected record: %+v %v", e, err)
	}
	// The new format's features work on the migrated file.
	if err := o.PutOnce(testRecord(5), "appt-1", o.opt.Now().Add(1e12)); err != nil {
		t.Fatal(err)
	}
	if o.Stats().LastSeq != 5 {
		t.Fatalf("seq after migration: %d", o.Stats().LastSeq)
	}
	o.Close()
	db, err := bolt.Open(filepath.Join(dir, dbName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyVersion); string(v) != string(u64(formatVersion)) {
			t.Errorf("format version on disk %x, want %d", v, formatVersion)
		}
		return nil
	})
}

func TestRefuseNewerFormat(t *testing.T) {
	dir := t.TempDir()
	o := openT(t, dir, Options{})
	o.Close()
	db, _ := bolt.Open(filepath.Join(dir, dbName), 0o600, nil)
	db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyVersion, u64(formatVersion+1)) })
	db.Close()
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "downgrade refused") {
		t.Fatalf("newer format: %v", err)
	}
}

func TestRefData(t *testing.T) {
	dir := t.TempDir()
	o := openT(t, dir, Options{})
	if _, err := o.RefData(); err != ErrNoRefData {
		t.Fatalf("fresh outbox: %v", err)
	}
	good := RefData{Data: []byte(`{"categories":[{"code":"repair","name":"公共设施报修"}]}`), ETag: `"v1"`}
	if err := o.PutRefData(good); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{"categories":[{"code":`, `{}`, `[]`, `null`} {
		if err := o.PutRefData(RefData{Data: []byte(bad), ETag: `"v2"`}); err == nil {
			t.Fatalf("%s replaced the kept copy", bad)
		}
	}
	o.Close()
	raw, err := os.ReadFile(filepath.Join(dir, dbName))
	if err != nil || bytes.Contains(raw, []byte("公共设施报修")) || bytes.Contains(raw, []byte("categories")) {
		t.Fatalf("the kept reference data is readable in the file (%v)", err)
	}
	o = openT(t, dir, Options{})
	got, err := o.RefData()
	if err != nil || got.ETag != `"v1"` || string(got.Data) != string(good.Data) {
		t.Fatalf("after restart: %+v %v", got, err)
	}
}

// Staff see what the hub rejected and why, and send it again.
func TestDeadLetterResend(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	for i := 1; i <= 3; i++ {
		if err := o.Put(testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	o.Reject([]wire.Rejection{{ID: testRecord(2).ID, Reason: "category \"streetlight\" unknown"}})
	o.Ack([]string{testRecord(1).ID})
	dead, err := o.Rejected()
	if err != nil || len(dead) != 1 || dead[0].ID != testRecord(2).ID || !strings.Contains(dead[0].Reason, "streetlight") {
		t.Fatalf("rejected: %+v %v", dead, err)
	}
	n, err := o.Resend([]string{testRecord(2).ID, testRecord(1).ID, "nosuch"})
	if err != nil || n != 1 {
		t.Fatalf("resend: %d %v", n, err)
	}
	got, _ := o.Pending(10)
	if len(got) != 2 || got[0].ID != testRecord(2).ID || got[0].Seq != 2 || string(got[0].Payload) != string(testRecord(2).Payload) {
		t.Fatalf("pending after resend: %+v", got)
	}
	if st := o.Stats(); st.Queued != 2 || st.Rejected != 0 || st.Delivered != 1 {
		t.Fatalf("stats: %+v", st)
	}
	if e, _ := o.Lookup(testRecord(2).ID); e.State != Queued || e.Reason != "" {
		t.Fatalf("entry: %+v", e)
	}
}

func TestList(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	for i := 1; i <= 5; i++ {
		o.Put(testRecord(i)) // created 09:00:01 … 09:00:05
	}
	o.Ack([]string{testRecord(4).ID})
	got, err := o.List(testRecord(3).CreatedAt, 2)
	if err != nil || len(got) != 2 || got[0].Seq != 5 || got[1].Seq != 4 || got[1].State != Delivered {
		t.Fatalf("list: %+v %v", got, err)
	}
	if all, _ := o.List(time.Time{}, 100); len(all) != 5 {
		t.Fatalf("all: %d", len(all))
	}
}
