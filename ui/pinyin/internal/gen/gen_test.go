package main

import (
	"slices"
	"strings"
	"testing"
)

func TestToneless(t *testing.T) {
	tests := []struct{ in, want string }{
		{"wáng", "wang"},
		{"lǜ", "lv"},
		{"nǚ", "nv"},
		{"lüè", "lue"},
		{"nüè", "nue"},
		{"lu\u0308", "lv"}, // decomposed ü
		{"ê̄", "e"},
		{"ńg", "ng"},
		{"zhǎng", "zhang"},
		{"de", "de"},
	}
	for _, tc := range tests {
		if got, err := toneless(tc.in); err != nil || got != tc.want {
			t.Errorf("toneless(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "wang2", "Wang", "a\u0308"} {
		if got, err := toneless(bad); err == nil {
			t.Errorf("toneless(%q) = %q, want an error", bad, got)
		}
	}
}

func TestReadingsOf(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"wáng", []string{"wáng"}},
		{"0684.060:le 0711.150:liǎo", []string{"le", "liǎo"}},
		{"223.010,223.020:liǎo", []string{"liǎo"}},
		{"10048.060:liǎo,le,liào", []string{"liǎo", "le", "liào"}},
	}
	for _, tc := range tests {
		if got := readingsOf(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("readingsOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseGoogleDictRejects(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "spelling size"},
		{"truncated", []byte{8, 0, 0, 0, 0, 0, 0, 0, 1}, "spelling count"},
		{"wrong spelling size", append([]byte{7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, make([]byte, 12)...), "spelling size 7"},
		{"huge count", []byte{8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, "implausible count"},
	}
	for _, tc := range tests {
		_, err := parseGoogleDict(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

func TestRank(t *testing.T) {
	chars := []char{
		{r: '长', tghIdx: 200, readings: []string{"chang", "zhang"}},
		{r: '王', tghIdx: 100, readings: []string{"wang"}},
		{r: '僻', tghIdx: 7000, readings: []string{"pi"}},
		{r: '嗯', tghIdx: 5000},
	}
	scores := map[rune]map[string]int{
		'长': {"chang": 50, "zhang": 70},
		'王': {"wang": 60},
		'嗯': {"en": 55, "n": 55},
	}
	var got []string
	for _, p := range rank(chars, scores) {
		got = append(got, string(p.r)+" "+p.syl)
	}
	want := []string{"长 chang", "嗯 en", "王 wang", "长 zhang", "僻 pi"}
	if !slices.Equal(got, want) {
		t.Errorf("rank = %q, want %q", got, want)
	}
}
