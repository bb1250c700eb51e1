// Package adminapi is the station's local HTTP API on 127.0.0.1: health and
// metrics for monitoring, and record submission and look-up for the UI's
// companions, scripts and headless tests. The /v1 endpoints need the bearer
// token kept in the data directory; /healthz and /metrics carry no
// personal data and are open to local monitoring.
package adminapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/internal/secretfile"
)

// TokenFile is the token's file name in the data directory.
const TokenFile = "admin.token"

// maxBody bounds a submitted record. A registration is well under 4 KiB.
const maxBody = 64 << 10

// Station is what the API needs of the appliance.
type Station interface {
	Submit(ctx context.Context, sub station.Submission) (station.Ack, error)
	Lookup(id string) (station.Row, error)
	Health() station.Health
	WriteMetrics(w io.Writer)
	Session() station.SessionView
	SubmitSession(ctx context.Context, in station.SessionSubmit) (station.Ack, error)
	CancelSession()
	PrintReceipt(ctx context.Context, req station.ReceiptRequest) (station.PrintResult, error)
	LastScan() *station.ScanResult
	Staff() *station.StaffSession
	StaffLogout()
	ClearHelp()
	Rejected() ([]station.Row, error)
	Resend(ids []string) (int, error)
	StartManual(name, idNumber string) error
	StaffLoginPIN(staffID, pin string) error
	Records(since time.Time, max int) ([]station.Row, error)
	// Now is the station's time, which its records carry.
	Now() time.Time
	PrintJobs() []station.PrintJob
	PrintJobNow(id string) error
	CancelPrintJob(id string) error
}

// Handler serves the API for st, with token as the bearer token of /v1.
// The simulation's /v1/sim endpoints are sim.Handler's, mounted beside it.
func Handler(st Station, token string) http.Handler {
	a := &api{st: st, token: token}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.health)
	mux.HandleFunc("GET /metrics", a.metrics)
	mux.HandleFunc("POST /v1/records", a.auth(a.submit))
	mux.HandleFunc("GET /v1/records/{id}", a.auth(a.lookup))
	mux.HandleFunc("GET /v1/session", a.auth(a.session))
	mux.HandleFunc("POST /v1/session/submit", a.auth(a.sessionSubmit))
	mux.HandleFunc("POST /v1/session/cancel", a.auth(a.sessionCancel))
	mux.HandleFunc("POST /v1/records/{id}/receipt", a.auth(a.receipt))
	mux.HandleFunc("GET /v1/scan", a.auth(a.lastScan))
	mux.HandleFunc("GET /v1/staff", a.auth(a.staff))
	mux.HandleFunc("POST /v1/staff/logout", a.auth(a.staffLogout))
	mux.HandleFunc("POST /v1/panel/help/clear", a.auth(a.clearHelp))
	mux.HandleFunc("GET /v1/rejected", a.auth(a.rejected))
	mux.HandleFunc("GET /v1/records", a.auth(a.records))
	mux.HandleFunc("POST /v1/session/manual", a.auth(a.sessionManual))
	mux.HandleFunc("POST /v1/staff/login", a.auth(a.staffLogin))
	mux.HandleFunc("POST /v1/rejected/resend", a.auth(a.resend))
	mux.HandleFunc("GET /v1/printjobs", a.auth(a.printJobs))
	mux.HandleFunc("POST /v1/printjobs/{id}/print", a.auth(a.printJobNow))
	mux.HandleFunc("POST /v1/printjobs/{id}/cancel", a.auth(a.cancelPrintJob))
	return mux
}

type api struct {
	st    Station
	token string
}

func (a *api) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(a.token)) != 1 {
			writeJSON(w, http.StatusUnauthorized, errorBody{Error: "missing or wrong bearer token (see " + TokenFile + " in the data directory)"})
			return
		}
		h(w, r)
	}
}

func (a *api) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.st.Health())
}

func (a *api) metrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	a.st.WriteMetrics(w)
}

type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
	// Code and ID are set for an unknown outcome (storage_unknown): the
	// record's ID, to look up and to retry with.
	Code string `json:"code,omitempty"`
	ID   string `json:"id,omitempty"`
}

func (a *api) submit(w http.ResponseWriter, r *http.Request) {
	var sub station.Submission
	if !decode(w, r, &sub) {
		return
	}
	ack, err := a.st.Submit(r.Context(), sub)
	writeStored(w, ack, err)
}

