package outbox

import (
	"errors"
	"fmt"
	"syscall"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// ErrFull is returned by Put when the disk or the configured cap leaves no
// room. Nothing already stored is touched: the outbox never evicts a
// record to make room for another.
var ErrFull = errors.New("outbox: storage full")

const mib = 1 << 20

// checkSpace refuses a Put before it starts when the disk is nearly full
// or the records reached MaxBytes. It is a guard, not a promise: another
// process may fill the disk after it, and then the commit itself fails,
// still leaving every stored record as it was.
func (o *Outbox) checkSpace() error {
	var st unix.Statfs_t
	if err := unix.Statfs(o.dir, &st); err == nil {
		free := int64(st.Bavail) * int64(st.Bsize)
		if free < o.opt.MinFree {
			return fmt.Errorf("%w: %d MiB free on the disk of %s, and the station keeps %d MiB spare; free space there (old logs, other files) — queued records are kept",
				ErrFull, free/mib, o.dir, o.opt.MinFree/mib)
		}
	}
	if o.opt.MaxBytes > 0 {
		if used := o.usedBytes(); used >= o.opt.MaxBytes {
			return fmt.Errorf("%w: records take %d MiB of the %d MiB allowed (storage.max_mb); they leave as the hub takes them and after their retention — nothing is evicted",
				ErrFull, used/mib, o.opt.MaxBytes/mib)
		}
	}
	return nil
}

// usedBytes is the database's size less the pages it can reuse.
func (o *Outbox) usedBytes() int64 {
	var size int64
	o.db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
	return size - int64(o.db.Stats().FreeAlloc)
}

// diskFull turns a commit that failed for want of disk space into ErrFull,
// with what to do about it; other errors pass unchanged.
func diskFull(dir string, err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w: the disk of %s is full (%v); free space there — queued records are kept", ErrFull, dir, err)
	}
	return err
}
