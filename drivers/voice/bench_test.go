package voice

import (
	"context"
	"testing"
)

// BenchmarkPlay is a request's cost from Play to aplay done, on ALSA's
// null device (which takes samples as fast as they come): reading and
// checking the files, scaling, starting aplay. The time a resident waits
// before a new screen starts speaking.
func BenchmarkPlay(b *testing.B) {
	for _, bc := range []struct {
		name   string
		ids    []string
		volume int
	}{
		{"one prompt", []string{"a"}, 100},
		{"ticket of six", []string{"a", "b", "c", "a", "b", "c"}, 100},
		{"ticket of six at 60%", []string{"a", "b", "c", "a", "b", "c"}, 60},
	} {
		b.Run(bc.name, func(b *testing.B) {
			pack := loadPack(b, map[string][]byte{"a": tone(440, 0.9, mono22k), "b": tone(500, 0.9, mono22k), "c": tone(600, 0.9, mono22k)})
			p := NewPlayer(pack, Options{Device: "null", Volume: bc.volume})
			for b.Loop() {
				if err := p.Play(context.Background(), bc.ids...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
