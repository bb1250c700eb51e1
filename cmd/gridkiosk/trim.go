package main

import (
	"context"
	"runtime/debug"
	"time"

	appstation "github.com/gridkiosk/gridkiosk/appliance/station"
)

// trimAfterStart is how long after start the kiosk first gives back the
// memory its start-up freed: the screens are drawn and their fonts parsed
// by then, and the demo's records sent.
const trimAfterStart = 30 * time.Second

// sessions is what trimWhenIdle needs of the station.
type sessions interface {
	Session() appstation.SessionView
	SessionChanged() <-chan struct{}
}

// trimWhenIdle gives the heap the kiosk no longer uses back to the
// system once start-up is over and whenever a resident's session ends.
// Go keeps freed heap for reuse, and an idle kiosk allocates too little
// to reuse it: parsing the fonts at start leaves about half the heap
// free. A trim is one garbage collection, and comes only as the kiosk
// goes idle, never while a resident is at it.
func trimWhenIdle(ctx context.Context, st sessions, after <-chan time.Time, trim func()) {
	busy := true // until start-up is over
	for {
		changed := st.SessionChanged()
		idle := st.Session().State == appstation.SessionIdle
		if idle && busy && after == nil {
			trim()
		}
		if after == nil {
			busy = !idle
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-after:
			after = nil
		}
	}
}

// freeOSMemory is trimWhenIdle's trim in the kiosk.
func freeOSMemory() { debug.FreeOSMemory() }
