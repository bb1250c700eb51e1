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

// Kinds lists what ValidKind takes, and a caller cannot change the
// contract's list through the slice it got.
func TestKinds(t *testing.T) {
	ks := wire.Kinds()
	if len(ks) != 4 {
		t.Fatalf("Kinds() = %v, want the four kinds of v1", ks)
	}
	for _, k := range ks {
		if !wire.ValidKind(k) {
			t.Errorf("ValidKind(%q) = false for a listed kind", k)
		}
	}
	ks[0] = "appointment"
	if wire.ValidKind("appointment") || wire.Kinds()[0] != wire.KindRegistration {
		t.Fatal("changing the returned slice changed the contract's kinds")
	}
}
