package raucsim

import (
	"testing"
)

func FuzzParseBundle(f *testing.F) {
	f.Add(Bundle{Compatible: "gridkiosk-amd64", Version: "2026.12.7.1", Pad: 10}.Encode())
	f.Add([]byte("RAUCSIM1\nbroken\n"))
	f.Add([]byte("hsqs"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundle(data)
		if err != nil {
			return
		}
		// What parses encodes to a file that parses the same.
		again, err := ParseBundle(b.Encode())
		if err != nil {
			t.Fatalf("re-parse of %+v: %v", b, err)
		}
		if b.Signature != "" && again != b {
			t.Fatalf("round trip %+v → %+v", b, again)
		}
	})
}
