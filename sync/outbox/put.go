package outbox

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// ErrClosed is returned by Put after Close.
var ErrClosed = errors.New("outbox: closed")

// maxGroup bounds the records one commit takes, so one fsync is not
// held up by an unbounded transaction.
const maxGroup = 256

// appendFill is how full a commit leaves the pages of the queue and the
// index when it splits them. Both grow at their end (sequence numbers;
// IDs are UUIDv7, which start with the time), where bbolt's default of
// half full leaves every page half empty for ever: fuller pages make a
// smaller file and shallower trees, so a commit writes fewer pages. The
// tenth left free lets index entries grow when their state changes
// (queued to delivered) without splitting their page.
const appendFill = 0.9

// putReq is one Put waiting for a commit, or a liveness probe (r nil,
// see Alive).
type putReq struct {
	r      *wire.Record
	once   string
	until  time.Time
	forget string        // a kept key to delete with the record (PutForget)
	taken  chan struct{} // probes only: closed once a committer has it
	done   chan error    // buffered: whoever commits never waits on it
}

// Put assigns r the next sequence number of the station, seals it and
// commits it. It returns only after the commit is on disk (bbolt fsyncs
// each transaction). r.ID must be new. Concurrent Puts share a commit
// (group commit): each still returns only after its own record is on disk.
func (o *Outbox) Put(r *wire.Record) error { return o.put(&putReq{r: r}) }

// PutOnce is Put that also spends the one-time key once, in the same
// transaction: the record is stored only if the key was not spent before
// (ErrUsed), so a crash can neither store the record without spending the
// key nor spend the key without the record. The key is remembered until
// keepUntil, after which Purge forgets it.
func (o *Outbox) PutOnce(r *wire.Record, once string, keepUntil time.Time) error {
	if once == "" || len(once) > 128 {
		return fmt.Errorf("outbox: put: one-time key must be 1 to 128 bytes (the record was NOT stored)")
	}
	return o.put(&putReq{r: r, once: once, until: keepUntil})
}

// PutForget is Put that also deletes the kept key (see Keep) in the same
// transaction: the record is stored only if the key is kept (ErrNotKept
// otherwise), so a crash can neither store the record and keep the key
// nor forget the key without the record.
func (o *Outbox) PutForget(r *wire.Record, key string) error {
	if err := checkKeptKey(key); err != nil {
		return fmt.Errorf("%w (the record was NOT stored)", err)
	}
	return o.put(&putReq{r: r, forget: key})
}

func (o *Outbox) put(req *putReq) error {
	r := req.r
	if r.ID == "" || len(r.ID) > 64 {
		return fmt.Errorf("outbox: put: record ID %q must be 1 to 64 bytes (the record was NOT stored)", r.ID)
	}
	if err := o.checkSpace(); err != nil {
		return fmt.Errorf("%w (the record was NOT stored)", err)
	}
	req.done = make(chan error, 1)
	lead, err := o.enqueue(req)
	if err != nil {
		return fmt.Errorf("%w (the record was NOT stored)", err)
	}
	if lead {
		// Nobody is committing: the caller commits its own record, with
		// no goroutine to wake and wait for (that hand-off cost a lone
		// writer a tenth of its speed).
		o.lead([]*putReq{req})
	}
	if err := <-req.done; err != nil {
		if errors.Is(err, ErrUnknown) {
			return err
		}
		r.Seq = 0
		return fmt.Errorf("%w (the record was NOT stored)", err)
	}
	return nil
}

// enqueue hands req to the commit in progress, or, when there is none,
// makes the caller the one who commits (lead): a lone writer commits in
// its own goroutine, and writers that come while a commit is on its way
// to the disk wait to share the next one.
func (o *Outbox) enqueue(req *putReq) (lead bool, err error) {
	o.cmu.Lock()
	defer o.cmu.Unlock()
	if o.closed {
		return false, ErrClosed
	}
	if o.busy {
		o.waiting = append(o.waiting, req)
		return false, nil
	}
	o.busy = true
	return true, nil
}

