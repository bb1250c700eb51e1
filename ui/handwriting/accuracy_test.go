package handwriting

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
)

// The issue asks top-5 ≥ 95 % over the level-1 characters. Zinnia with
// Debian's model alone reaches about 86 % on hanzi-writer-data's medians,
// with or without jitter (libzinnia itself gives the same answers,
// TestMatchesLibzinnia): the model was trained on writing whose stroke
// orders differ from the national standard's for common components (辶
// written first, for one). With the likeness to the bundled face's
// glyphs, which does not depend on the order (Model.UseFace), the kiosk's
// recognizer reaches the target; `make bench` prints the full figures.
const (
	targetTop5 = 0.95
	// zinniaFloor is what Zinnia alone must keep doing.
	zinniaFloor = 0.83
)

// TestAccuracyLevel1 recognizes a fixed seeded sample of 600 of the 3,500
// level-1 characters, each drawn from hanzi-writer-data's medians with
// handJitter, and wants the right one among the first five at least
// targetTop5 of the time from the kiosk's recognizer (zinniaFloor from
// Zinnia alone). `make bench` runs all 3,500 (BenchmarkAccuracyLevel1).
func TestAccuracyLevel1(t *testing.T) {
	all := level1(t)
	rng := rand.New(rand.NewPCG(16, 16))
	sample := make([]rune, 600)
	for i, k := range rng.Perm(len(all))[:len(sample)] {
		sample[i] = all[k]
	}
	for _, tc := range []struct {
		name  string
		m     *Model
		floor float64
	}{
		{"Zinnia alone", openModel(t), zinniaFloor},
		{"Zinnia and the face's shapes", openFacedModel(t), targetTop5},
	} {
		got := measure(t, tc.m, sample, handJitter, 1)
		t.Logf("%s: %v", tc.name, got)
		if got.rate5() < tc.floor {
			t.Errorf("%s: top-5 below %.0f %%: %v; first wrong: %v", tc.name, 100*tc.floor, got, head(got.wrong, 30))
		}
	}
}

// BenchmarkAccuracyLevel1 recognizes one jittered sample of each of the
// 3,500 level-1 characters per iteration and reports top-1, top-5 and the
// time per character (recognition only: the samples are drawn first).
func BenchmarkAccuracyLevel1(b *testing.B) {
	m := openFacedModel(b)
	chars := level1(b)
	inks := make([]Ink, len(chars))
	for i, r := range chars {
		med, err := readMedians(b, r)
		if err != nil {
			b.Fatal(err)
		}
		inks[i] = handJitter.ink(med, rand.New(rand.NewPCG(1, uint64(r))))
	}
	var top1, top5 int
	var spent time.Duration
	b.ResetTimer()
	for b.Loop() {
		top1, top5 = 0, 0
		start := time.Now()
		for i, ink := range inks {
			cands, err := m.Recognize(ink, 5)
			if err != nil {
				b.Fatal(err)
			}
			for k, c := range cands {
				if c.Char == string(chars[i]) {
					top5++
					if k == 0 {
						top1++
					}
				}
			}
		}
		spent += time.Since(start)
	}
	n := float64(len(inks))
	b.ReportMetric(100*float64(top1)/n, "top1-%")
	b.ReportMetric(100*float64(top5)/n, "top5-%")
	b.ReportMetric(float64(spent.Microseconds())/1000/float64(b.N)/n, "ms/char")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkUseFace is the time the kiosk spends in the background, once
// the model is read, making the face's shapes.
func BenchmarkUseFace(b *testing.B) {
	needData(b, modelPath(), "apt-get install tegaki-zinnia-simplified-chinese")
	m, err := Open(modelPath())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := m.UseFace(fonts.CJK()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen is the model's load time, paid once at start-up.
func BenchmarkOpen(b *testing.B) {
	needData(b, modelPath(), "apt-get install tegaki-zinnia-simplified-chinese")
	for b.Loop() {
		if _, err := Open(modelPath()); err != nil {
			b.Fatal(err)
		}
	}
}

func (t tally) rate5() float64 { return float64(t.top5) / float64(t.n) }

func head(s []string, n int) []string { return s[:min(n, len(s))] }
