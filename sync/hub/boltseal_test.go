package hub

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

const (
	sealName, sealID, sealPhone = "王小明", "14102919850317123X", "13912345678"
	sealLinkKey                 = "q7Zr0cVb3mS9kXo2LwE5tA" // a receipt link's key opens the record's page
	sealStaff, sealPINHash      = "李建国", "$argon2id$v=19$m=19456,t=2,p=1$v+aL8SdPXZurcxMnagWpIA$6gSP5iIbomQo53zht8PPeZYdzMEjyRPyIylIHR17Guc"
)

func sealRecord() wire.Record {
	return wire.Record{ID: "0190F5E6-0000-7000-8000-000000000001", Kind: "registration", Seq: 1,
		CreatedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), Grid: json.RawMessage(`{"county":"141029"}`), LinkKey: sealLinkKey,
		Payload: json.RawMessage(`{"person":{"name":"` + sealName + `","id_number":"` + sealID + `","card_type":"resident"},"phone":"` + sealPhone + `","purpose":"certificate"}`)}
}

var sealRefData = []byte(`{"categories":[{"code":"repair","name":"公共设施报修"}],"staff":[{"id":"s-0007","name":"` + sealStaff + `","role":"micro_grid_leader","pin_hash":"` + sealPINHash + `"}]}`)

// secretsIn lists what of the resident's and the staff's data the raw
// bytes hold in clear.
func secretsIn(t *testing.T, raw []byte) []string {
	t.Helper()
	var found []string
	for _, s := range []string{sealName, sealID, sealID[6:14], sealPhone, sealStaff, sealPINHash, sealPINHash[31:], sealLinkKey} {
		gb, err := simplifiedchinese.GB18030.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(s)) || bytes.Contains(raw, []byte(gb)) {
			found = append(found, s)
		}
	}
	return found
}

// The hub's bbolt file held records and reference data as received. A raw
// dump of it now holds no name, ID number, phone number or PIN hash.
func TestBoltSealedAtRest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hub.db")
	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ingest("141029-xfw-01", []wire.Record{sealRecord()}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(sealRecord().ID, StateDone, "办结", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"", "141029-xfw-01"} {
		if err := s.PutRefData(st, sealRefData); err != nil {
			t.Fatal(err)
		}
	}
	// The console's: an account's password hash, the worker a matter
	// went to and its note.
	if err := s.PutUser(User{Name: "county.admin", Role: RoleAdmin, PassHash: sealPINHash}); err != nil {
		t.Fatal(err)
	}
	err = s.AddMatterEvent(MatterEvent{RecordID: sealRecord().ID, Kind: EventAssign, Value: sealStaff, Note: "联系" + sealName})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if found := secretsIn(t, raw); len(found) > 0 {
		t.Errorf("hub.db holds in clear: %q", found)
	}
	if fi, err := os.Stat(filepath.Join(dir, "hub.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}

	// Read back with the key.
	s, err = OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.All()
	if err != nil || len(all) != 1 || !bytes.Equal(all[0].Record.Payload, sealRecord().Payload) || all[0].Note != "办结" {
		t.Fatalf("records: %+v %v", all, err)
	}
	if rd, ok, err := s.RefData("141029-xfw-01"); err != nil || !ok || !bytes.Equal(rd, sealRefData) {
		t.Fatalf("refdata: %s %v %v", rd, ok, err)
	}
	if u, ok, err := s.User("county.admin"); err != nil || !ok || u.PassHash != sealPINHash {
		t.Fatalf("user: %+v %v %v", u, ok, err)
	}
	if ev, err := s.MatterEvents(sealRecord().ID); err != nil || len(ev) != 1 || ev[0].Value != sealStaff {
		t.Fatalf("matter events: %+v %v", ev, err)
	}
	s.Close()

	// Without its key, or with another, the file is refused, not read
	// as empty or garbled.
	os.Rename(filepath.Join(dir, "hub.key"), filepath.Join(dir, "saved.key"))
	if _, err := OpenBolt(path); err == nil || !strings.Contains(err.Error(), "restore it") {
		t.Fatalf("missing key: %v", err)
	}
	other := filepath.Join(t.TempDir(), "x.db")
	if o, err := OpenBolt(other); err == nil {
		o.Close()
	}
	if _, err := OpenBoltKey(path, DefaultKeyFile(other), time.Second); err == nil || !strings.Contains(err.Error(), "not the key") {
		t.Fatalf("wrong key: %v", err)
	}
	os.Chmod(filepath.Join(dir, "saved.key"), 0o644)
	if _, err := OpenBoltKey(path, filepath.Join(dir, "saved.key"), time.Second); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a key others may read: %v", err)
	}
}

// A hub file written before sealing, its values in clear, is sealed when
// it is opened, and everything in it is still there.
func TestBoltSealsOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hub.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	// As the code before sealing wrote them.
	r := sealRecord()
	grid, payload := string(r.Grid), string(r.Payload)
	st := Stored{StationID: "141029-xfw-01", Record: r, State: StateReceived, Deliveries: 1}
	st.Record.Grid, st.Record.Payload = nil, nil
	v, _ := json.Marshal(boltRecord{Stored: st, Grid: &grid, Payload: &payload})
	db.Update(func(tx *bolt.Tx) error {
		rb, _ := tx.CreateBucketIfNotExists([]byte(bucketRecords))
		rb.Put([]byte(r.ID), v)
		fb, _ := tx.CreateBucketIfNotExists([]byte(bucketRefData))
		return fb.Put([]byte(refDataGlobal), sealRefData)
	})
	db.Close()

	s, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Status("141029-xfw-01", r.ID); err != nil || !ok || got.State != StateReceived {
		t.Fatalf("status after sealing: %+v %v %v", got, ok, err)
	}
	if rd, ok, err := s.RefData(""); err != nil || !ok || !bytes.Equal(rd, sealRefData) {
		t.Fatalf("refdata after sealing: %s %v %v", rd, ok, err)
	}
	reply, err := s.Ingest("141029-xfw-01", []wire.Record{r}, time.Now())
	if err != nil || len(reply.Acked) != 1 {
		t.Fatalf("a retry after sealing: %+v %v", reply, err)
	}
	s.Close()
	// bbolt leaves the old pages' bytes until it reuses them; what is
	// checked is that no live value holds them.
	db, err = bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if found := secretsIn(t, append(append([]byte{}, k...), v...)); len(found) > 0 {
					t.Errorf("bucket %s still holds %q in clear", name, found)
				}
				return nil
			})
		})
	})
}
