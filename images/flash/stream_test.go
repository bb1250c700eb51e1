package flash

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/images/flash/flashtest"
	"github.com/gridkiosk/gridkiosk/images/manifest"
)

func TestReadSpans(t *testing.T) {
	rg := func(off, n int64) manifest.Range { return manifest.Range{Offset: off, Length: n} }
	tests := []struct {
		name   string
		exts   []span
		ranges []manifest.Range
		size   int64
		want   []span
	}{
		{"all data", []span{{0, 1 << 20}}, []manifest.Range{rg(4096, 4096)}, 1 << 20, []span{{0, 1 << 20}}},
		{"holes skipped", []span{{8192, 12288}, {40960, 45056}}, []manifest.Range{rg(8192, 4096), rg(40960, 4096)}, 1 << 20,
			[]span{{8192, 12288}, {40960, 45056}}},
		{"a range in a hole is read", []span{{8192, 12288}}, []manifest.Range{rg(8192, 4096), rg(65536, 8192)}, 1 << 20,
			[]span{{8192, 12288}, {65536, 73728}}},
		{"unmapped data is read", []span{{100, 200}}, nil, 1 << 20, []span{{0, 4096}}},
		{"touching spans merge", []span{{0, 4096}}, []manifest.Range{rg(4096, 4096)}, 1 << 20, []span{{0, 8192}}},
		{"the end is the image's", []span{{0, 5000}}, []manifest.Range{rg(4096, 904)}, 5000, []span{{0, 5000}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := readSpans(tc.exts, tc.ranges, tc.size); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// A sparse raw image is read by its data, its holes skipped; what it
// holds is still checked everywhere: a mapped block that is a hole in
// the file reads as zeros and fails its hash, and data where the
// manifest maps none must be zero.
func TestSparseImageChecked(t *testing.T) {
	t.Parallel()
	img, m, pub := signedImage(t, flashtest.Options{})
	mid := len(m.Ranges) / 2
	tests := []struct {
		name, want string
		hole       int // a range left out: a hole in the file
		at         int64
	}{
		{"mapped range left a hole", "range " + strconv.Itoa(mid+1) + " of", mid, -1},
		{"data in a hole", "is not zero", -1, m.Ranges[0].End() + 10},
	}
	for _, tc := range tests {
		bad := img.Path + "." + strings.ReplaceAll(tc.name, " ", "-")
		data, err := os.ReadFile(img.Path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(bad)
		if err != nil {
			t.Fatal(err)
		}
		f.Truncate(int64(len(data)))
		for i, r := range m.Ranges {
			if i != tc.hole {
				f.WriteAt(data[r.Offset:r.End()], r.Offset)
			}
		}
		if tc.at >= 0 {
			f.WriteAt([]byte{7}, tc.at)
		}
		f.Close()
		if _, err := write(t, bad, m, pub, Options{}); !errors.Is(err, ErrImageMismatch) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %v naming %q", tc.name, err, ErrImageMismatch, tc.want)
		}
	}
}

// The read-back tells a corrupt image from a card that did not keep what
// was written, by the CRC-32C of each range as it was written: the first
// is ErrImageMismatch, the second a RangeError naming the range.
func TestReadBackTellsImageFromCard(t *testing.T) {
	t.Parallel()
	img, m, _ := signedImage(t, flashtest.Options{})
	mid := len(m.Ranges) / 2
	bad := bytes.Clone(img.Data)
	bad[m.Ranges[mid].Offset+3] ^= 0x10
	tests := []struct {
		name          string
		written, card []byte
		image         bool
	}{
		{"the card lost a write", img.Data, bad, false},
		{"the image was corrupt", bad, bad, true},
	}
	for _, tc := range tests {
		held := m.BlockSize
		s := newStreamer(nil, m, held, nil)
		if err := s.feed(tc.written); err != nil {
			t.Fatal(err)
		}
		card := filepath.Join(t.TempDir(), "card")
		os.WriteFile(card, tc.card, 0o644)
		tg, err := Open(card)
		if err != nil {
			t.Fatal(err)
		}
		_, err = check(tg, m, [][]Patch{{{0, s.header}}}, nil, s.crcs, nil)
		tg.Close()
		var re *RangeError
		switch {
		case tc.image && !errors.Is(err, ErrImageMismatch):
			t.Errorf("%s: %v, want %v", tc.name, err, ErrImageMismatch)
		case !tc.image && (!errors.As(err, &re) || re.Index != mid || errors.Is(err, ErrImageMismatch)):
			t.Errorf("%s: %v, want a RangeError for range %d", tc.name, err, mid+1)
		}
	}
}
