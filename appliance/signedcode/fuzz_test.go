package signedcode

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"
)

// FuzzCheck feeds arbitrary scanner output to the verifier: it must refuse
// without panicking, and accept only what the hub's key signed.
func FuzzCheck(f *testing.F) {
	seed := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	hub := Signer{KeyID: "k1", Key: seed}
	appt, _ := hub.Appointment(appointment())
	staff, _ := hub.Staff(Staff{Station: station, StaffID: "s-0001", Role: "community_grid_leader", NotBefore: 0, Expires: 1 << 40})
	for _, s := range []string{appt, staff, "GK1:A:", "GK1:S:e30.", "GK1:A:e30." + strings.Repeat("A", 86), "GK1:R:0190"} {
		f.Add(s)
	}
	v := Verifier{Keys: []Key{hub.ForStation(station)}, Station: station}
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		c, err := v.Check(text, now)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if c.ID() == "" || (c.Appointment == nil) == (c.Staff == nil) {
			t.Fatalf("accepted %q as %+v", text, c)
		}
	})
}
