package appliance

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
)

// PIN tries: after pinTries wrong PINs the keypad is locked for pinLock, so
// a four-digit PIN cannot be guessed at the kiosk.
const (
	pinTries = 5
	pinLock  = 5 * time.Minute
)

// ErrPIN is returned for a wrong staff ID or PIN; which of the two is not
// said. ErrPINLocked follows too many wrong tries.
var (
	ErrPIN       = errors.New("appliance: staff ID or PIN is wrong")
	ErrPINLocked = errors.New("appliance: too many wrong PINs; the keypad is locked for a few minutes (use a staff code meanwhile)")
)

// PINHash is how a hub stores a staff member's PIN in the reference data:
// bound to the station and the staff ID, so one hash is no use elsewhere.
func PINHash(stationID, staffID, pin string) string {
	h := sha256.Sum256([]byte("gridkiosk-pin\x00" + stationID + "\x00" + staffID + "\x00" + pin))
	return hex.EncodeToString(h[:])
}

// StaffLoginPIN logs a staff member in with their ID and PIN, checked
// against the reference data.
func (s *Station) StaffLoginPIN(staffID, pin string) error {
	// The lockout is an interval, on the local clock; the session's
	// times are times of day, on the station's.
	now, at := s.local(), s.Now()
	s.mu.Lock()
	if now.Before(s.pinLockedUntil) {
		s.mu.Unlock()
		return ErrPINLocked
	}
	rd := s.refdata
	s.mu.Unlock()
	want := PINHash(s.cfg.Station.ID, staffID, pin)
	var who *StaffRef
	if rd != nil {
		for i, st := range rd.Staff {
			if st.ID == staffID && st.PINHash != "" && subtle.ConstantTimeCompare([]byte(st.PINHash), []byte(want)) == 1 {
				who = &rd.Staff[i]
			}
		}
	}
	s.mu.Lock()
	if who == nil {
		s.pinFails++
		if s.pinFails >= pinTries {
			s.pinFails, s.pinLockedUntil = 0, now.Add(pinLock)
			s.mu.Unlock()
			s.log.Warn("appliance: staff PIN keypad locked after wrong tries", "tries", pinTries)
			return ErrPINLocked
		}
		s.mu.Unlock()
		return ErrPIN
	}
	s.pinFails = 0
	s.staff = &StaffSession{ID: who.ID, Name: who.Name, Role: who.Role, Since: at, Expires: at.Add(12 * time.Hour), touched: now}
	s.mu.Unlock()
	s.log.Info("appliance: staff logged in with a PIN", "staff", who.ID, "role", who.Role)
	s.ClearHelp()
	s.notify()
	return nil
}

// staffIdle logs a staff member out who left the kiosk: the staff screens
// must not stay open for the next resident.
const staffIdle = 15 * time.Minute

// StaffSession is the staff member logged in at the kiosk. Staff names are
// shown in full: they sign receipts with them.
type StaffSession struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Since   time.Time `json:"since"`
	Expires time.Time `json:"expires"` // the badge's own expiry
	touched time.Time
}

// Staff returns the staff member logged in, or nil.
func (s *Station) Staff() *StaffSession {
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
		s.staff.touched = s.local()
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
	s.staff = &StaffSession{ID: st.StaffID, Name: st.Name, Role: st.Role, Since: at,
		Expires: time.Unix(st.Expires, 0), touched: now}
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
	idle := s.local().Sub(s.staff.touched) > staffIdle
	if idle || !s.Now().Before(s.staff.Expires) {
		s.log.Info("appliance: staff session ended", "staff", s.staff.ID, "idle", idle)
		s.staff = nil
	}
}
