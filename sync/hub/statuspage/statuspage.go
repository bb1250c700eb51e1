// Package statuspage is the hub's public page of a record's progress, the
// page a resident's phone opens from the QR code of their receipt:
// GET <public url>/r/<record id>?k=<key>. It is small, server-rendered
// HTML for a phone (no script), Chinese first with English below, and
// shows what a receipt's holder may know: the state in plain words, the
// staff's note, the next step, whom to ask (the grid leader from the
// station's reference data), the record's kind, ticket and date. Nothing
// of the person: no name, ID number, phone, address or description.
//
// The key (package receiptcode) is what opens a page: an unknown record,
// a record without a key and a wrong key get the same 404 page after the
// same constant-time comparison, so the page tells no one which records
// exist. Each client address may ask a few times a minute (Limiter).
package statuspage

import (
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// Records is what the page asks of the hub's store.
type Records interface {
	Record(id string) (hub.Stored, bool, error)
}

// Page serves the status pages.
type Page struct {
	Records Records
	// RefData returns a station's reference data, as the hub serves it;
	// the page takes the category names and the grid leaders from it.
	RefData func(stationID string) ([]byte, error)
	// Limit bounds how often one client may ask; nil means DefaultLimiter.
	Limit *Limiter
	Log   *slog.Logger
	Now   func() time.Time
}

// dummyKey stands in for the key of a record that has none, or does not
// exist, so that every answer costs one comparison of a key's length.
var dummyKey = []byte("AAAAAAAAAAAAAAAAAAAAAA")

// Register adds the page to mux under prefix, the path of the hub's
// public URL ("" at the root). With a prefix the page is served at the
// root too, for a portal that strips the prefix before passing requests on.
func (p *Page) Register(mux *http.ServeMux, prefix string) {
	mux.Handle("GET "+prefix+"/r/{id}", p)
	if prefix != "" {
		mux.Handle("GET /r/{id}", p)
	}
}

// ServeHTTP answers GET …/r/{id}?k=….
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.Limit == nil {
		p.Limit = DefaultLimiter()
	}
	if p.Log == nil {
		p.Log = slog.Default()
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The key is in the URL: no cache keeps the page, no referrer carries
	// it on, no search engine lists it, and the page runs nothing.
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	if wait, ok := p.Limit.Allow(clientOf(r), p.Now()); !ok {
		h.Set("Retry-After", retryAfter(wait))
		render(w, http.StatusTooManyRequests, view{Kind: viewBusy})
		return
	}
	st, ok := p.lookup(r.PathValue("id"), r.URL.Query().Get("k"))
	switch {
	case ok == lookupFailed:
		render(w, http.StatusServiceUnavailable, view{Kind: viewDown})
	case ok == lookupNone:
		render(w, http.StatusNotFound, view{Kind: viewNotFound})
	default:
		render(w, http.StatusOK, p.statusView(st))
	}
}

type lookupResult int

const (
	lookupNone lookupResult = iota
	lookupFound
	lookupFailed
)

// lookup finds the record and checks the key. A missing record, one
// without a key and a wrong key all compare the key given once, in
// constant time, and answer alike.
func (p *Page) lookup(id, key string) (hub.Stored, lookupResult) {
	var st hub.Stored
	found := false
	if receiptcode.ValidID(id) {
		var err error
		st, found, err = p.Records.Record(id)
		if err != nil {
			p.Log.Error("hub: status page: look-up", "err", err)
			return hub.Stored{}, lookupFailed
		}
	}
	want := dummyKey
	if found && st.Record.LinkKey != "" {
		want = []byte(st.Record.LinkKey)
	}
	match := subtle.ConstantTimeCompare([]byte(key), want) == 1
	if !found || st.Record.LinkKey == "" || !match {
		return hub.Stored{}, lookupNone
	}
	return st, lookupFound
}

// statusView is what the page shows of st: nothing from its payload
// but the matter's category code.
func (p *Page) statusView(st hub.Stored) view {
	v := view{
		Kind:    viewStatus,
		State:   stateWords(st.State),
		Note:    st.Note,
		Ticket:  receiptcode.Ticket(st.Record.Kind, st.Record.Seq),
		Record:  kindWords(st.Record.Kind),
		Date:    st.Record.CreatedAt.In(chinaTime).Format("2006-01-02"),
		Updated: st.UpdatedAt.In(chinaTime).Format("2006-01-02 15:04"),
		Trusted: st.Record.ClockTrusted,
	}
	var payload struct {
		Category string `json:"category"`
		Purpose  string `json:"purpose"`
	}
	json.Unmarshal(st.Record.Payload, &payload) // a payload without them shows no matter
	var grid struct {
		Micro string `json:"micro"`
	}
	json.Unmarshal(st.Record.Grid, &grid)
	code := payload.Category
	if code == "" {
		code = payload.Purpose
	}
	rd := p.refData(st.StationID)
	for _, c := range rd.Categories {
		if c.Code == code {
			v.Matter, v.MatterEN = c.Name, c.NameEN
		}
	}
	v.Contact = contactOf(rd.Staff, grid.Micro)
	return v
}

// refData is the station's reference data, or none when it cannot be
// read: the page then shows no matter name and no contact, not an error.
func (p *Page) refData(station string) wire.RefData {
	var rd wire.RefData
	if p.RefData == nil {
		return rd
	}
	data, err := p.RefData(station)
	if err != nil {
		p.Log.Warn("hub: status page: reference data", "station", station, "err", err)
		return rd
	}
	json.Unmarshal(data, &rd)
	return rd
}

// contactOf is whom the page names: the leader of the record's micro
// grid, else the community's grid leader, when the reference data lists one.
func contactOf(staff []wire.Staff, micro string) *wire.Staff {
	var community *wire.Staff
	for i, s := range staff {
		switch {
		case s.Role == "micro_grid_leader" && micro != "" && s.Micro == micro:
			return &staff[i]
		case s.Role == "community_grid_leader" && community == nil:
			community = &staff[i]
		}
	}
	return community
}

// chinaTime is China Standard Time, where every station is; fixed, so
// the hub needs no time zone database.
var chinaTime = time.FixedZone("CST", 8*3600)
