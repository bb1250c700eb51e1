package appliance

import (
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/staffpin"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// PIN tries: after pinTries wrong PINs the keypad is locked for pinLock, so
// a four-digit PIN cannot be guessed at the kiosk. The count and the lock
// are kept in the outbox, so a restart (pulling the plug) does not give
// more tries.
const (
	pinTries = 5
	pinLock  = 5 * time.Minute
)

// keptPINKeypad is the outbox key of the keypad's state. One for all staff
// IDs: someone guessing tries any ID, and each try counts.
const keptPINKeypad = "staff/pin-keypad"

// noStaffHash is checked when the staff ID is unknown or has no PIN, so
// that such a try takes as long as a wrong PIN and does not tell which
// staff IDs exist. Its PIN is not a PIN (it has letters).
const noStaffHash = "$argon2id$v=19$m=19456,t=2,p=1$bm8gc3VjaCBzdGFmZg$3dNlzcJ9BeaRxzjCSpzMDe5xRyR9ZY/CoNnmdeH+YS4"

// pinKeypad is the keypad's state as kept. Times are the station's
// (Station.Now): a lock outlives a restart, which the board's monotonic
// clock does not.
type pinKeypad struct {
	Fails       int       `json:"fails"`
	LockedAt    time.Time `json:"locked_at,omitzero"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// staffDesk is the staff member logged in at the kiosk and the PIN
// keypad's lockout. mu guards who, fails and lockedUntil, and is taken only
// to copy them in or out: nothing is logged, hashed or stored with it held.
//
// checking makes PIN checks run one at a time, so the guessing rate is one
// hash at a time whatever the callers. It is held across a whole check,
// hash included, and takes mu briefly inside: the lock order is checking,
// then mu. Nothing else takes two locks of the station.
type staffDesk struct {
	local func() time.Time // the board's clock, for the idle logout and the lockout

	checking sync.Mutex

	mu          sync.Mutex
	who         *station.StaffSession
	touched     time.Time // the staff member's last activity (local clock), for the idle logout
	fails       int       // wrong PINs since the last lock or log-in
	lockedUntil time.Time // on the local clock
}

// restore takes the keypad's state kept over a restart.
func (d *staffDesk) restore(fails int, lockedUntil time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fails, d.lockedUntil = fails, lockedUntil
}

// locked says whether the keypad is locked at now (local clock).
func (d *staffDesk) locked(now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return now.Before(d.lockedUntil)
}

// fail counts a wrong PIN tried at now (local clock) and at (the
// station's): the keypad's state to keep, and whether it is locked now.
func (d *staffDesk) fail(now, at time.Time) (k pinKeypad, locked bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fails++
	k = pinKeypad{Fails: d.fails}
	if d.fails >= pinTries {
		d.fails, d.lockedUntil = 0, now.Add(pinLock)
		return pinKeypad{LockedAt: at, LockedUntil: at.Add(pinLock)}, true
	}
	return k, false
}

// logIn makes st the staff member logged in; hadFails says wrong PINs were
// counted before, which a log-in by PIN clears.
func (d *staffDesk) logIn(st *station.StaffSession, byPIN bool) (hadFails bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if byPIN {
		hadFails = d.fails > 0
		d.fails = 0
	}
	d.who, d.touched = st, d.local()
	return hadFails
}

// current returns a copy of the staff member logged in at at (the
// station's time), or nil. A session left idle, or past its badge's
// expiry, ends first: ended is it, idle why.
func (d *staffDesk) current(at time.Time) (v, ended *station.StaffSession, idle bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.who == nil {
		return nil, nil, false
	}
	// Idleness is an interval (local clock); the badge's expiry is a time
	// of day, the hub's, compared with the station's.
	idle = d.local().Sub(d.touched) > staffIdle
	if idle || !at.Before(d.who.Expires) {
		ended, d.who = d.who, nil
		return nil, ended, idle
	}
	c := *d.who
	return &c, nil, false
}

// touch postpones the idle logout.
func (d *staffDesk) touch() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.who != nil {
		d.touched = d.local()
	}
}

// logOut ends the staff session and returns who it was, or nil.
func (d *staffDesk) logOut() *station.StaffSession {
	d.mu.Lock()
	defer d.mu.Unlock()
	was := d.who
	d.who = nil
	return was
}

// loadPINKeypad takes the kept keypad state at start. A lock whose start
// is later than now (the clock went back) is taken as starting now.
func (s *Station) loadPINKeypad() {
	kept, err := s.box.KeptWith(keptPINKeypad)
	if err != nil || len(kept) == 0 {
		if err != nil {
			s.log.Error("appliance: the PIN keypad's state is not readable; starting unlocked", "err", err)
		}
		return
	}
	var k pinKeypad
	if err := json.Unmarshal(kept[0].Value, &k); err != nil {
		s.log.Error("appliance: the PIN keypad's state is damaged; starting unlocked", "err", err)
		return
	}
	now, at := s.local(), s.Now()
	var until time.Time
	switch {
	case k.LockedUntil.IsZero():
	case at.Before(k.LockedAt):
		until = now.Add(pinLock)
	case at.Before(k.LockedUntil):
		until = now.Add(min(k.LockedUntil.Sub(at), pinLock))
	}
	s.desk.restore(k.Fails, until)
	if !until.IsZero() {
		s.log.Warn("appliance: the staff PIN keypad is still locked after the restart", "for", until.Sub(now).Round(time.Second))
	}
}

// keepPINKeypad writes the keypad's state; a failure leaves it in memory
// only, which is what the station had before it was kept.
func (s *Station) keepPINKeypad(k pinKeypad) {
	b, _ := json.Marshal(k)
	if err := s.box.Set(keptPINKeypad, b); err != nil {
		s.log.Error("appliance: the PIN keypad's state is not kept; a restart would forget the wrong tries", "err", err)
	}
}

// StaffLoginPIN logs a staff member in with their ID and PIN, checked
// against the argon2id hash in the reference data. Checks run one at a
// time, so the guessing rate is one hash at a time whatever the callers.
func (s *Station) StaffLoginPIN(staffID, pin string) error {
	s.desk.checking.Lock()
	defer s.desk.checking.Unlock()
	// The lockout is an interval, on the local clock; the session's
	// times are times of day, on the station's.
	now := s.local()
	if s.desk.locked(now) {
		return station.ErrPINLocked
	}
	rd := s.RefData()
	var who *StaffRef
	hash := noStaffHash
	if rd != nil {
		if i := slices.IndexFunc(rd.Staff, func(st StaffRef) bool { return st.ID == staffID && st.PINHash != "" }); i >= 0 {
			who, hash = &rd.Staff[i], rd.Staff[i].PINHash
		}
	}
	ok, err := staffpin.Verify(hash, pin)
	if err != nil {
		// The ID is the hub's, not a resident's: it may be logged.
		s.log.Warn("appliance: a staff member's PIN hash cannot be checked; set the PIN again at the hub with gridhub staff pin set",
			"staff", staffID, "err", err)
	}
	if ok && who != nil {
		return s.pinLoggedIn(who)
	}
	k, locked := s.desk.fail(now, s.Now())
	s.keepPINKeypad(k)
	if locked {
		s.log.Warn("appliance: staff PIN keypad locked after wrong tries", "tries", pinTries)
		return station.ErrPINLocked
	}
	return station.ErrPIN
}

func (s *Station) pinLoggedIn(who *StaffRef) error {
	at := s.Now()
	hadFails := s.desk.logIn(&station.StaffSession{ID: who.ID, Name: who.Name, Role: who.Role, Technician: who.HasRole(station.RoleTechnician),
		Since: at, Expires: at.Add(12 * time.Hour)}, true)
	if hadFails {
		s.keepPINKeypad(pinKeypad{})
	}
	s.log.Info("appliance: staff logged in with a PIN", "staff", who.ID, "role", who.Role)
	s.ClearHelp()
	s.notify()
	return nil
}

// staffIdle logs a staff member out who left the kiosk: the staff screens
// must not stay open for the next resident.
const staffIdle = 15 * time.Minute

// Staff returns the staff member logged in, or nil.
func (s *Station) Staff() *station.StaffSession {
	v, ended, idle := s.desk.current(s.Now())
	if ended != nil {
		s.log.Info("appliance: staff session ended", "staff", ended.ID, "idle", idle)
	}
	return v
}

// TouchStaff records staff activity, postponing the idle logout.
func (s *Station) TouchStaff() { s.desk.touch() }

// StaffLogout ends the staff session.
func (s *Station) StaffLogout() {
	if was := s.desk.logOut(); was != nil {
		s.log.Info("appliance: staff logged out", "staff", was.ID)
		s.notify()
	}
}

func (s *Station) staffLogin(st *signedcode.Staff) {
	at := s.Now()
	tech := st.Role == station.RoleTechnician
	if rd := s.RefData(); rd != nil {
		if i := slices.IndexFunc(rd.Staff, func(r StaffRef) bool { return r.ID == st.StaffID }); i >= 0 {
			tech = tech || rd.Staff[i].HasRole(station.RoleTechnician)
		}
	}
	s.desk.logIn(&station.StaffSession{ID: st.StaffID, Name: st.Name, Role: st.Role, Technician: tech, Since: at,
		Expires: time.Unix(st.Expires, 0)}, false)
	s.log.Info("appliance: staff logged in", "staff", st.StaffID, "role", st.Role, "code", st.ID)
	// Staff at the kiosk answer a resident's call for help.
	s.ClearHelp()
}
