package outbox

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkPut measures the durable Put (seal, index, commit, fsync) and,
// in the same run on the same disk, a bare bbolt Update that stores one
// record of the same size per transaction: the floor Put is judged by.
// It reports both rates and their ratio.
func BenchmarkPut(b *testing.B) {
	o, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	bare, err := bolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer bare.Close()
	if err := bare.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("q")); return err }); err != nil {
		b.Fatal(err)
	}
	sample := testRecord(0)
	body := make([]byte, len(sample.Payload)+len(sample.Grid)+200)

	var putTime, bareTime time.Duration
	b.ResetTimer()
	for i := range b.N {
		r := testRecord(i + 1)
		r.ID = fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i+1)
		t0 := time.Now()
		if err := o.Put(r); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		err := bare.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket([]byte("q"))
			seq, _ := bk.NextSequence()
			return bk.Put(u64(seq), body)
		})
		if err != nil {
			b.Fatal(err)
		}
		putTime += t1.Sub(t0)
		bareTime += time.Since(t1)
	}
	b.StopTimer()
	putRate := float64(b.N) / putTime.Seconds()
	bareRate := float64(b.N) / bareTime.Seconds()
	b.ReportMetric(putRate, "puts/s")
	b.ReportMetric(bareRate, "bare-updates/s")
	b.ReportMetric(putRate/bareRate, "put/bare")
}
