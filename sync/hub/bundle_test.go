package hub_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/hub/releasetest"
)

func TestCheckBundle(t *testing.T) {
	real := releasetest.Build(t, "2026.12.7.140500+g61892aa", "gridkiosk-amd64", 100000)
	signed, err := os.ReadFile(real.Path)
	if err != nil {
		t.Fatal(err)
	}
	mangle := func(b []byte, f func([]byte) []byte) []byte { return f(bytes.Clone(b)) }
	for _, tc := range []struct {
		name string
		data []byte
		want string // "" for a bundle
	}{
		{"rauc's own", signed, ""},
		{"fake", releasetest.Fake(4096, 1), ""},
		{"empty", nil, "too short"},
		{"tarball", mangle(signed, func(b []byte) []byte { copy(b, "ustar"); return b }), "squashfs magic"},
		{"unsigned squashfs", signed[:binary.LittleEndian.Uint64(signed[40:48])], "signature"},
		{"cut short", signed[:len(signed)-1000], "signature"},
		{"signature size too big", mangle(signed, func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[len(b)-8:], uint64(len(b)))
			return b
		}), "does not fit"},
		{"image over the signature", mangle(signed, func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[40:48], uint64(len(b)))
			return b
		}), "squashfs image says"},
		{"signature not DER", mangle(signed, func(b []byte) []byte {
			n := binary.BigEndian.Uint64(b[len(b)-8:])
			b[len(b)-8-int(n)] = 0x31
			return b
		}), "DER"},
		{"signature one byte longer", mangle(signed, func(b []byte) []byte {
			n := binary.BigEndian.Uint64(b[len(b)-8:])
			binary.BigEndian.PutUint64(b[len(b)-8:], n+1)
			return b
		}), "DER"},
	} {
		err := hub.CheckBundle(bytes.NewReader(tc.data), int64(len(tc.data)))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.want)
		}
	}
}

// CheckBundle reads only within the file, never panics, and takes
// nothing without the magic and a signature that fits.
func FuzzCheckBundle(f *testing.F) {
	f.Add(releasetest.Fake(256, 0))
	f.Add([]byte("hsqs"))
	f.Add(append([]byte("hsqs"), make([]byte, 200)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := hub.CheckBundle(bytes.NewReader(b), int64(len(b)))
		if err == nil {
			if !bytes.HasPrefix(b, []byte("hsqs")) {
				t.Fatalf("took %d bytes without the magic", len(b))
			}
			sig := binary.BigEndian.Uint64(b[len(b)-8:])
			if sig > uint64(len(b)) || b[len(b)-8-int(sig)] != 0x30 {
				t.Fatalf("took a signature of %d bytes in %d", sig, len(b))
			}
		}
	})
}
