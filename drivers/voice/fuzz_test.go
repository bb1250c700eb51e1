package voice

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParseManifest: a manifest from a pack someone else made never
// panics the station, and one it takes survives a round trip.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"format":1,"voice":"v","synthetic":true,"prompts":[{"id":"a","text":"甲","file":"a.wav","sha256":"abababababababababababababababababababababababababababababababab"}]}`))
	f.Add([]byte(`{"format":1,"voice":"v","prompts":[{"id":"a","text":"甲","file":"../a.wav","sha256":""}]}`))
	f.Add([]byte(`{"format":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("marshal a parsed manifest: %v", err)
		}
		m2, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("a parsed manifest does not parse again: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip changed the manifest:\n%+v\n%+v", m, m2)
		}
	})
}

// FuzzParseWAV: any file in a pack's place never panics the player, and
// what it takes is whole frames of a format the player can send.
func FuzzParseWAV(f *testing.F) {
	f.Add(tone(440, 0.01, mono22k))
	f.Add(tone(440, 0.01, Format{2, 48000}))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseWAV(b)
		if err != nil {
			return
		}
		if c.Channels < 1 || c.Channels > 2 || c.Rate < minRate || c.Rate > maxRate || len(c.Data)%(2*c.Channels) != 0 {
			t.Fatalf("parseWAV took %v with %d bytes", c.Format, len(c.Data))
		}
	})
}
