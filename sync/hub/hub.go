// Package hub is the county side of the sync contract (v1): it ingests
// batches of records from stations, idempotently by record ID, serves each
// station its reference data, and answers status look-ups. Storage sits
// behind the Store interface; BoltStore, an embedded bbolt file, is the
// default.
package hub

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/upstream"
)

// Store keeps what stations sent.
type Store interface {
	// Ingest stores the records that are new, acks every record that is
	// stored (new or not) and rejects those it will not take.
	Ingest(stationID string, recs []upstream.Record, at time.Time) (upstream.Reply, error)
	// Status returns the hub's view of one record; ok is false when the
	// hub has never received it.
	Status(id string) (s upstream.Status, ok bool, err error)
}

// Tokens maps bearer tokens to the station each one belongs to.
type Tokens map[string]string // token → station ID

// Station returns the station that token belongs to. Every entry is
// compared in constant time, so timing does not reveal a near-miss.
func (t Tokens) Station(token string) (string, bool) {
	found := ""
	for tok, st := range t {
		if subtle.ConstantTimeCompare([]byte(tok), []byte(token)) == 1 {
			found = st
		}
	}
	return found, found != "" && token != ""
}

// ParseTokens reads "station_id token" lines; blank lines and lines
// starting with # are skipped.
func ParseTokens(data []byte, name string) (Tokens, error) {
	t := Tokens{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 || len(f[1]) < 16 {
			return nil, fmt.Errorf("hub: %s:%d: want \"station_id token\" with a token of at least 16 characters", name, i+1)
		}
		t[f[1]] = f[0]
	}
	return t, nil
}

// Server serves the v1 contract over HTTP.
type Server struct {
	Store  Store
	Tokens Tokens
	// RefData returns a station's reference data as JSON; nil serves {}.
	RefData func(stationID string) ([]byte, error)
	Log     *slog.Logger
	// MaxBody bounds a batch's size; a larger one gets 413 and the
	// station halves its batch. Default 8 MiB.
	MaxBody int64
	Now     func() time.Time
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
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/records", s.auth(s.ingest))
	mux.HandleFunc("GET /v1/stations/{station}/refdata", s.auth(s.refdata))
	mux.HandleFunc("GET /v1/records/{id}/status", s.auth(s.status))
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
		st, ok := s.Tokens.Station(tok)
		if !ok {
			httpError(w, http.StatusUnauthorized, "unknown token")
			return
		}
		h(w, r, st)
	}
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
	var b upstream.Batch
	if err := json.Unmarshal(body, &b); err != nil {
		httpError(w, http.StatusBadRequest, "body is not a v1 batch: "+err.Error())
		return
	}
	if b.StationID != station {
		httpError(w, http.StatusForbidden, fmt.Sprintf("token belongs to station %q, batch says %q", station, b.StationID))
		return
	}
	var good []upstream.Record
	var rejected []upstream.Rejection
	for _, rec := range b.Records {
		if reason := check(rec); reason != "" {
			rejected = append(rejected, upstream.Rejection{ID: rec.ID, Reason: reason})
			continue
		}
		good = append(good, rec)
	}
	reply, err := s.Store.Ingest(station, good, s.Now())
	if err != nil {
		s.Log.Error("hub: store batch", "station", station, "err", err)
		httpError(w, http.StatusServiceUnavailable, "storage unavailable; retry later")
		return
	}
	reply.Rejected = append(reply.Rejected, rejected...)
	if reply.Acked == nil {
		reply.Acked = []string{}
	}
	if reply.Rejected == nil {
		reply.Rejected = []upstream.Rejection{}
	}
	s.Log.Info("hub: batch", "station", station, "records", len(b.Records), "acked", len(reply.Acked), "rejected", len(reply.Rejected))
	writeJSON(w, http.StatusOK, reply)
}

// check returns why a record cannot be taken, or "".
func check(r upstream.Record) string {
	switch {
	case !validUUID(r.ID):
		return "id is not a UUID"
	case !upstream.ValidKind(r.Kind):
		return fmt.Sprintf("kind %q is not one of registration, matter, receipt, volunteer", r.Kind)
	case r.Seq == 0:
		return "seq is missing"
	case r.CreatedAt.IsZero():
		return "created_at is missing"
	case !isObject(r.Grid):
		return "grid is not a JSON object"
	case !isObject(r.Payload):
		return "payload is not a JSON object"
	}
	return ""
}

func (s *Server) refdata(w http.ResponseWriter, r *http.Request, station string) {
	if r.PathValue("station") != station {
		httpError(w, http.StatusForbidden, "token belongs to another station")
		return
	}
	data := []byte("{}")
	if s.RefData != nil {
		d, err := s.RefData(station)
		if err != nil {
			s.Log.Error("hub: refdata", "station", station, "err", err)
			httpError(w, http.StatusServiceUnavailable, "reference data unavailable")
			return
		}
		data = d
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

func (s *Server) status(w http.ResponseWriter, r *http.Request, _ string) {
	st, ok, err := s.Store.Status(r.PathValue("id"))
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

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func isObject(m json.RawMessage) bool {
	m = bytes.TrimSpace(m)
	return len(m) > 0 && m[0] == '{' && json.Valid(m)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func httpError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
