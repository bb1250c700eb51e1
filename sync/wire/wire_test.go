package wire_test

import (
	"testing"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func TestValidKind(t *testing.T) {
	for _, tc := range []struct {
		kind string
		ok   bool
	}{
		{wire.KindRegistration, true},
		{wire.KindMatter, true},
		{wire.KindReceipt, true},
		{wire.KindVolunteer, true},
		{"", false},
		{"Matter", false},
		{"appointment", false},
	} {
		if got := wire.ValidKind(tc.kind); got != tc.ok {
			t.Errorf("ValidKind(%q) = %v, want %v", tc.kind, got, tc.ok)
		}
	}
}
