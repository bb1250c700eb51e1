package wire_test

import (
	"testing"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// The proof binds the token, the station and the nonce: changing any of
// them changes it.
func TestTimeProof(t *testing.T) {
	const at = "2026-11-26T01:14:03.512Z"
	base := wire.TimeProof("tok", "st-1", "n1", at)
	for _, other := range []string{
		wire.TimeProof("tok2", "st-1", "n1", at),
		wire.TimeProof("tok", "st-2", "n1", at),
		wire.TimeProof("tok", "st-1", "n2", at),
		wire.TimeProof("tok", "st-1", "n1", "2026-11-26T01:14:04.512Z"),
	} {
		if other == base {
			t.Fatalf("proof %s does not depend on every input", base)
		}
	}
	if len(base) != 64 {
		t.Fatalf("proof %q is not hex SHA-256", base)
	}
}

// The MAC is part of the contract: a hub and a station built from
// different versions must agree on it. The vector was computed outside Go
// (Python's hmac over the bytes PROTOCOL.md names), so a change to the
// definition here fails the test instead of silently splitting the fleet.
func TestTimeProofVector(t *testing.T) {
	got := wire.TimeProof("tok", "st-1", "n1", "2026-11-26T01:14:03.512Z")
	const want = "3704e850ade2e41f5b087412aa23aa40e6ce6b531802e45da672dab63b1c79ee"
	if got != want {
		t.Fatalf("TimeProof = %s, want %s (HMAC-SHA256(token, \"gridhub-time\\x00\" station \\x00 nonce \\x00 time))", got, want)
	}
}
