package appliance_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// A resident without a card types name and ID number; the check character
// is verified and the registration is stored with source "manual".
func TestManualRegistration(t *testing.T) {
	st := runStation(t, appliance.Options{Config: demo.Config(filepath.Join(t.TempDir(), "data"), "", "")})
	tests := []struct {
		name, id, field, msg string
	}{
		{"", "14102919520317122X", "name", "required"},
		{"王秀兰", "141029195203171228", "id_number", "check character"},
		{"王秀兰", "1410291952", "id_number", "18"},
		{"Maria", "932000198903150023", "id_number", "mainland resident"},
	}
	for _, tc := range tests {
		err := st.StartManual(tc.name, tc.id)
		var fe *record.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("StartManual(%q, %q) = %v; want %s: %s", tc.name, tc.id, err, tc.field, tc.msg)
		}
	}
	if st.Session().State != station.SessionIdle {
		t.Fatal("a refused entry started a session")
	}
	if err := st.StartManual(" 王秀兰 ", "14102919520317122x"); err != nil {
		t.Fatal(err)
	}
	v := st.Session()
	if v.State != station.SessionManual || v.Source != "manual" || v.Person.Name != "王秀兰" ||
		v.Person.IDNumber != "1410**********122X" || v.Person.Birth != "1952-03-17" || v.Person.Gender != "female" {
		t.Fatalf("session: %+v %+v", v, v.Person)
	}
	rc, err := st.SubmitSession(t.Context(), station.SessionSubmit{Purpose: "certificate", Consent: station.ConsentIn{Agreed: true, Version: "2026-01"}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := st.Records(time.Now().Add(-time.Hour), 10)
	if err != nil || len(list) != 1 || list[0].ID != rc.ID || list[0].Kind != "registration" || list[0].State != "queued" {
		t.Fatalf("today's records: %+v %v", list, err)
	}
}

// Staff log in with ID and PIN from the reference data; wrong PINs lock
// the keypad before a four-digit PIN can be guessed.
func TestStaffPIN(t *testing.T) {
	dir := t.TempDir()
	h := startCodeHub(t, filepath.Join(dir, "hub"))
	clk := &clock{}
	st, _ := stationWithClock(t, dir, h.url, clk.Now)
	waitRefData(t, st)
	if err := st.StaffLoginPIN("s-0007", "0000"); !errors.Is(err, station.ErrPIN) {
		t.Fatalf("wrong PIN: %v", err)
	}
	if err := st.StaffLoginPIN("s-0012", demo.StaffPIN); !errors.Is(err, station.ErrPIN) {
		t.Fatalf("staff without a PIN: %v", err)
	}
	if err := st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
		t.Fatal(err)
	}
	if s := st.Staff(); s == nil || s.Name != "李建国" {
		t.Fatalf("staff: %+v", s)
	}
	st.StaffLogout()
	var err error
	for range 5 {
		err = st.StaffLoginPIN("s-0007", "1111")
	}
	if !errors.Is(err, station.ErrPINLocked) {
		t.Fatalf("fifth wrong PIN: %v", err)
	}
	if err := st.StaffLoginPIN("s-0007", demo.StaffPIN); !errors.Is(err, station.ErrPINLocked) {
		t.Fatalf("right PIN while locked: %v", err)
	}
	clk.Advance(6 * time.Minute)
	if err := st.StaffLoginPIN("s-0007", demo.StaffPIN); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}
