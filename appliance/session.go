package appliance

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
)

// session is the resident's registration in progress, wiped when nobody
// touched it for idle. mu guards cur and nothing else; no method calls
// out (to the Station, the panel, a log) with it held.
type session struct {
	idle  time.Duration    // untouched this long, the registration is wiped
	local func() time.Time // the board's clock, for the idle interval

	mu  sync.Mutex
	cur registration
}

// registration is one resident's registration: the state and what it was
// started from. It holds the full card; what leaves the station through
// SessionView is masked.
type registration struct {
	state   string
	card    *idcard.Card
	appt    *signedcode.Appointment
	manual  *record.Person // typed in by the resident: no card at hand
	started time.Time
	touched time.Time // last activity, for the idle wipe
	lifted  bool
	// held says a card was on the reader when the registration was
	// stored: the done screen reminds the resident to take it back
	// until it is lifted.
	held bool
	ack  *station.Ack
	// recordID is the ID the session's record is stored under, made at
	// the first try to submit it: a try whose outcome was unknown is
	// repeated under the same ID and cannot store the record twice.
	recordID string
}

// snapshot returns the registration as it is now, wiping it first if it
// was left idle.
func (x *session) snapshot() registration {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.expireLocked()
	return x.cur
}

// expireLocked wipes a registration nobody touched for the idle timeout.
// x.mu is held.
func (x *session) expireLocked() {
	if x.cur.state == station.SessionIdle || x.idle <= 0 {
		return
	}
	if x.local().Sub(x.cur.touched) > x.idle {
		x.cur = registration{state: station.SessionIdle}
	}
}

// claimID gives the registration started at started its record ID, unless
// it has one, and returns the ID it has: "" when another registration has
// replaced it meanwhile.
func (x *session) claimID(started time.Time, id string) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.cur.started.Equal(started) {
		return ""
	}
	if x.cur.recordID == "" {
		x.cur.recordID = id
	}
	return x.cur.recordID
}

// submitted ends the registration with its receipt. The card's data is in
// the sealed record now; the session keeps only what the done screen
// shows.
func (x *session) submitted(rc *station.Ack) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.cur.state, x.cur.ack, x.cur.touched = station.SessionSubmitted, rc, x.local()
	x.cur.held = x.cur.card != nil && !x.cur.lifted
	x.cur.card, x.cur.appt, x.cur.manual = nil, nil, nil
}

// cancel wipes the registration.
func (x *session) cancel() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.cur = registration{state: station.SessionIdle}
}

// touch postpones the idle wipe of a registration in progress.
func (x *session) touch() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.cur.state != station.SessionIdle {
		x.cur.touched = x.local()
	}
}

// lifted notes that the card left the reader; the form stays until the
// idle wipe.
func (x *session) lifted() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.cur.lifted = true
}

// begin starts next for the resident with idNumber, a card laid or a
// number typed: whatever was on screen goes (the resident before has
// left), except an appointment code scanned for this same resident, which
// next carries on. waiting is the appointment code that waited for its
// resident, if one did; taken says next carries it on.
func (x *session) begin(next registration, idNumber string) (waiting *signedcode.Appointment, taken bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if cur := x.cur; cur.state == station.SessionAppointment && cur.appt != nil && cur.appt.Private() {
		waiting, taken = cur.appt, cur.appt.Matches(idNumber)
	}
	next.appt = nil
	if taken {
		next.appt = waiting
	}
	x.cur = next
	return waiting, taken
}

// appointment starts the registration for an appointment code scanned at
// now. A resident whose card already lies on the reader for a
// registration not yet tried confirms the appointment at once; otherwise,
// like a card laid, the code starts a new registration.
func (x *session) appointment(a *signedcode.Appointment, now time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if cur := x.cur; cur.state == station.SessionCard && cur.card != nil && !cur.lifted && cur.recordID == "" &&
		a.Private() && a.Matches(cur.card.IDNumber) {
		// A new start shows the screens the appointment's purpose.
		x.cur.appt, x.cur.started, x.cur.touched = a, now, now
		return
	}
	x.cur = registration{state: station.SessionAppointment, appt: a, started: now, touched: now}
}

// Session returns the current session.
func (s *Station) Session() station.SessionView { return s.sess.snapshot().view() }

