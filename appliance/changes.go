package appliance

import "context"

// The screens are told of changes (SessionChanged) rather than reading
// the station on a timer: an idle kiosk must not wake every second to
// find nothing new. These relay the changes the station's parts know of
// but do not announce themselves.

// changes returns a channel closed at the print queue's next change: a
// job added, printed, held or cancelled.
func (q *printQueue) changes() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.changed
}

// relayPrintJobs tells SessionChanged's waiters of every change of the
// print queue, so the staff's 待打印 list follows it without polling.
func (s *Station) relayPrintJobs(ctx context.Context) {
	for {
		ch := s.prn.changes()
		select {
		case <-ctx.Done():
			return
		case <-ch:
			s.notify()
		}
	}
}
