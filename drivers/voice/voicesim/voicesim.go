// Package voicesim is a voice sink for tests and the simulation: it
// records the prompts the screens ask for, in order, instead of playing
// them, so a test can assert what a resident would have heard.
//
// A Recorder has the methods of drivers/voice's Player that screens use
// (Say, Again, Stop, SetMuted, SetVolume), so it stands in wherever the
// screens declare their small interface.
package voicesim

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Recorder records what it is asked to say.
type Recorder struct {
	known map[string]bool

	mu      sync.Mutex
	said    [][]string
	unknown []string
	last    []string
	muted   bool
	volume  int
	stops   int
	changed chan struct{} // closed and replaced at each Say
}

// New returns a recorder that knows the catalogue's prompt IDs: any other
// it is asked to say is recorded as unknown (see Unknown), as a pack
// would have no audio for it.
func New(catalogue []string) *Recorder {
	r := &Recorder{known: make(map[string]bool, len(catalogue)), volume: 100, changed: make(chan struct{})}
	for _, id := range catalogue {
		r.known[id] = true
	}
	return r
}

// Say records the prompts as one request; a muted recorder records
// nothing, as a muted player plays nothing, but remembers them for Again.
func (r *Recorder) Say(ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = slices.Clone(ids)
	if r.muted || len(ids) == 0 {
		return
	}
	for _, id := range ids {
		if !r.known[id] {
			r.unknown = append(r.unknown, id)
		}
	}
	r.said = append(r.said, slices.Clone(ids))
	close(r.changed)
	r.changed = make(chan struct{})
}

// Chime records the prompt as a request of its own, as Say does, but
// leaves what Again says alone; a muted recorder records nothing. The
// recorder plays nothing, so it is never busy: a player drops a chime
// while it speaks.
func (r *Recorder) Chime(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.muted {
		return
	}
	if !r.known[id] {
		r.unknown = append(r.unknown, id)
	}
	r.said = append(r.said, []string{id})
	close(r.changed)
	r.changed = make(chan struct{})
}

// Again says the latest request once more.
func (r *Recorder) Again() {
	r.mu.Lock()
	ids := r.last
	r.mu.Unlock()
	r.Say(ids...)
}

// Stop counts a stop.
func (r *Recorder) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stops++
}

// SetMuted mutes or unmutes the recorder.
func (r *Recorder) SetMuted(m bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.muted = m
}

// SetVolume records the volume.
func (r *Recorder) SetVolume(percent int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.volume = min(max(percent, 0), 100)
}

// Volume is the volume last set.
func (r *Recorder) Volume() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.volume
}

// Said returns the requests recorded, oldest first.
func (r *Recorder) Said() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]string, len(r.said))
	for i, s := range r.said {
		out[i] = slices.Clone(s)
	}
	return out
}

// IDs returns every prompt recorded, in the order asked for.
func (r *Recorder) IDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Concat(r.said...)
}

// Unknown returns the prompts asked for that the catalogue lacks.
func (r *Recorder) Unknown() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.unknown)
}

// Stops is how many times Stop was called.
func (r *Recorder) Stops() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stops
}

// Reset forgets what was recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.said, r.unknown, r.stops = nil, nil, 0
}

// WaitFor waits until at least n requests are recorded and returns them,
// or fails when ctx ends first, saying what was recorded by then. Screens
// ask from Fyne's goroutine, so a test waits rather than looks at once.
func (r *Recorder) WaitFor(ctx context.Context, n int) ([][]string, error) {
	for {
		r.mu.Lock()
		got, ch := len(r.said), r.changed
		r.mu.Unlock()
		if got >= n {
			return r.Said(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return r.Said(), fmt.Errorf("voicesim: %d requests said, waited for %d: %w", got, n, ctx.Err())
		}
	}
}
