package sim

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/adminapi"
)

// errNoScreen answers GET /v1/sim/screen when no window has said what it
// shows: serve, or run before its window is up.
var errNoScreen = errors.New("simulate: no screen: the kiosk runs without its window, or it is not up yet")

// screenHook is what the kiosk's window shows, for GET /v1/sim/screen.
// The admin API starts before the window, which hands its view over
// once it exists (SetScreen); sim imports no screen.
type screenHook struct {
	mu   sync.Mutex
	view func(context.Context) (any, error)
}

// SetScreen has GET /v1/sim/screen answer with what view returns (the
// kiosk's kiosk.App.Inspect, as JSON), or, for nil, no screen.
func (w *World) SetScreen(view func(context.Context) (any, error)) {
	w.screen.mu.Lock()
	defer w.screen.mu.Unlock()
	w.screen.view = view
}

// Screen is what the kiosk's window shows: its screen and where each
// thing to tap is. It fails when there is no window.
func (w *World) Screen(ctx context.Context) (any, error) {
	w.screen.mu.Lock()
	view := w.screen.view
	w.screen.mu.Unlock()
	if view == nil {
		return nil, errNoScreen
	}
	return view(ctx)
}

// screener is a Simulator with a window to look at.
type screener interface {
	Screen(ctx context.Context) (any, error)
}

// screenWait is how long GET /v1/sim/screen waits for the window's
// goroutine, which may be busy drawing on a loaded machine.
const screenWait = 10 * time.Second

func (h *handler) screen(w http.ResponseWriter, r *http.Request) {
	s, ok := h.sim.(screener)
	if !ok {
		adminapi.WriteError(w, http.StatusServiceUnavailable, errNoScreen.Error(), "")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), screenWait)
	defer cancel()
	v, err := s.Screen(ctx)
	if err != nil {
		adminapi.WriteError(w, http.StatusServiceUnavailable, err.Error(), "")
		return
	}
	adminapi.WriteJSON(w, http.StatusOK, v)
}
