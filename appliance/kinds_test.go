package appliance

import (
	"slices"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func TestTicket(t *testing.T) {
	for _, tc := range []struct {
		kind string
		seq  uint64
		want string
	}{{wire.KindRegistration, 42, "R0042"}, {wire.KindMatter, 12345, "M2345"}, {wire.KindReceipt, 7, "C0007"}, {wire.KindVolunteer, 10000, "V0000"}, {"x", 1, "X0001"}} {
		if got := ticket(tc.kind, tc.seq); got != tc.want {
			t.Errorf("ticket(%s, %d) = %s, want %s", tc.kind, tc.seq, got, tc.want)
		}
	}
}

// The screens name the kinds of record by the station's vocabulary, which
// cannot import the contract: the two lists must be one.
func TestStationKindsAreTheContracts(t *testing.T) {
	if got, want := station.Kinds(), wire.Kinds(); !slices.Equal(got, want) {
		t.Fatalf("station.Kinds() = %q, the contract's %q", got, want)
	}
}
