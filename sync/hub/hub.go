// Package hub is the county side of the sync contract (v1): it ingests
// batches of records from stations, idempotently by record ID, serves each
// station its reference data, and answers status look-ups. Storage sits
// behind the Store interface: BoltStore, an embedded bbolt file, is the
// default, and package pgstore keeps the same in PostgreSQL.
package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/internal/connguard"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// MaxConns is how many connections a hub keeps open by default: a
// county's stations, each with a connection or two, and room besides;
// well under the file limit, which connguard.FitFileLimit checks.
const MaxConns = 4096

// HTTPLimits are what gridhub serve allows each connection, without a
// token or with one: a header within 10 s, a batch (up to MaxBody, 8 MiB)
// within 2 min, over a slow county link, an answer within 2 min of the
// request's header, keep-alive idling for 1 min; and at most maxConns
// connections (MaxConns for 0), the longest-waiting idle or slow ones
// closed first when more come.
func HTTPLimits(maxConns int) connguard.Limits {
	if maxConns <= 0 {
		maxConns = MaxConns
	}
	return connguard.Limits{
		MaxConns:          connguard.FitFileLimit(maxConns),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// Server serves the v1 contract over HTTP.
type Server struct {
	Store Store
	// Tokens are stations' tokens besides those in Store (a tokens file,
	// a test's station); they are asked first.
	Tokens Tokens
	// RefData returns a station's reference data as JSON; nil serves
	// what Store holds (see StationRefData).
	RefData func(stationID string) ([]byte, error)
	Log     *slog.Logger
	// MaxBody bounds a batch's size; a larger one gets 413 and the
	// station halves its batch. Default 8 MiB.
	MaxBody int64
	Now     func() time.Time
	// HealthInFlight bounds the health reports stored at once; more get
	// 503 with a Retry-After. Default DefaultHealthInFlight.
	HealthInFlight int
	// BundleStall is how long a bundle's download may make no progress
	// before it is dropped. Default DefaultBundleStall.
	BundleStall time.Duration

	gate healthGate
}

// Handler returns the HTTP handler of the contract's endpoints.
func (s *Server) Handler() http.Handler {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.MaxBody <= 0 {
		s.MaxBody = 8 << 20
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	s.gate = make(healthGate, s.healthInFlight())
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/records", s.auth(s.ingest))
	mux.HandleFunc("POST "+wire.PathHealth, s.auth(s.health))
	mux.HandleFunc("GET /v1/stations/{station}/refdata", s.auth(s.refdata))
	mux.HandleFunc("GET /v1/records/{id}/status", s.auth(s.status))
	mux.HandleFunc("GET /v1/stations/{station}/update", s.auth(s.update))
	mux.HandleFunc("GET /v1/releases/{version}/{arch}/bundle.raucb", s.auth(s.bundle))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return mux
}

func (s *Server) auth(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			httpError(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		st, ok, err := s.station(tok)
		switch {
		case err != nil:
			s.Log.Error("hub: token look-up", "err", err)
			httpError(w, http.StatusServiceUnavailable, "storage unavailable; retry later")
		case !ok:
			writeJSON(w, http.StatusUnauthorized, wire.ErrorReply{Code: wire.CodeUnknownToken, Error: "unknown token"})
		default:
			// The station corrects its clock by the hub's; the proof
			// shows the time is the hub's, not a proxy's (PROTOCOL.md).
			at := s.Now().UTC().Format(time.RFC3339Nano)
			w.Header().Set(wire.HeaderHubTime, at)
			w.Header().Set(wire.HeaderTimeProof, wire.TimeProof(tok, st, r.Header.Get(wire.HeaderTimeNonce), at))
			h(w, r, st)
		}
	}
}

// station returns the station a token belongs to. The store is asked on
// every request, so a station added while the hub runs is served at once.
func (s *Server) station(token string) (string, bool, error) {
	if st, ok := s.Tokens.Station(token); ok {
		return st, true, nil
	}
	if token == "" || s.Store == nil {
		return "", false, nil
	}
	return s.Store.StationByToken(token)
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request, station string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("batch larger than %d bytes; send fewer records", s.MaxBody))
			return
		}
		httpError(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	var b wire.Batch
	if err := json.Unmarshal(body, &b); err != nil {
		httpError(w, http.StatusBadRequest, "body is not a v1 batch: "+err.Error())
		return
	}
	if b.StationID != station {
		mismatch(w, station, fmt.Sprintf("token belongs to station %q, batch says %q", station, b.StationID))
		return
	}
	// The store checks each record (Check) as it stores the batch.
	reply, err := s.Store.Ingest(station, b.Records, s.Now())
	if err != nil {
		s.Log.Error("hub: store batch", "station", station, "err", err)
		httpError(w, http.StatusServiceUnavailable, "storage unavailable; retry later")
		return
	}
	if reply.Acked == nil {
		reply.Acked = []string{}
	}
	if reply.Rejected == nil {
		reply.Rejected = []wire.Rejection{}
	}
	s.Log.Info("hub: batch", "station", station, "records", len(b.Records), "acked", len(reply.Acked), "rejected", len(reply.Rejected))
	writeJSON(w, http.StatusOK, reply)
}

func (s *Server) refdata(w http.ResponseWriter, r *http.Request, station string) {
	if asked := r.PathValue("station"); asked != station {
		mismatch(w, station, fmt.Sprintf("token belongs to station %q, the request is for %q", station, asked))
		return
	}
	get := s.RefData
	if get == nil {
		get = func(station string) ([]byte, error) {
			if s.Store == nil {
				return []byte("{}"), nil
			}
			return StationRefData(s.Store, station)
		}
	}
	data, err := get(station)
	if err != nil {
		s.Log.Error("hub: refdata", "station", station, "err", err)
		httpError(w, http.StatusServiceUnavailable, "reference data unavailable")
		return
	}
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

// status answers a station about its own records only. Another station's
// record is answered 404, like one the hub never had, not 403: a station's
// token must not tell its holder which records exist elsewhere.
func (s *Server) status(w http.ResponseWriter, r *http.Request, station string) {
	st, ok, err := s.Store.Status(station, r.PathValue("id"))
	switch {
	case err != nil:
		s.Log.Error("hub: status", "err", err)
		httpError(w, http.StatusServiceUnavailable, "storage unavailable")
	case !ok:
		httpError(w, http.StatusNotFound, "no such record at the hub")
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func httpError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// mismatch answers 403 for a valid token used by another station than its
// own, with the code and the token's station, so that the station can
// tell its technician which of station.id and the token file is wrong
// rather than report a refused token.
func mismatch(w http.ResponseWriter, tokenStation, msg string) {
	writeJSON(w, http.StatusForbidden, wire.ErrorReply{Code: wire.CodeStationMismatch, TokenStation: tokenStation, Error: msg})
}