// writeStored answers a request that stored a record: 201 once it is on
// disk (200 when an earlier try with the same ID had stored it), 400
// naming the field at fault, 409 when there was nothing to submit, 503
// when storage failed — nothing was saved, and the caller must know — and
// 500 storage_unknown when the commit failed after reaching the disk: the
// caller looks the record up and retries with its ID, which cannot store
// it twice.
func writeStored(w http.ResponseWriter, ack station.Ack, err error) {
	var fe *record.FieldError
	var ref *signedcode.Refusal
	var unk *station.StorageUnknown
	switch {
	case errors.As(err, &unk):
		writeJSON(w, http.StatusInternalServerError, errorBody{Code: "storage_unknown", ID: unk.ID,
			Error: "结果未知，请先查询再重试 / the outcome is unknown: record " + unk.ID + " may or may not be stored. " +
				"Look it up (GET /v1/records/" + unk.ID + ") before retrying, and retry with \"id\": \"" + unk.ID + "\" " +
				"(a session: submit it again), which cannot store it twice: " + err.Error()})
	case err == nil && ack.Repeat:
		w.Header().Set("Location", "/v1/records/"+ack.ID)
		writeJSON(w, http.StatusOK, ack)
	case errors.Is(err, station.ErrNoSession):
		writeJSON(w, http.StatusConflict, errorBody{Error: err.Error()})
	case errors.As(err, &ref):
		writeJSON(w, http.StatusConflict, errorBody{Error: ref.Message(), Field: "appointment"})
	case errors.Is(err, station.ErrFull):
		// The resident is sent to staff; the technician reads the rest.
		writeJSON(w, http.StatusInsufficientStorage, errorBody{Error: "本站存储已满，记录未保存，请联系工作人员 / station storage is full, the record was NOT stored; please see staff: " + err.Error()})
	case errors.As(err, &fe):
		writeJSON(w, http.StatusBadRequest, errorBody{Error: fe.Error(), Field: fe.Field})
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "record NOT stored: " + err.Error()})
	default:
		w.Header().Set("Location", "/v1/records/"+ack.ID)
		writeJSON(w, http.StatusCreated, ack)
	}
}

func (a *api) lookup(w http.ResponseWriter, r *http.Request) {
	e, err := a.st.Lookup(r.PathValue("id"))
	switch {
	case errors.Is(err, station.ErrNotFound):
		writeJSON(w, http.StatusNotFound, errorBody{Error: "no such record at this station (never stored, or delivered and purged after its retention)"})
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: err.Error()})
	default:
		writeJSON(w, http.StatusOK, e)
	}
}

func (a *api) session(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.st.Session())
}

func (a *api) sessionSubmit(w http.ResponseWriter, r *http.Request) {
	var in station.SessionSubmit
	if !decode(w, r, &in) {
		return
	}
	ack, err := a.st.SubmitSession(r.Context(), in)
	writeStored(w, ack, err)
}

func (a *api) sessionCancel(w http.ResponseWriter, r *http.Request) {
	a.st.CancelSession()
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) lastScan(w http.ResponseWriter, r *http.Request) {
	res := a.st.LastScan()
	if res == nil {
		writeJSON(w, http.StatusNotFound, errorBody{Error: "no code scanned since start"})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *api) staff(w http.ResponseWriter, r *http.Request) {
	s := a.st.Staff()
	if s == nil {
		writeJSON(w, http.StatusNotFound, errorBody{Error: "no staff logged in (scan a staff code)"})
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (a *api) staffLogout(w http.ResponseWriter, r *http.Request) {
	a.st.StaffLogout()
	w.WriteHeader(http.StatusNoContent)
}

// records lists the records made since ?since (RFC 3339; default the
// start of today, station time), newest first, at most ?max (default 200).
func (a *api) records(w http.ResponseWriter, r *http.Request) {
	now := a.st.Now()
	since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: "since is not an RFC 3339 time (e.g. 2026-11-27T00:00:00+08:00)", Field: "since"})
			return
		}
		since = t
	}
	list, err := a.st.Records(since, 200)
	writeEntries(w, list, err)
}

func (a *api) sessionManual(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string `json:"name"`
		IDNumber string `json:"id_number"`
	}
	if !decode(w, r, &in) {
		return
	}
	var fe *record.FieldError
	switch err := a.st.StartManual(in.Name, in.IDNumber); {
	case errors.As(err, &fe):
		writeJSON(w, http.StatusBadRequest, errorBody{Error: fe.Error(), Field: fe.Field})
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: err.Error()})
	default:
		writeJSON(w, http.StatusOK, a.st.Session())
	}
}

