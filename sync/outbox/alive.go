package outbox

import (
	"context"
	"fmt"
)

// Alive reports whether commits go on: its probe must be taken as Puts
// are, by the commit after the one in progress if there is one, and get
// the database's write lock, which every commit needs, before ctx ends. A
// commit stuck on its way to the disk (a disk that hangs in fsync) or
// waiting for a write lock another transaction never gives back would
// leave every later Put waiting, so the station is not alive; the error
// says which of the two it is.
func (o *Outbox) Alive(ctx context.Context) error {
	req := &putReq{taken: make(chan struct{}), done: make(chan error, 1)}
	lead, err := o.enqueue(req)
	if err != nil {
		return err
	}
	if lead {
		// In a goroutine of its own: the probe may wait for the lock
		// longer than ctx lets this call wait.
		close(req.taken)
		o.wg.Go(func() { o.lead([]*putReq{req}) })
	}
	select {
	case <-req.taken:
	case <-ctx.Done():
		return fmt.Errorf("outbox: the committer has not come back from its last commit or lock wait (%w); records cannot be stored", ctx.Err())
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("outbox: the committer cannot get the database's write lock (%w): another transaction holds it; records cannot be stored", ctx.Err())
	}
}

// probe takes the write lock and gives it back: a write transaction rolled
// back writes nothing and syncs nothing.
func (o *Outbox) probe() error {
	tx, err := o.db.Begin(true)
	if err != nil {
		return fmt.Errorf("outbox: liveness probe: %w", err)
	}
	if err := tx.Rollback(); err != nil {
		return fmt.Errorf("outbox: liveness probe: %w", err)
	}
	return nil
}