// view is the registration as a screen may show it.
func (ss registration) view() station.SessionView {
	v := station.SessionView{State: ss.state, Ack: ss.ack, CardOnReader: (ss.card != nil || ss.held) && !ss.lifted}
	if ss.state == station.SessionIdle {
		return v
	}
	v.Source = "idcard"
	started := ss.started
	v.StartedAt = &started
	if ss.card != nil {
		v.Person = personView(ss.card)
	}
	if ss.manual != nil {
		p := ss.manual
		v.Source = "manual"
		v.Person = &station.PersonView{Name: p.Name, Gender: p.Gender, Birth: p.Birth, IDNumber: citizenid.Mask(p.IDNumber), CardType: p.CardType}
	}
	if ss.appt != nil {
		// A card or a typed number that confirmed the appointment is
		// where the details come from; the appointment gives the purpose.
		v.Purpose = ss.appt.Purpose
		if ss.state == station.SessionAppointment {
			v.Source = "qr"
		}
		if ss.state == station.SessionAppointment && ss.appt.Private() {
			v.NeedsCard = true
			v.Person = &station.PersonView{Name: ss.appt.Holder.Name, CardType: ss.appt.Holder.CardType}
		} else if ss.state == station.SessionAppointment {
			p := appointmentPerson(ss.appt.Person)
			v.Person = &station.PersonView{Name: p.Name, Gender: p.Gender, Nation: p.Nation, Birth: p.Birth,
				IDNumber: citizenid.Mask(p.IDNumber), CardType: p.CardType}
		}
	}
	return v
}

// appointmentPerson fills in what a citizen ID number says of its holder.
func appointmentPerson(a signedcode.Person) record.Person {
	p := record.Person{Name: a.Name, IDNumber: a.IDNumber, CardType: a.CardType, Nation: a.Nation, Gender: "unknown"}
	if p.CardType == "" {
		p.CardType = "resident"
	}
	if n, err := citizenid.Parse(a.IDNumber); err == nil {
		p.IDNumber, p.Birth, p.Gender = n.ID, n.Birth.Format(time.DateOnly), n.Gender.String()
	}
	return p
}

func personView(c *idcard.Card) *station.PersonView {
	name := c.Name
	if name == "" {
		name = c.NameEN
	}
	return &station.PersonView{
		Name: name, NameEN: c.NameEN, Gender: c.Gender, Nation: c.Nation, Birth: c.Birth,
		Address: c.Address, IDNumber: citizenid.Mask(c.IDNumber), CardType: c.Type.String(),
		Issuer: c.Issuer, ValidFrom: c.ValidFrom, ValidTo: c.ValidTo,
	}
}

// SubmitSession turns the card session into a registration record and
// stores it. Declining consent ends the session and stores nothing.
func (s *Station) SubmitSession(ctx context.Context, in station.SessionSubmit) (station.Ack, error) {
	ss := s.sess.snapshot()
	if !(ss.state == station.SessionCard && ss.card != nil || ss.state == station.SessionAppointment && ss.appt != nil ||
		ss.state == station.SessionManual && ss.manual != nil) {
		return station.Ack{}, station.ErrNoSession
	}
	if ss.state == station.SessionAppointment && ss.appt.Private() {
		return station.Ack{}, station.ErrNeedsCard
	}
	if !in.Consent.Agreed {
		s.CancelSession()
		return station.Ack{}, &record.FieldError{Field: "consent.agreed", Msg: "the resident declined; nothing was stored"}
	}
	if ss.recordID == "" {
		id, err := record.NewID(s.Now())
		if err != nil {
			return station.Ack{}, err
		}
		if ss.recordID = s.sess.claimID(ss.started, id); ss.recordID == "" {
			return station.Ack{}, station.ErrNoSession // replaced meanwhile
		}
	}
	d := draft{grid: in.Grid, id: ss.recordID, session: true}
	if d.grid == nil && ss.card != nil {
		// The card's address places the resident in a micro grid, so
		// that the hub can route their matters to its leader.
		d.grid = s.PlaceOf(ss.card.Address).Path
	}
	// Consent is given on the station's clock, the one store stamps the
	// record with: a raw clock hours off the hub's would put it in the
	// record's future.
	now := s.Now()
	switch {
	case ss.card != nil:
		d.payload = registrationPayload(*ss.card, ss.appt, in, now)
	case ss.manual != nil:
		d.payload = manualPayload(*ss.manual, ss.appt, in, now)
	default:
		d.payload = appointmentPayload(ss.appt, in, now)
	}
	if ss.appt != nil {
		// The appointment is spent with the record, in one transaction.
		d.once, d.onceUntil = ss.appt.ID, now.Add(appointmentMemory)
	}
	rc, err := s.store(ctx, d)
	if err != nil {
		return station.Ack{}, err
	}
	s.sess.submitted(&rc)
	s.notify()
	if s.Session().CardOnReader {
		select {
		case s.remind <- struct{}{}:
		default: // the reminder is awake already
		}
	}
	if s.prn != nil {
		// The resident takes the receipt with the ticket number home;
		// printing must not hold up the done screen.
		go s.selfServiceReceipt(rc.ID)
	}
	return rc, nil
}

// selfServiceReceipt prints the receipt of a registration the resident
// made on their own. A printer that is not ready is logged and shown on the
// technician's screen; staff can print the receipt again.
func (s *Station) selfServiceReceipt(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := s.PrintReceipt(ctx, station.ReceiptRequest{RecordID: id, Staff: "自助登记 Self-service",
		NextStep: "请等候工作人员叫号 / Wait for your number to be called"})
	if err != nil {
		s.log.Warn("appliance: self-service receipt not printed", "record", id, "err", err)
		return
	}
	s.log.Info("appliance: self-service receipt", "record", id, "state", res.State)
}

