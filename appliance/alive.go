package appliance

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// stuckGrace is what a batch may take beyond upstream.timeout before the
// forwarder counts as stuck: the timeout bounds the exchange with the
// hub, and reading the batch from the outbox and recording the hub's
// answer take far less than this unless the disk hangs.
const stuckGrace = 10 * time.Second

// Alive reports whether the station's own loops answer, for the systemd
// watchdog: the outbox's committer takes a probe before ctx ends, and the
// forwarder is not stuck in one batch past upstream.timeout. A forwarder
// that waits (an empty queue, a long backoff while the hub is away, a
// refused token) is alive. The error names each loop that is wedged.
func (s *Station) Alive(ctx context.Context) error {
	var errs []error
	if err := s.box.Alive(ctx); err != nil {
		errs = append(errs, fmt.Errorf("appliance: outbox committer wedged: %w", err))
	}
	if s.fwd != nil {
		limit := s.cfg.Upstream.Timeout.Duration + stuckGrace
		if d := s.fwd.Busy(); d > limit {
			errs = append(errs, fmt.Errorf("appliance: forwarder stuck: one batch has taken %s, past upstream.timeout (%s) + %s",
				d.Round(time.Second), s.cfg.Upstream.Timeout.Duration, stuckGrace))
		}
	}
	return errors.Join(errs...)
}
