package appliance

import (
	"errors"
	"slices"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/record"
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

// Each kind of the contract reads into its own payload type and is stored
// as that kind again; another kind is refused naming the field.
func TestPayloadKinds(t *testing.T) {
	for _, k := range wire.Kinds() {
		p, err := payloadOf(k)
		if err != nil || kindOf(p) != k {
			t.Errorf("payloadOf(%s) = %T, %v; stored as %q", k, p, err, kindOf(p))
		}
	}
	var fe *record.FieldError
	if _, err := decode("gossip", []byte(`{}`)); !errors.As(err, &fe) || fe.Field != "kind" {
		t.Errorf("decode(gossip) = %v, want a refusal of field kind", err)
	}
}
