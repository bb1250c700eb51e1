package outbox

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// BenchmarkPut measures the durable Put (seal, index, commit, fsync) and,
// in the same run on the same disk, the bare bbolt Update that is its
// floor (see bareDB), one after the other in turn. It reports both rates
// and their ratio.
func BenchmarkPut(b *testing.B) {
	o, bare := benchDBs(b)
	var putTime, bareTime time.Duration
	timed := func(f func() error) time.Duration {
		t0 := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	pairs := make([]float64, b.N)
	b.ResetTimer()
	for i := range b.N {
		r := benchRecord(i + 1)
		put := func() error { return o.Put(r) }
		// Each goes first every other time: whichever follows a commit
		// of the other file may find the disk busier or quieter.
		var p, u time.Duration
		if i%2 == 0 {
			p = timed(put)
			u = timed(bare.update)
		} else {
			u = timed(bare.update)
			p = timed(put)
		}
		putTime += p
		bareTime += u
		pairs[i] = float64(u) / float64(p)
	}
	b.StopTimer()
	reportRates(b, float64(b.N)/putTime.Seconds(), float64(b.N)/bareTime.Seconds())
	// The rates' ratio takes every stall of a shared machine at full
	// weight, on whichever side it fell; the median over neighbouring
	// pairs is what a Put typically costs against a bare Update.
	slices.Sort(pairs)
	b.ReportMetric(pairs[b.N/2], "put/bare-median")
	// Pages written per commit do not depend on how busy the machine is:
	// on a noisy one they say what the rates cannot.
	b.ReportMetric(float64(pagesWritten(o.db))/float64(b.N), "put-pages/op")
	b.ReportMetric(float64(pagesWritten(bare.db))/float64(b.N), "bare-pages/op")
}

func pagesWritten(db *bolt.DB) int64 {
	s := db.Stats().TxStats
	return s.GetWrite()
}

// BenchmarkPutConcurrent measures durable Puts from 1 and 16 writers at
// once beside bare bbolt Updates from as many writers, in alternating
// rounds: group commit lets concurrent Puts share an fsync, which bare
// Updates cannot.
func BenchmarkPutConcurrent(b *testing.B) {
	for _, writers := range []int{1, 16} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			o, bare := benchDBs(b)
			var next atomic.Int64
			put := func() error {
				return o.Put(benchRecord(int(next.Add(1))))
			}
			var putTime, bareTime time.Duration
			round := 8 * writers
			b.ResetTimer()
			for done, i := 0, 0; done < b.N; i++ {
				n := min(round, b.N-done)
				if i%2 == 0 {
					putTime += runWriters(b, writers, n, put)
					bareTime += runWriters(b, writers, n, bare.update)
				} else {
					bareTime += runWriters(b, writers, n, bare.update)
					putTime += runWriters(b, writers, n, put)
				}
				done += n
			}
			b.StopTimer()
			reportRates(b, float64(b.N)/putTime.Seconds(), float64(b.N)/bareTime.Seconds())
			b.ReportMetric(float64(b.N)/float64(bare.commits.Load()), "puts/commit")
		})
	}
}

func reportRates(b *testing.B, putRate, bareRate float64) {
	b.ReportMetric(putRate, "puts/s")
	b.ReportMetric(bareRate, "bare-updates/s")
	b.ReportMetric(putRate/bareRate, "put/bare")
}

// benchRecord is testRecord(i) under an ID of the length of a real one.
func benchRecord(i int) *wire.Record {
	r := testRecord(i)
	r.ID = fmt.Sprintf("0190f5e6-0000-7000-8000-%012d", i)
	return r
}

// runWriters runs n calls of f spread over writers goroutines and
// returns how long they took.
func runWriters(b *testing.B, writers, n int, f func() error) time.Duration {
	var wg sync.WaitGroup
	var left atomic.Int64
	left.Store(int64(n))
	t0 := time.Now()
	for range writers {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := f(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(t0)
}

// bareDB is the floor a Put is judged by: a bbolt file with bbolt's
// default options, on the same disk as the outbox, with the outbox's
// buckets, where one Update stores what a Put stores (a sequence number,
// a queue value and an index entry of the same sizes), unsealed and by
// one writer at a time.
type bareDB struct {
	db        *bolt.DB
	next      atomic.Int64
	valueSize int
	entry     []byte
	commits   atomic.Int64 // the outbox's, for puts/commit
}

func (d *bareDB) update() error {
	id := fmt.Appendf(nil, "0190f5e6-0000-7000-8000-%012d", d.next.Add(1))
	// Random like a sealed body: zeros or repeats would let a disk or
	// a host that compresses write less for the bare file than for the
	// outbox's.
	value := make([]byte, d.valueSize)
	rand.Read(value)
	return d.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		seq := meta.Sequence() + 1
		if err := meta.SetSequence(seq); err != nil {
			return err
		}
		if err := tx.Bucket(bucketQueue).Put(u64(seq), value); err != nil {
			return err
		}
		return tx.Bucket(bucketIndex).Put(id, d.entry)
	})
}

// benchDBs opens an outbox and its bareDB in the same directory; both
// close when the benchmark ends.
func benchDBs(b *testing.B) (*Outbox, *bareDB) {
	dir := b.TempDir()
	d := &bareDB{}
	// SyncFault is asked once before each commit's fsync: it counts them.
	o, err := Open(dir, Options{SyncFault: func(afterMeta bool) error {
		if !afterMeta {
			d.commits.Add(1)
		}
		return nil
	}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { o.Close() })
	db, err := bolt.Open(filepath.Join(dir, "bare.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketQueue, bucketIndex} {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	sample := benchRecord(1)
	sample.Seq = 1
	sealed, err := o.sealRecord(sample)
	if err != nil {
		b.Fatal(err)
	}
	entry, err := json.Marshal(Entry{ID: sample.ID, Kind: sample.Kind, Seq: 1, State: Queued, CreatedAt: sample.CreatedAt, UpdatedAt: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	d.db, d.valueSize, d.entry = db, 8+len(sealed), entry
	return o, d
}
