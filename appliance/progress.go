package appliance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// ticketDigits is how many digits of the sequence number a ticket shows
// (receiptcode.Ticket): a typed ticket names one of the station's last
// 10,000 records.
const ticketDigits = 4

// maxLookBack bounds how many of the station's records a typed ticket is
// looked for among: its retention period holds far fewer at any station.
const maxLookBack = 200_000

// Progress says how a record stands, for the look-up screen (查进度): the
// hub's word when it answers within hubStatusTimeout, else the station's
// own copy with the time it last changed. It returns station.ErrNotFound
// when neither the station nor the hub knows the record, and an error
// naming the field for a query that is not a record ID or a ticket.
func (s *Station) Progress(ctx context.Context, q station.ProgressQuery) (station.Progress, error) {
	id := strings.ToLower(strings.TrimSpace(q.RecordID))
	switch {
	case id != "":
		if !validRecordID(id) {
			return station.Progress{}, fmt.Errorf("appliance: progress: record_id %q is not a record ID", q.RecordID)
		}
	case q.Ticket != "":
		var err error
		if id, err = s.ticketRecord(q.Ticket); err != nil {
			return station.Progress{}, err
		}
	default:
		return station.Progress{}, errors.New("appliance: progress: give a record_id or a ticket")
	}
	p, _, _, err := s.progress(ctx, id)
	return p, err
}

// ticketRecord finds the newest record whose ticket is t. The letter is
// optional and, when given, must be the record's kind; receipt records
// are never asked after (a receipt prints its matter's ticket).
func (s *Station) ticketRecord(t string) (string, error) {
	letter, n, err := parseTicket(t)
	if err != nil {
		return "", err
	}
	es, err := s.box.List(time.Time{}, maxLookBack)
	if err != nil {
		return "", vocab(err)
	}
	mod := uint64(math.Pow10(ticketDigits))
	for _, e := range es { // newest first
		if e.Seq%mod != uint64(n) || e.Kind == wire.KindReceipt {
			continue
		}
		if letter == "" || ticket(e.Kind, e.Seq)[:1] == letter {
			return e.ID, nil
		}
	}
	return "", fmt.Errorf("appliance: progress: ticket %s: %w", t, station.ErrNotFound)
}

// parseTicket reads a ticket as a resident types it: an optional letter
// (any case) and the four digits, R0042 or 0042.
func parseTicket(t string) (letter string, n int, err error) {
	t = strings.ToUpper(strings.TrimSpace(t))
	digits := t
	if t != "" && (t[0] < '0' || t[0] > '9') {
		letter, digits = t[:1], t[1:]
	}
	bad := len(digits) != ticketDigits || letter != "" && (letter[0] < 'A' || letter[0] > 'Z')
	for i := 0; i < len(digits) && !bad; i++ {
		bad = digits[i] < '0' || digits[i] > '9'
	}
	if bad {
		return "", 0, fmt.Errorf("appliance: progress: ticket %q is not a letter and %d digits, as R0042", t, ticketDigits)
	}
	n, _ = strconv.Atoi(digits)
	return letter, n, nil
}

// progress looks a record up here and at the hub. local is the station's
// own state of it ("" when it holds none) and hub the hub's answer (nil
// when none came), for the scan result.
func (s *Station) progress(ctx context.Context, id string) (p station.Progress, local string, hub *wire.Status, err error) {
	p.RecordID = id
	rec, e, lerr := s.box.Get(id)
	switch {
	case lerr == nil:
		local = e.State
		s.fillProgress(&p, rec, e)
	case !errors.Is(lerr, outbox.ErrNotFound):
		// The hub may still answer; the station's own fault is logged.
		s.log.Error("appliance: progress: read the record", "record", id, "err", lerr)
	}
	if st, ok := s.hubStatus(ctx, id); ok {
		hub = &st
		// The hub holds it: whatever it refused once was put right.
		p.Remote, p.State, p.AsOf, p.Held = true, hubProgress(st.State), st.UpdatedAt, false
	}
	if local == "" && hub == nil {
		return station.Progress{}, "", nil, fmt.Errorf("appliance: progress: record %s: %w", id, station.ErrNotFound)
	}
	return p, local, hub, nil
}

// hubStatus asks the hub for a record's state, briefly: a resident is
// waiting at the screen, and the station's own copy is the answer when
// the hub is away. A 404 (not this station's record, or never received)
// is no answer either.
func (s *Station) hubStatus(ctx context.Context, id string) (wire.Status, bool) {
	if s.fwd == nil {
		return wire.Status{}, false
	}
	hctx, cancel := context.WithTimeout(ctx, hubStatusTimeout)
	defer cancel()
	st, err := s.fwd.Client.Status(hctx, id)
	if err != nil {
		var he *upstream.HTTPError
		if !errors.As(err, &he) || he.Status != http.StatusNotFound {
			s.log.Info("appliance: progress: the hub did not answer; the station's own copy is shown", "record", id, "err", err)
		}
		return wire.Status{}, false
	}
	return st, true
}

// fillProgress sets what the station's own copy tells of a record.
func (s *Station) fillProgress(p *station.Progress, rec wire.Record, e outbox.Entry) {
	p.Ticket, p.Kind, p.Created, p.AsOf = ticket(rec.Kind, rec.Seq), rec.Kind, rec.CreatedAt, e.UpdatedAt
	p.State = station.ProgressReceived
	p.Held = e.State == outbox.Rejected
	code := categoryCode(rec)
	rd := s.RefData()
	if rd != nil {
		for _, c := range rd.Categories {
			if c.Code == code {
				p.Matter, p.MatterEN = c.Name, c.NameEN
			}
		}
	}
	if p.Matter == "" {
		p.Matter = categoryNames[code]
	}
	var g struct {
		Micro string `json:"micro"`
	}
	json.Unmarshal(rec.Grid, &g) // a record filed without a micro grid asks the community's leader
	if rd != nil {
		p.Contact = contactOf(rd.Staff, g.Micro)
	}
}

// contactOf is whom a resident asks about a record: the leader of its
// micro grid, else the community's grid leader (as the hub's status page
// says).
func contactOf(staff []StaffRef, micro string) station.Contact {
	var community *StaffRef
	for i, p := range staff {
		switch {
		case p.Role == "micro_grid_leader" && micro != "" && p.Micro == micro:
			return station.Contact{Name: p.Name, Phone: p.Phone, Role: p.Role}
		case p.Role == "community_grid_leader" && community == nil:
			community = &staff[i]
		}
	}
	if community == nil {
		return station.Contact{}
	}
	return station.Contact{Name: community.Name, Phone: community.Phone, Role: community.Role}
}

// hubProgress is the hub's state in a resident's words; a state a newer
// hub adds reads as received.
func hubProgress(state string) string {
	switch state {
	case "in_progress":
		return station.ProgressInProgress
	case "done":
		return station.ProgressDone
	case "rejected":
		return station.ProgressReturned
	}
	return station.ProgressReceived
}