func (a *api) staffLogin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Staff string `json:"staff"`
		PIN   string `json:"pin"`
	}
	if !decode(w, r, &in) {
		return
	}
	switch err := a.st.StaffLoginPIN(in.Staff, in.PIN); {
	case errors.Is(err, station.ErrPINLocked):
		writeJSON(w, http.StatusTooManyRequests, errorBody{Error: err.Error()})
	case err != nil:
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: err.Error(), Field: "pin"})
	default:
		writeJSON(w, http.StatusOK, a.st.Staff())
	}
}

func (a *api) rejected(w http.ResponseWriter, r *http.Request) {
	list, err := a.st.Rejected()
	writeEntries(w, list, err)
}

// writeEntries answers with a list of outbox entries, [] rather than null
// when there are none, or 503 with the store's error.
func writeEntries(w http.ResponseWriter, list []station.Row, err error) {
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: err.Error()})
		return
	}
	if list == nil {
		list = []station.Row{}
	}
	writeJSON(w, http.StatusOK, list)
}

func (a *api) resend(w http.ResponseWriter, r *http.Request) {
	var in struct {
		IDs []string `json:"ids"`
	}
	if !decode(w, r, &in) {
		return
	}
	if len(in.IDs) == 0 {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "give the IDs of rejected records to send again", Field: "ids"})
		return
	}
	n, err := a.st.Resend(in.IDs)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"queued": n})
}

func (a *api) clearHelp(w http.ResponseWriter, r *http.Request) {
	a.st.ClearHelp()
	w.WriteHeader(http.StatusNoContent)
}

// decode reads a JSON body strictly; on failure it has answered: 413 for
// a body too large, 400 naming the field for bytes that are not UTF-8
// (which encoding/json would quietly store as U+FFFD), a field this
// endpoint does not know, a value of the wrong type, and anything after
// the JSON object (which it would quietly drop).
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: fmt.Sprintf("body larger than %d bytes", maxBody)})
			return false
		}
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "body: " + err.Error()})
		return false
	}
	if err := decodeBody(body, v); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error(), Field: err.Field})
		return false
	}
	return true
}

// decodeBody decodes one JSON value into v, refusing what decode says.
func decodeBody(body []byte, v any) *record.FieldError {
	if err := record.CheckUTF8("", body); err != nil {
		var fe *record.FieldError
		errors.As(err, &fe)
		return fe
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &record.FieldError{Field: te.Field, Msg: fmt.Sprintf("is a JSON %s, not what this field takes (%v)", te.Value, te.Type)}
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return &record.FieldError{Field: strings.Trim(name, `"`), Msg: "is not a field of this request"}
		}
		return &record.FieldError{Field: "body", Msg: "is not the JSON object this endpoint takes: " + err.Error()}
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return &record.FieldError{Field: "body", Msg: fmt.Sprintf("has data after the JSON object (from byte %d); send one object", end)}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// LoadOrCreateToken returns the admin token from dir, creating a random
// one (mode 0600) on first start.
func LoadOrCreateToken(dir string) (string, error) {
	path := filepath.Join(dir, TokenFile)
	b, err := secretfile.Read(path, 4096)
	if secretfile.IsExposed(err) {
		return "", fmt.Errorf("adminapi: %w (or delete it: a new token is made at the next start)", err)
	}
	if err == nil {
		tok := strings.TrimSpace(string(b))
		if len(tok) < 16 {
			return "", fmt.Errorf("adminapi: %s holds a token shorter than 16 characters; delete it to have a new one made", path)
		}
		return tok, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("adminapi: read token: %w", err)
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("adminapi: make token: %w", err)
	}
	tok := hex.EncodeToString(raw)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("adminapi: data dir: %w", err)
	}
	if err := writeFileAtomic(path, []byte(tok+"\n")); err != nil {
		return "", fmt.Errorf("adminapi: write token: %w", err)
	}
	return tok, nil
}

// writeFileAtomic writes data to path so that a power cut leaves either
// no file or the whole one, never a short token that blocks every later
// start.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	// A temporary file left by an earlier try keeps its mode through
	// O_TRUNC; the token must not inherit a looser one.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	// Until the directory is synced the rename is not durable: a power
	// cut would bring back no token after the station handed this one out.
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", filepath.Dir(path), err)
	}
	return nil
}
