package outbox

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkPut measures the durable Put (seal, index, commit, fsync) and,
// in the same run on the same disk, a bare bbolt Update that stores one
// record of the same size per transaction: the floor Put is judged by.
// It reports both rates and their ratio.
func BenchmarkPut(b *testing.B) {
	o, bare := benchDBs(b)
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

// BenchmarkPutConcurrent measures durable Puts from 1 and 16 writers at
// once, beside bare bbolt Updates of one record each from as many
// writers: group commit lets concurrent Puts share an fsync, which bare
// Updates cannot.
func BenchmarkPutConcurrent(b *testing.B) {
	for _, writers := range []int{1, 16} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			o, bare := benchDBs(b)
			body := make([]byte, 400)
			var next atomic.Int64
			b.ResetTimer()
			t0 := time.Now()
			runWriters(writers, b.N, func(int) error {
				i := next.Add(1)
				r := testRecord(int(i))
				r.ID = fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i)
				return o.Put(r)
			}, b)
			putRate := float64(b.N) / time.Since(t0).Seconds()
			t1 := time.Now()
			runWriters(writers, b.N, func(int) error {
				return bare.Update(func(tx *bolt.Tx) error {
					bk := tx.Bucket([]byte("q"))
					seq, _ := bk.NextSequence()
					return bk.Put(u64(seq), body)
				})
			}, b)
			bareRate := float64(b.N) / time.Since(t1).Seconds()
			b.StopTimer()
			b.ReportMetric(putRate, "puts/s")
			b.ReportMetric(bareRate, "bare-updates/s")
			b.ReportMetric(putRate/bareRate, "put/bare")
		})
	}
}

// runWriters runs n calls of f spread over writers goroutines.
func runWriters(writers, n int, f func(int) error, b *testing.B) {
	var wg sync.WaitGroup
	var left atomic.Int64
	left.Store(int64(n))
	for w := range writers {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := f(w); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// benchDBs opens an outbox and, on the same disk, a bare bbolt file with
// one bucket "q"; both close when the benchmark ends.
func benchDBs(b *testing.B) (*Outbox, *bolt.DB) {
	o, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { o.Close() })
	bare, err := bolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bare.Close() })
	if err := bare.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("q")); return err }); err != nil {
		b.Fatal(err)
	}
	return o, bare
}
