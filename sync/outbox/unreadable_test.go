package outbox

import (
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// A stored record that cannot be opened is set aside with its reason and
// the others are still handed out for sending.
func TestPendingSetsAsideUnreadable(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(o *Outbox, v []byte) []byte
		reason string
	}{
		{"flipped byte", func(_ *Outbox, v []byte) []byte {
			v = append([]byte(nil), v...)
			v[len(v)-1] ^= 0xff
			return v
		}, "could not be decrypted"},
		{"not a record", func(o *Outbox, v []byte) []byte {
			id := testRecord(2).ID
			sealed, err := o.seal.seal(id, []byte(`{"id": 7`))
			if err != nil {
				t.Fatal(err)
			}
			return append(append(append([]byte(nil), v[:8]...), byte(len(id))), append([]byte(id), sealed...)...)
		}, "could not be decoded"},
		{"truncated", func(_ *Outbox, v []byte) []byte { return append([]byte(nil), v[:10]...) }, "truncated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := openT(t, t.TempDir(), Options{})
			for i := 1; i <= 3; i++ {
				if err := o.Put(testRecord(i)); err != nil {
					t.Fatal(err)
				}
			}
			err := o.db.Update(func(tx *bolt.Tx) error {
				q := tx.Bucket(bucketQueue)
				return q.Put(u64(2), c.damage(o, q.Get(u64(2))))
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := o.Pending(10)
			if err != nil {
				t.Fatalf("Pending: %v; one damaged record must not stop the others", err)
			}
			if len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 3 {
				t.Fatalf("Pending = seqs %v, want [1 3]", seqs(got))
			}
			rej, err := o.Rejected()
			if err != nil {
				t.Fatal(err)
			}
			if len(rej) != 1 || rej[0].ID != testRecord(2).ID || rej[0].Seq != 2 {
				t.Fatalf("Rejected = %+v, want record 2 set aside", rej)
			}
			if r := rej[0].Reason; !strings.HasPrefix(r, "station: stored record 2 could not be") || !strings.Contains(r, c.reason) {
				t.Errorf("reason = %q, want it to say record 2 %s", r, c.reason)
			}
			if st := o.Stats(); st.Queued != 2 || st.Rejected != 1 {
				t.Errorf("stats = %+v, want 2 queued, 1 rejected", st)
			}
			// Sending goes on: the two readable records are delivered.
			if err := o.Ack([]string{got[0].ID, got[1].ID}); err != nil {
				t.Fatal(err)
			}
			if left, err := o.Pending(10); err != nil || len(left) != 0 {
				t.Fatalf("after ack: Pending = %d records, %v", len(left), err)
			}
		})
	}
}
