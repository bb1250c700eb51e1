package appliance

import (
	"sync"
	"sync/atomic"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// The Station's smaller parts (see Station): session, staffDesk, frontPanel
// and clockTrust have files of their own.

// devices is what the drivers' loops last reported. mu guards every
// field, and is taken only to copy a field in or out.
type devices struct {
	mu       sync.Mutex
	reader   readerState
	scanner  readerState
	lastScan *station.ScanResult
	scanDrv  *qrscan.Scanner // set once the scanner's loop runs
}

// refs is the reference data the station works with and why the last
// fetch was not taken. mu guards both.
type refs struct {
	mu   sync.Mutex
	data *RefData // nil until the hub was first reached
	err  string
}

// counters are what /metrics counts since start. They need no lock:
// byKind is filled at start and only its counts change.
type counters struct {
	byKind    map[string]*atomic.Uint64 // records stored, by kind
	cardsRead atomic.Uint64
}

func newCounters() *counters {
	c := &counters{byKind: map[string]*atomic.Uint64{}}
	for _, k := range wire.Kinds() {
		c.byKind[k] = new(atomic.Uint64)
	}
	return c
}

// changeNotice is the channel SessionChanged hands out; mu guards ch.
type changeNotice struct {
	mu sync.Mutex
	ch chan struct{} // closed and replaced at each change
}

// notify wakes everyone waiting on SessionChanged.
func (s *Station) notify() {
	c := &s.changes
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.ch)
	c.ch = make(chan struct{})
}

// SessionChanged returns a channel that is closed at the next change of
// the session, of a device's state, or of the hub being reachable.
func (s *Station) SessionChanged() <-chan struct{} {
	c := &s.changes
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ch
}
