package outbox

import (
	"context"
	"fmt"
)

// Alive reports whether the committer answers: it must take a probe from
// its channel, as it takes Puts, and get the database's write lock, which
// every commit needs, before ctx ends. A committer stuck in a commit (a
// disk that hangs in fsync) or waiting for a write lock another
// transaction never gives back would leave every later Put waiting, so the
// station is not alive; the error says which of the two it is.
func (o *Outbox) Alive(ctx context.Context) error {
	res := make(chan error, 1)
	select {
	case o.probes <- res:
	case <-o.quit:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("outbox: the committer has not come back from its last commit or lock wait (%w); records cannot be stored", ctx.Err())
	}
	select {
	case err := <-res:
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