// lead commits group in one transaction and one fsync, then passes the
// turn on: the requests that queued meanwhile are committed together by
// a goroutine of their own, so the caller who led returns as soon as its
// own record is on disk.
func (o *Outbox) lead(group []*putReq) {
	defer func() {
		if p := recover(); p != nil {
			// A commit that panics (bbolt does on a damaged page) must
			// end the process, as it did when one goroutine made every
			// commit: a caller that recovers panics, as net/http does,
			// would otherwise leave the turn taken and every later Put
			// waiting for ever.
			stack := debug.Stack()
			go panic(fmt.Sprintf("outbox: commit: %v\n%s", p, stack))
			select {}
		}
	}()
	o.commitGroup(group)
	o.cmu.Lock()
	defer o.cmu.Unlock()
	if len(o.waiting) == 0 {
		o.busy = false
		o.idle.Broadcast()
		return
	}
	next := o.waiting
	if len(next) > maxGroup {
		next = next[:maxGroup:maxGroup]
	}
	o.waiting = o.waiting[len(next):]
	if len(o.waiting) == 0 {
		o.waiting = nil
	}
	for _, req := range next {
		if req.taken != nil {
			close(req.taken)
		}
	}
	o.wg.Go(func() { o.lead(next) })
}

// commitGroup commits the Puts of group; its probes are answered once
// the commit holds the database's write lock, or, with no Put beside
// them, by taking the lock and giving it back.
func (o *Outbox) commitGroup(group []*putReq) {
	var puts, probes []*putReq
	for _, req := range group {
		if req.r == nil {
			probes = append(probes, req)
		} else {
			puts = append(puts, req)
		}
	}
	if len(puts) == 0 {
		err := o.probe()
		for _, p := range probes {
			p.done <- err
		}
		return
	}
	o.commit(puts, probes)
}

// commit stores a group in one transaction. A request that is refused on
// its own (a duplicate ID, a spent key) does not spoil the others: it is
// checked before anything of it is written.
func (o *Outbox) commit(group, probes []*putReq) {
	errs := make([]error, len(group))
	written := false // the transaction's writes all went in; a failure after is the commit's
	locked := false
	err := o.db.Update(func(tx *bolt.Tx) error {
		locked = true
		for _, p := range probes {
			p.done <- nil
		}
		tx.Bucket(bucketQueue).FillPercent = appendFill
		tx.Bucket(bucketIndex).FillPercent = appendFill
		for i, req := range group {
			refused, err := o.putTx(tx, req)
			if err != nil {
				return err
			}
			errs[i] = refused
		}
		written = true
		return o.syncFault(false)
	})
	if err == nil {
		err = o.syncFault(true)
	}
	if err != nil && written && o.landed(group, errs) {
		// bbolt reports a failed commit, but its meta page is in the
		// file: this process sees the records, and whether a power cut
		// would keep them nobody can say.
		err = fmt.Errorf("%w: %v; the record may or may not be on disk: look it up by its ID before storing it again, and store it again only under the same ID", ErrUnknown, err)
		o.opt.Log.Error("outbox: commit failed after it reached the file", "records", len(group), "err", err)
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("record %s: %w", group[i].r.ID, err)
			}
		}
		err = nil
	}
	if !locked {
		for _, p := range probes {
			p.done <- fmt.Errorf("outbox: liveness probe: %w", err)
		}
	}
	err = diskFull(o.dir, err)
	o.mu.Lock()
	for i, req := range group {
		switch {
		case err != nil:
			errs[i] = err
		case errs[i] == nil || errors.Is(errs[i], ErrUnknown):
			o.stats.Queued++
			o.stats.LastSeq = max(o.stats.LastSeq, req.r.Seq)
			if o.stats.OldestQueued.IsZero() {
				o.stats.OldestQueued = req.r.CreatedAt
			}
		}
	}
	o.mu.Unlock()
	for i, req := range group {
		req.done <- errs[i]
	}
}

func (o *Outbox) syncFault(afterMeta bool) error {
	if o.opt.SyncFault == nil {
		return nil
	}
	return o.opt.SyncFault(afterMeta)
}

// landed reports whether a group whose commit failed is in the database
// all the same. A commit is one meta page: either every record of the
// group is there or none, so the first one stored tells.
func (o *Outbox) landed(group []*putReq, refused []error) bool {
	for i, req := range group {
		if refused[i] != nil {
			continue
		}
		e, err := o.Lookup(req.r.ID)
		return err == nil && e.Seq == req.r.Seq
	}
	return false
}

