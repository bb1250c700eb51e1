package handwriting

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// weights is one character of a model the tests write.
type weights struct {
	char string
	bias float32
	w    []feature // sorted by index
}

// encode writes chars as a binary Zinnia model.
func encode(chars []weights) []byte {
	le := binary.LittleEndian
	b := make([]byte, headerBytes)
	for _, c := range chars {
		var name [charBytes]byte
		copy(name[:], c.char)
		b = append(b, name[:]...)
		b = le.AppendUint32(b, math.Float32bits(c.bias))
		for _, f := range c.w {
			b = le.AppendUint32(b, uint32(f.index))
			b = le.AppendUint32(b, math.Float32bits(f.value))
		}
		b = le.AppendUint32(b, math.MaxUint32) // index -1
		b = le.AppendUint32(b, 0)
	}
	le.PutUint32(b, uint32(len(b))^magicID)
	le.PutUint32(b[4:], version)
	le.PutUint32(b[8:], uint32(len(chars)))
	return b
}

// tiny is a model that tells one stroke from two: 一 weighs a single
// stroke, 二 two, 十 nothing but its bias.
var tiny = []weights{
	{"一", 0.5, []feature{{countBase + 1, 0.2}}},
	{"二", -0.5, []feature{{countBase + 2, 0.2}, {countBase, 0.05}}},
	{"十", 0.25, nil},
}

func TestTinyModel(t *testing.T) {
	m, err := Parse(encode(tiny))
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != 3 || m.Char(2) != "十" {
		t.Fatalf("read %d characters, third %q", m.Len(), m.Char(2))
	}
	line := []Point{{10, 50}, {90, 50}}
	for _, tc := range []struct {
		name    string
		strokes [][]Point
		want    []Candidate
	}{
		// one stroke: 一 0.5+10·0.2 = 2.5, 十 0.25, 二 -0.5+1·0.05
		{"one stroke", [][]Point{line}, []Candidate{{"一", 2.5}, {"十", 0.25}, {"二", -0.45}}},
		// two: 二 -0.5+10·0.2+2·0.05 = 1.6, 一 0.5
		{"two strokes", [][]Point{line, line}, []Candidate{{"二", 1.6}, {"一", 0.5}, {"十", 0.25}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := m.Recognize(Ink{Width: 100, Height: 100, Strokes: tc.strokes}, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i].Char != tc.want[i].Char || math.Abs(float64(got[i].Score-tc.want[i].Score)) > 1e-6 {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
	if got, _ := m.Recognize(Ink{Width: 100, Height: 100, Strokes: [][]Point{line}}, 1); len(got) != 1 || got[0].Char != "一" {
		t.Errorf("best 1: %v", got)
	}
}

func TestParseRefuses(t *testing.T) {
	good := encode(tiny)
	le := binary.LittleEndian
	edit := func(f func(b []byte) []byte) []byte {
		return f(append([]byte(nil), good...))
	}
	resize := func(b []byte) []byte {
		b = append([]byte(nil), b...)
		le.PutUint32(b, uint32(len(b))^magicID)
		return b
	}
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"empty", "too short", nil},
		{"text model", "not a binary Zinnia model", []byte("一 0.5\n2000001:0.2\n")},
		{"truncated", "header says", good[:len(good)-8]},
		{"version 2", "format version 2", edit(func(b []byte) []byte { le.PutUint32(b[4:], 2); return b })},
		{"too many characters", "more than", edit(func(b []byte) []byte { le.PutUint32(b[8:], 1<<30); return b })},
		{"fewer characters than stored", "bytes after the last character", edit(func(b []byte) []byte { le.PutUint32(b[8:], 2); return b })},
		{"no end mark", "run past the end", resize(good[:len(good)-8])},
		{"empty name", "character 1 at byte 12: empty name", edit(func(b []byte) []byte { clear(b[12:28]); return b })},
		{"name not UTF-8", "not UTF-8", edit(func(b []byte) []byte { b[12] = 0xff; return b })},
		{"NaN bias", "bias at byte 28 is NaN", edit(func(b []byte) []byte { le.PutUint32(b[28:], 0x7fc00000); return b })},
		{"negative feature", "feature -2", edit(func(b []byte) []byte { le.PutUint32(b[32:], uint32(0xfffffffe)); return b })},
		{"infinite weight", "= +Inf", edit(func(b []byte) []byte { le.PutUint32(b[36:], 0x7f800000); return b })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestOpenNamesTheFile(t *testing.T) {
	_, err := Open("/nonexistent/handwriting-zh_CN.model")
	if err == nil || !strings.Contains(err.Error(), "tegaki-zinnia-simplified-chinese") {
		t.Errorf("got %v, want the package to install named", err)
	}
}

// FuzzParse wants any bytes to give a model or an error, never a panic, and
// a model it reads to recognize without one.
func FuzzParse(f *testing.F) {
	f.Add(encode(tiny))
	f.Add(encode(nil))
	f.Add(encode([]weights{{"一", 1, []feature{{0, 1}, {1, -1}, {2000001, 3}}}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		ink := Ink{Width: 10, Height: 10, Strokes: [][]Point{{{1, 1}, {9, 9}}, {{5, 5}}}}
		got, err := m.Recognize(ink, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != min(3, m.Len()) {
			t.Fatalf("%d candidates of %d characters", len(got), m.Len())
		}
	})
}
