package voice

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func TestParseWAV(t *testing.T) {
	good := tone(440, 0.1, Format{Channels: 2, Rate: 48000})
	c, err := parseWAV(good)
	if err != nil || c.Format != (Format{2, 48000}) || len(c.Data) != len(good)-44 {
		t.Fatalf("parseWAV(good) = %v (%d bytes), %v", c.Format, len(c.Data), err)
	}
	if d := c.Duration(); d < 0.099 || d > 0.101 {
		t.Errorf("Duration() = %v, want 0.1", d)
	}
	// A LIST chunk of odd length before the data, as recording software
	// writes, is skipped with its pad byte.
	list := append([]byte("LIST\x03\x00\x00\x00abc\x00"), good[36:]...)
	withList := append(append([]byte{}, good[:36]...), list...)
	if c2, err := parseWAV(withList); err != nil || !bytes.Equal(c2.Data, c.Data) {
		t.Errorf("parseWAV with a LIST chunk: %d bytes, %v", len(c2.Data), err)
	}
	set16 := func(off int, v uint16) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint16(b[off:], v)
		return b
	}
	set32 := func(off int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "not a RIFF WAVE"},
		{"mp3", []byte("ID3\x03\x00\x00\x00\x00\x00\x00\x00\x00"), "not a RIFF WAVE"},
		{"float", set16(20, 3), "audio format 3"},
		{"8 bit", set16(34, 8), "8 bits per sample"},
		{"6 channels", set16(22, 6), "6 channels"},
		{"too slow", set32(24, 4000), "4000 samples per second"},
		{"truncated", good[:len(good)-11], "runs past the end"},
		{"odd frame", append(set32(40, uint32(len(good)-44-1)), 0), "whole number"},
		{"no data", good[:36], `no "data"`},
		{"data first", append(append([]byte{}, good[:12]...), good[36:]...), `before "fmt "`},
		{"short fmt", set32(16, 8), `"fmt " chunk of 8 bytes`},
	} {
		if _, err := parseWAV(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: parseWAV: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

func TestScale(t *testing.T) {
	src := make([]byte, 0, 8)
	for _, s := range []int16{32767, -32768, 1000, -3} {
		src = binary.LittleEndian.AppendUint16(src, uint16(s))
	}
	for _, tc := range []struct {
		percent int
		want    []int16
	}{
		{100, []int16{32767, -32768, 1000, -3}},
		{150, []int16{32767, -32768, 1000, -3}}, // above 100 is 100: never louder than recorded
		{50, []int16{8192, -8192, 250, -1}},
		{0, []int16{0, 0, 0, 0}},
		{-5, []int16{0, 0, 0, 0}},
	} {
		out := scale(nil, src, gain(tc.percent))
		for i, w := range tc.want {
			if got := int16(binary.LittleEndian.Uint16(out[2*i:])); got != w {
				t.Errorf("volume %d%%: sample %d = %d, want %d", tc.percent, i, got, w)
			}
		}
	}
}
