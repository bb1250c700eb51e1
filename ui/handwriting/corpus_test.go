package handwriting

import (
	"bufio"
	"compress/bzip2"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gridkiosk/gridkiosk/drivers/fonts"
)

// The accuracy test's data, none of it drawn by us: the model from
// Debian's tegaki-zinnia-simplified-chinese, the level-1 list of the
// 通用规范汉字表 from Unihan's kTGH field (Debian's unicode-data), and
// stroke medians from the npm package hanzi-writer-data (Make Me a Hanzi,
// Arphic Public License), which `make test` and `make bench` fetch with
// npm (.ci/deps.sh). GRIDKIOSK_HANDWRITING_DATA=required (the Makefile
// sets it) turns a missing piece into a failure instead of a skip.
const (
	hanziWriterVersion = "2.0.1"
	unihanDir          = "/usr/share/unicode"
)

func modelPath() string {
	if p := os.Getenv("GRIDKIOSK_ZINNIA_MODEL"); p != "" {
		return p
	}
	return DefaultModelPath
}

// hanziWriterDir is where .ci/deps.sh has npm put hanzi-writer-data.
func hanziWriterDir() string {
	if d := os.Getenv("GRIDKIOSK_HANZI_WRITER_DATA"); d != "" {
		return d
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "gridkiosk", "npm", "node_modules", "hanzi-writer-data")
}