// putTx writes one record. refused is the request's own failure, with
// nothing of it written; err fails the whole transaction.
func (o *Outbox) putTx(tx *bolt.Tx, req *putReq) (refused, err error) {
	r := req.r
	idx := tx.Bucket(bucketIndex)
	if idx.Get([]byte(r.ID)) != nil {
		return fmt.Errorf("outbox: put: record %s is already stored", r.ID), nil
	}
	if req.once != "" && tx.Bucket(bucketOnce).Get([]byte(req.once)) != nil {
		return ErrUsed, nil
	}
	if req.forget != "" && tx.Bucket(bucketKept).Get(o.seal.keptName(req.forget)) == nil {
		return ErrNotKept, nil
	}
	meta := tx.Bucket(bucketMeta)
	seq := meta.Sequence() + 1
	r.Seq = seq
	sealed, err := o.sealRecord(r)
	if err != nil {
		return err, nil
	}
	if err := meta.SetSequence(seq); err != nil {
		return nil, fmt.Errorf("outbox: put: next sequence: %w", err)
	}
	if req.once != "" {
		if err := tx.Bucket(bucketOnce).Put([]byte(req.once), u64(uint64(req.until.UnixNano()))); err != nil {
			return nil, fmt.Errorf("outbox: put: one-time key: %w", err)
		}
	}
	if req.forget != "" {
		if err := tx.Bucket(bucketKept).Delete(o.seal.keptName(req.forget)); err != nil {
			return nil, fmt.Errorf("outbox: put: forget a kept value: %w", err)
		}
	}
	val := append(u64(uint64(r.CreatedAt.UnixNano())), sealed...)
	if err := tx.Bucket(bucketQueue).Put(u64(seq), val); err != nil {
		return nil, fmt.Errorf("outbox: put: %w", err)
	}
	now := o.opt.Now()
	if err := putEntry(idx, Entry{ID: r.ID, Kind: r.Kind, Seq: seq, State: Queued, CreatedAt: r.CreatedAt, UpdatedAt: now}); err != nil {
		return nil, err
	}
	return nil, nil
}

// Used reports whether a one-time key was spent by PutOnce.
func (o *Outbox) Used(once string) (bool, error) {
	var used bool
	err := o.db.View(func(tx *bolt.Tx) error {
		used = tx.Bucket(bucketOnce).Get([]byte(once)) != nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("outbox: used: %w", err)
	}
	return used, nil
}

// Recommit writes a stored record and its index entry again, unchanged,
// in a transaction of its own, and returns them. A Put that ended in
// ErrUnknown may have left the record in the file without its fsync; once
// Recommit returns nil, a later commit has written and synced the
// record's pages, so the record is on disk for certain.
func (o *Outbox) Recommit(id string) (wire.Record, Entry, error) {
	err := o.db.Update(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bucketIndex)
		e, err := getEntry(idx, id)
		if err != nil {
			return err
		}
		b, key := tx.Bucket(bucketQueue), u64(e.Seq)
		switch e.State {
		case Rejected:
			b = tx.Bucket(bucketRejected)
		case Delivered:
			// The hub has it: the entry is all the station still needs.
			b = nil
		}
		if b != nil {
			v := b.Get(key)
			if v == nil {
				return fmt.Errorf("outbox: recommit %s: indexed as %s but its body is missing", id, e.State)
			}
			if err := b.Put(key, append([]byte(nil), v...)); err != nil {
				return fmt.Errorf("outbox: recommit %s: %w", id, err)
			}
		}
		if err := putEntry(idx, e); err != nil {
			return err
		}
		return o.syncFault(false)
	})
	if err == nil {
		if err = o.syncFault(true); err != nil {
			return wire.Record{}, Entry{}, fmt.Errorf("%w: recommit %s: %v", ErrUnknown, id, err)
		}
	}
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return wire.Record{}, Entry{}, err
		}
		return wire.Record{}, Entry{}, fmt.Errorf("outbox: recommit %s: %w", id, err)
	}
	return o.Get(id)
}