// appointmentMemory is how long a used appointment is remembered. An
// appointment is valid on one day only, so two days outlast it whatever
// the clock did meanwhile.
const appointmentMemory = 48 * time.Hour

func appointmentPayload(a *signedcode.Appointment, in station.SessionSubmit, now time.Time) *record.Registration {
	phone := strings.TrimSpace(in.Phone)
	if phone == "" {
		phone = a.Person.Phone
	}
	purpose := in.Purpose
	if purpose == "" {
		purpose = a.Purpose
	}
	return &record.Registration{
		Person: appointmentPerson(a.Person), Purpose: purpose, Phone: phone, Source: "qr",
		Consent: record.Consent{Version: in.Consent.Version, At: now}, Appointment: a.ID,
	}
}

func registrationPayload(c idcard.Card, appt *signedcode.Appointment, in station.SessionSubmit, now time.Time) *record.Registration {
	name := c.Name
	if name == "" {
		name = c.NameEN
	}
	reg := &record.Registration{
		Person: record.Person{
			Name: name, Gender: c.Gender, Nation: c.Nation, Birth: c.Birth, Address: c.Address,
			IDNumber: c.IDNumber, CardType: c.Type.String(), Issuer: c.Issuer,
			ValidFrom: c.ValidFrom, ValidTo: c.ValidTo,
		},
		Purpose: in.Purpose, Phone: strings.TrimSpace(in.Phone), Source: "idcard",
		Consent: record.Consent{Version: in.Consent.Version, At: now},
	}
	withAppointment(reg, appt)
	return reg
}

// withAppointment marks a registration made from a card read or a typed
// ID number that matched an appointment code: the person's details are
// the card's (or typed), the appointment's purpose the default, and the
// source qr, as for every registration an appointment code made.
func withAppointment(reg *record.Registration, appt *signedcode.Appointment) {
	if appt == nil {
		return
	}
	reg.Appointment, reg.Source = appt.ID, "qr"
	if reg.Purpose == "" {
		reg.Purpose = appt.Purpose
	}
}

// logAppointment says what became of an appointment code that waited for
// its resident when a card was laid or an ID number typed (session.begin).
func (s *Station) logAppointment(waiting *signedcode.Appointment, taken bool) {
	switch {
	case waiting == nil:
	case taken:
		s.log.Info("appliance: appointment confirmed by the resident's ID", "code", waiting.ID)
	default:
		s.log.Info("appliance: the ID card does not match the appointment code; a new registration starts", "code", waiting.ID)
	}
}

// CancelSession wipes the session: nothing personal stays behind.
func (s *Station) CancelSession() {
	s.sess.cancel()
	s.notify()
}

// TouchSession records activity, postponing the idle wipe.
func (s *Station) TouchSession() { s.sess.touch() }

// cardEvent applies one event from the ID-card reader.
func (s *Station) cardEvent(ev idcard.Event) {
	switch ev.Kind {
	case idcard.CardLaid:
		now := s.local()
		// A new card starts a new session, whatever was on screen: the
		// resident before has left, unless it is the one an appointment
		// code just scanned is for.
		waiting, taken := s.sess.begin(registration{state: station.SessionCard, card: ev.Card, started: now, touched: now}, ev.Card.IDNumber)
		s.dev.mu.Lock()
		s.dev.reader = readerState{state: "ready", samID: s.dev.reader.samID, last: ev.Phases}
		s.dev.mu.Unlock()
		s.count.cardsRead.Add(1)
		s.pnl.beep(panel.BeepShort)
		s.logAppointment(waiting, taken)
		s.log.Info("appliance: card read", "card_type", ev.Card.Type.String(), "id", citizenid.Mask(ev.Card.IDNumber),
			"read_ms", (ev.Phases.Find + ev.Phases.Select + ev.Phases.Read).Milliseconds(), "attempts", ev.Phases.Attempts)
	case idcard.CardLifted:
		// Lifting the card keeps a half-finished form until the idle wipe;
		// the done screen stops its reminder.
		s.sess.lifted()
		s.notify()
	case idcard.ReaderLost:
		msg := "reader does not answer"
		if ev.Err != nil {
			msg = ev.Err.Error()
		}
		s.setReader(readerState{state: "lost", note: msg})
	case idcard.ReaderBack:
		s.setReader(readerState{state: "ready", samID: ev.SAMID})
	}
}

func (s *Station) setReader(r readerState) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	s.dev.reader = r
}

// readerState is the card reader as the station last heard of it.
type readerState struct {
	state string // "", ready, lost
	samID string
	note  string
	last  idcard.Phases // of the last card read
}

// LastCardRead returns how the last card read went: each phase's time and
// the bytes moved, for the technician screen and the benchmarks.
func (s *Station) LastCardRead() station.ReadStats {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	return readStats(s.dev.reader.last)
}