// needData skips, or with GRIDKIOSK_HANDWRITING_DATA=required fails, when
// path is missing, saying how to get it.
func needData(tb testing.TB, path, how string) {
	tb.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	msg := fmt.Sprintf("%s is missing; %s (or run .ci/deps.sh test)", path, how)
	if os.Getenv("GRIDKIOSK_HANDWRITING_DATA") == "required" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// readModel reads the model once for all the tests (seconds under -race).
var readModel = sync.OnceValues(func() (*Model, error) { return Open(modelPath()) })

// readFacedModel is a second model, one that uses the kiosk's bundled
// face as the kiosk's does (Model.UseFace).
var readFacedModel = sync.OnceValues(func() (*Model, error) {
	m, err := Open(modelPath())
	if err != nil {
		return nil, err
	}
	return m, m.UseFace(fonts.CJK())
})

// openFacedModel is the model as the kiosk recognizes with it.
func openFacedModel(tb testing.TB) *Model {
	tb.Helper()
	return openWith(tb, readFacedModel)
}

func openModel(tb testing.TB) *Model {
	tb.Helper()
	return openWith(tb, readModel)
}

func openWith(tb testing.TB, read func() (*Model, error)) *Model {
	tb.Helper()
	needData(tb, modelPath(), "apt-get install tegaki-zinnia-simplified-chinese")
	m, err := read()
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// level1 is the 3,500 characters of level 1 of the 通用规范汉字表 (2013),
// in the table's order.
func level1(tb testing.TB) []rune {
	tb.Helper()
	path := filepath.Join(unihanDir, "Unihan_OtherMappings.txt.bz2")
	needData(tb, path, "apt-get install unicode-data")
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	num := map[rune]int{}
	sc := bufio.NewScanner(bzip2.NewReader(f))
	for sc.Scan() {
		// U+4E00	kTGH	2013:1
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 || cols[1] != "kTGH" {
			continue
		}
		cp, err1 := strconv.ParseUint(strings.TrimPrefix(cols[0], "U+"), 16, 32)
		_, n, _ := strings.Cut(cols[2], ":")
		i, err2 := strconv.Atoi(n)
		if err1 != nil || err2 != nil {
			tb.Fatalf("%s: line %q", path, sc.Text())
		}
		if i <= 3500 {
			num[rune(cp)] = i
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if len(num) != 3500 {
		tb.Fatalf("%s: %d level-1 characters, want 3500", path, len(num))
	}
	chars := make([]rune, 0, len(num))
	for r := range num {
		chars = append(chars, r)
	}
	sort.Slice(chars, func(i, j int) bool { return num[chars[i]] < num[chars[j]] })
	return chars
}

// medians are a character's strokes from hanzi-writer-data: per stroke,
// points on a 1024-unit square with y up and the baseline at -124.
type medians [][][2]float64

func readMedians(tb testing.TB, r rune) (medians, error) {
	dir := hanziWriterDir()
	needData(tb, filepath.Join(dir, "package.json"),
		"npm install --prefix ~/.cache/gridkiosk/npm hanzi-writer-data@"+hanziWriterVersion)
	b, err := os.ReadFile(filepath.Join(dir, string(r)+".json"))
	if err != nil {
		return nil, err
	}
	var d struct {
		Medians medians `json:"medians"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%c: %w", r, err)
	}
	if len(d.Medians) == 0 {
		return nil, fmt.Errorf("%c: no medians", r)
	}
	return d.Medians, nil
}

// jitter is how far a sample strays from the medians: a hand on a pad
// writes smaller or larger, off centre, tilted, strokes a little apart,
// and its trace wobbles.
type jitter struct {
	scale  [2]float64 // uniform in [lo, hi], each axis
	shift  float64    // uniform ±, units of 1024
	rotate float64    // uniform ±, degrees
	stroke float64    // σ of a stroke's own offset, units
	point  float64    // σ of each point, units
	step   float64    // points every step units along a stroke, as a pad samples
}

// handJitter is the accuracy test's jitter.
var handJitter = jitter{scale: [2]float64{0.85, 1.05}, shift: 40, rotate: 4, stroke: 12, point: 5, step: 16}

// ink is a jittered sample of m, on a 1024-unit surface with y down.
func (j jitter) ink(m medians, rng *rand.Rand) Ink {
	uni := func(lo, hi float64) float64 {
		if rng == nil {
			return (lo + hi) / 2
		}
		return lo + (hi-lo)*rng.Float64()
	}
	sx, sy := uni(j.scale[0], j.scale[1]), uni(j.scale[0], j.scale[1])
	dx, dy := uni(-j.shift, j.shift), uni(-j.shift, j.shift)
	th := uni(-j.rotate, j.rotate) * math.Pi / 180
	cos, sin := math.Cos(th), math.Sin(th)
	ink := Ink{Width: 1024, Height: 1024}
	for _, s := range m {
		ox, oy := j.norm(rng)*j.stroke, j.norm(rng)*j.stroke
		var pts []Point
		add := func(x, y float64) {
			// Flip y (hanzi-writer's docs: y up, 900 at the top), then
			// scale, turn and move about the centre.
			x, y = x-512, (900-y)-512
			x, y = x*sx, y*sy
			x, y = x*cos-y*sin, x*sin+y*cos
			x += 512 + dx + ox + j.norm(rng)*j.point
			y += 512 + dy + oy + j.norm(rng)*j.point
			pts = append(pts, Point{float32(x), float32(y)})
		}
		for k, p := range s {
			if k > 0 && j.step > 0 {
				q := s[k-1]
				n := int(math.Hypot(p[0]-q[0], p[1]-q[1]) / j.step)
				for t := 1; t < n; t++ {
					f := float64(t) / float64(n)
					add(q[0]+f*(p[0]-q[0]), q[1]+f*(p[1]-q[1]))
				}
			}
			add(p[0], p[1])
		}
		ink.Strokes = append(ink.Strokes, pts)
	}
	return ink
}

// tally is an accuracy run's result.
type tally struct {
	n, top1, top5 int
	missing       []rune // no medians in hanzi-writer-data
	unknown       []rune // not in the model
	wrong         []string
}

func (t tally) String() string {
	return fmt.Sprintf("%d characters: top-1 %.1f %%, top-5 %.1f %% (%d not in the model, %d without medians)",
		t.n, 100*float64(t.top1)/float64(t.n), 100*float64(t.top5)/float64(t.n), len(t.unknown), len(t.missing))
}

// measure recognizes one jittered sample of each of chars, seeded by seed
// and the character, so a failure replays alone.
func measure(tb testing.TB, m *Model, chars []rune, j jitter, seed uint64) tally {
	tb.Helper()
	known := map[string]bool{}
	for i := range m.Len() {
		known[m.Char(i)] = true
	}
	var t tally
	for _, r := range chars {
		med, err := readMedians(tb, r)
		if os.IsNotExist(err) {
			t.missing = append(t.missing, r)
			t.n++
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		if !known[string(r)] {
			t.unknown = append(t.unknown, r)
		}
		rng := rand.New(rand.NewPCG(seed, uint64(r)))
		cands, err := m.Recognize(j.ink(med, rng), 5)
		if err != nil {
			tb.Fatalf("%c: %v", r, err)
		}
		t.n++
		for k, c := range cands {
			if c.Char == string(r) {
				if k == 0 {
					t.top1++
				}
				t.top5++
				break
			}
		}
		if len(cands) > 0 && cands[0].Char != string(r) {
			t.wrong = append(t.wrong, fmt.Sprintf("%c→%s", r, cands[0].Char))
		}
	}
	return t
}

func (jitter) norm(rng *rand.Rand) float64 {
	if rng == nil {
		return 0
	}
	return rng.NormFloat64()
}
