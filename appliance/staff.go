package appliance

import (
	"encoding/json"
	"slices"
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
	s.pinFails = k.Fails
	switch {
	case k.LockedUntil.IsZero():
	case at.Before(k.LockedAt):
		s.pinLockedUntil = now.Add(pinLock)
	case at.Before(k.LockedUntil):
		s.pinLockedUntil = now.Add(min(k.LockedUntil.Sub(at), pinLock))
	}
	if !s.pinLockedUntil.IsZero() {
		s.log.Warn("appliance: the staff PIN keypad is still locked after the restart", "for", s.pinLockedUntil.Sub(now).Round(time.Second))
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
	s.pinMu.Lock()
	defer s.pinMu.Unlock()
	// The lockout is an interval, on the local clock; the session's
	// times are times of day, on the station's.
	now := s.local()
	s.mu.Lock()
	if now.Before(s.pinLockedUntil) {
		s.mu.Unlock()
		return station.ErrPINLocked
	}
	rd := s.refdata
	s.mu.Unlock()
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
		return s.pinLoggedIn(who, now)
	}
	at := s.Now()
	s.mu.Lock()
	s.pinFails++
	k := pinKeypad{Fails: s.pinFails}
	locked := s.pinFails >= pinTries
	if locked {
		s.pinFails, s.pinLockedUntil = 0, now.Add(pinLock)
		k = pinKeypad{LockedAt: at, LockedUntil: at.Add(pinLock)}
	}
	s.mu.Unlock()
	s.keepPINKeypad(k)
	if locked {
		s.log.Warn("appliance: staff PIN keypad locked after wrong tries", "tries", pinTries)
		return station.ErrPINLocked
	}
	return station.ErrPIN
}

func (s *Station) pinLoggedIn(who *StaffRef, now time.Time) error {
	at := s.Now()
	s.mu.Lock()
	hadFails := s.pinFails > 0
	s.pinFails = 0
	s.staff = &station.StaffSession{ID: who.ID, Name: who.Name, Role: who.Role, Technician: who.HasRole(station.RoleTechnician),
		Since: at, Expires: at.Add(12 * time.Hour)}
	s.staffTouched = now
	s.mu.Unlock()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireStaffLocked()
	if s.staff == nil {
		return nil
	}
	v := *s.staff
	return &v
}

// TouchStaff records staff activity, postponing the idle logout.
func (s *Station) TouchStaff() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.staff != nil {
		s.staffTouched = s.local()
	}
}

// StaffLogout ends the staff session.
func (s *Station) StaffLogout() {
	s.mu.Lock()
	was := s.staff
	s.staff = nil
	s.mu.Unlock()
	if was != nil {
		s.log.Info("appliance: staff logged out", "staff", was.ID)
		s.notify()
	}
}

func (s *Station) staffLogin(st *signedcode.Staff) {
	now, at := s.local(), s.Now()
	s.mu.Lock()
	tech := st.Role == station.RoleTechnician
	if s.refdata != nil {
		if i := slices.IndexFunc(s.refdata.Staff, func(r StaffRef) bool { return r.ID == st.StaffID }); i >= 0 {
			tech = tech || s.refdata.Staff[i].HasRole(station.RoleTechnician)
		}
	}
	s.staff = &station.StaffSession{ID: st.StaffID, Name: st.Name, Role: st.Role, Technician: tech, Since: at,
		Expires: time.Unix(st.Expires, 0)}
	s.staffTouched = now
	s.mu.Unlock()
	s.log.Info("appliance: staff logged in", "staff", st.StaffID, "role", st.Role, "code", st.ID)
	// Staff at the kiosk answer a resident's call for help.
	s.ClearHelp()
}

func (s *Station) expireStaffLocked() {
	if s.staff == nil {
		return
	}
	// Idleness is an interval (local clock); the badge's expiry is a time
	// of day, the hub's, compared with the station's.
	idle := s.local().Sub(s.staffTouched) > staffIdle
	if idle || !s.Now().Before(s.staff.Expires) {
		s.log.Info("appliance: staff session ended", "staff", s.staff.ID, "idle", idle)
		s.staff = nil
	}
}
