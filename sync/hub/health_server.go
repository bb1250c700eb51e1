package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// DefaultHealthInFlight is how many health reports a hub process stores
// at once by default. Health reports are second to records: a few
// storing at a time keep the store's connections and disk for records,
// and a report refused costs nothing (the station sends a newer one).
const DefaultHealthInFlight = 8

// healthRetry is the Retry-After range of a report refused for load:
// between one and two minutes, drawn at random, so that the stations
// told to wait do not all come back in the same second.
const healthRetryMin, healthRetrySpread = 60, 60

// healthGate admits at most n reports at once.
type healthGate chan struct{}

func (g healthGate) enter() bool {
	select {
	case g <- struct{}{}:
		return true
	default:
		return false
	}
}

func (g healthGate) leave() { <-g }

func (s *Server) health(w http.ResponseWriter, r *http.Request, station string) {
	if !s.gate.enter() {
		// More reports at once than the hub stores: 503, come back
		// later. The station keeps only its newest report meanwhile.
		w.Header().Set("Retry-After", strconv.Itoa(healthRetryMin+rand.IntN(healthRetrySpread+1)))
		httpError(w, http.StatusServiceUnavailable, "too many health reports at once; retry after the time given")
		return
	}
	defer s.gate.leave()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxHealthBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("health report larger than %d bytes", wire.MaxHealthBytes))
			return
		}
		httpError(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	var h wire.Health
	if err := json.Unmarshal(body, &h); err != nil {
		httpError(w, http.StatusBadRequest, "body is not a v1 health report: "+err.Error())
		return
	}
	if h.StationID != station {
		mismatch(w, station, fmt.Sprintf("token belongs to station %q, the report says %q", station, h.StationID))
		return
	}
	if err := h.Check(); err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.Store.PutHealth(h, s.Now()); err != nil {
		s.Log.Error("hub: store health", "station", station, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(healthRetryMin+rand.IntN(healthRetrySpread+1)))
		httpError(w, http.StatusServiceUnavailable, "storage unavailable; retry later")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// healthInFlight is how many reports the gate admits.
func (s *Server) healthInFlight() int {
	if s.HealthInFlight > 0 {
		return s.HealthInFlight
	}
	return DefaultHealthInFlight
}
