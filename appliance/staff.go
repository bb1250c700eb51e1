package appliance

import (
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
)

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
		s.staff.touched = s.now()
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
	now := s.now()
	s.mu.Lock()
	s.staff = &StaffSession{ID: st.StaffID, Name: st.Name, Role: st.Role, Since: now,
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
	now := s.now()
	if now.Sub(s.staff.touched) > staffIdle || !now.Before(s.staff.Expires) {
		s.log.Info("appliance: staff session ended", "staff", s.staff.ID, "idle", now.Sub(s.staff.touched) > staffIdle)
		s.staff = nil
	}
}
