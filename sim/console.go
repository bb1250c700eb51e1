package sim

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/console"
)

// withConsole serves the county console beside the simulated hub, as
// gridhub serve does, with the demo's reference data for its names and
// the demo account (demo.ConsoleUser) for logging in.
func withConsole(store *hub.BoltStore, hs *hub.Server, log *slog.Logger) (http.Handler, error) {
	if err := store.PutRefData("", demo.RefData()); err != nil {
		return nil, fmt.Errorf("simulate: console: %w", err)
	}
	hash, err := console.HashPassword(demo.ConsolePassword)
	if err != nil {
		return nil, fmt.Errorf("simulate: console: %w", err)
	}
	if err := store.PutUser(hub.User{Name: demo.ConsoleUser, Role: hub.RoleAdmin, PassHash: hash}); err != nil {
		return nil, fmt.Errorf("simulate: console: %w", err)
	}
	ch, err := (&console.Console{Store: store, Log: log.With("component", "console")}).Handler()
	if err != nil {
		return nil, fmt.Errorf("simulate: console: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, ch)
	mux.Handle("/", hs.Handler())
	return mux, nil
}
