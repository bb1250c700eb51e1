package staff

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// typeOn types digits on a keypad's callbacks and taps 确认 after each
// field, as staff do.
func (l *Login) typeOn(id, pin string) {
	for _, r := range id {
		l.keypad.OnKey(r)
	}
	l.keypad.OnDone()
	for _, r := range pin {
		l.keypad.OnKey(r)
	}
	l.keypad.OnDone()
}

// A wrong PIN is refused in plain words, the right one logs in; five wrong
// ones lock the keypad.
func TestLogin(t *testing.T) {
	r := newRig(t, nil)
	tests := []struct {
		name, id, pin string
		lang          string
		want          []string
		in            bool
	}{
		{"wrong PIN", "7", "1111", "zh-CN", []string{"工号或密码不对"}, false},
		{"unknown ID", "99", "2580", "en", []string{"Staff ID or PIN is wrong"}, false},
		{"right PIN", "0007", "2580", "zh-CN", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.Station.StaffLogout()
			done, back := 0, 0
			l := NewLogin(r.Station, tc.lang, func() { done++ }, func() { back++ })
			simui.Show(t, l.Content(), fyne.NewSize(800, 480))
			l.typeOn(tc.id, tc.pin)
			simui.WantOnScreen(t, l.Content(), tc.want...)
			if in := r.Station.Staff() != nil; in != tc.in || (done == 1) != tc.in {
				t.Fatalf("logged in %v, done called %d times; want %v", in, done, tc.in)
			}
			if tc.in && r.Station.Staff().Name != "李建国" {
				t.Errorf("logged in as %+v", r.Station.Staff())
			}
			if len(l.pin) != 0 {
				t.Error("the PIN stays in the field after a try")
			}
		})
	}
}

func TestLoginLocks(t *testing.T) {
	r := newRig(t, nil)
	l := NewLogin(r.Station, "zh-CN", nil, nil)
	simui.Show(t, l.Content(), fyne.NewSize(1280, 800))
	for range 5 {
		l.typeOn("7", "0000")
	}
	simui.WantOnScreen(t, l.Content(), "密码错误次数太多，已锁定几分钟")
	l.Reset()
	l.typeOn("7", "2580")
	if r.Station.Staff() != nil {
		t.Fatal("logged in through a locked keypad")
	}
	simui.WantOnScreen(t, l.Content(), "已锁定")
}

// The keypad has no letters: the digits find the staff member's ID.
func TestStaffID(t *testing.T) {
	ids := []string{"s-0001", "s-0007", "gx-120"}
	tests := []struct{ typed, want string }{
		{"7", "s-0007"}, {"0007", "s-0007"}, {"120", "gx-120"}, {"0", "s-0000"}, {"42", "s-0042"},
	}
	for _, tc := range tests {
		if got := staffID(ids, tc.typed); got != tc.want {
			t.Errorf("staffID(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
	if got := staffID(nil, "7"); got != "s-0007" {
		t.Errorf("without reference data: %q", got)
	}
}
