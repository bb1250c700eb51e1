package handwriting

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestMatchesLibzinnia recognizes 80 random inks and wants libzinnia's
// own answers (testdata/libzinnia/want.txt, written by oracle.c against
// Debian's libzinnia0 0.06 and the same model): the same ten characters
// in the same order, with the same scores to float32 rounding. That is the
// proof the features and the scoring are Zinnia's.
func TestMatchesLibzinnia(t *testing.T) {
	m := openModel(t)
	inks := readLines(t, "testdata/libzinnia/inks.txt")
	want := readLines(t, "testdata/libzinnia/want.txt")
	if len(inks) != len(want) || len(inks) == 0 {
		t.Fatalf("%d inks, %d answers", len(inks), len(want))
	}
	for i, line := range inks {
		ink := parseInk(t, line)
		got, err := m.Recognize(ink, 10)
		if err != nil {
			t.Fatalf("ink %d: %v", i+1, err)
		}
		f := strings.Fields(want[i])
		if len(f) != 2*len(got) {
			t.Fatalf("ink %d: %d candidates, libzinnia %d", i+1, len(got), len(f)/2)
		}
		for k, c := range got {
			score, err := strconv.ParseFloat(f[2*k+1], 32)
			if err != nil {
				t.Fatal(err)
			}
			if c.Char != f[2*k] || math.Abs(float64(c.Score)-score) > 2e-6*max(1, math.Abs(score)) {
				t.Errorf("ink %d candidate %d: %s %.6f, libzinnia %s %.6f", i+1, k+1, c.Char, c.Score, f[2*k], score)
			}
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// parseInk reads oracle.c's input format: "W H x y x y ; x y ...".
func parseInk(t *testing.T, line string) Ink {
	t.Helper()
	f := strings.Fields(line)
	num := func(s string) float32 {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		return float32(v)
	}
	ink := Ink{Width: num(f[0]), Height: num(f[1]), Strokes: [][]Point{nil}}
	for i := 2; i < len(f); i++ {
		if f[i] == ";" {
			ink.Strokes = append(ink.Strokes, nil)
			continue
		}
		s := &ink.Strokes[len(ink.Strokes)-1]
		*s = append(*s, Point{num(f[i]), num(f[i+1])})
		i++
	}
	return ink
}
