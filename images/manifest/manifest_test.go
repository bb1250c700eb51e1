package manifest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sparseImage writes an image of size bytes holding data at the given
// offsets (each a run of 0xA5 bytes of the given length), leaving holes
// elsewhere, and returns its path and contents.
func sparseImage(t testing.TB, size int64, data map[int64]int) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.img")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	img := make([]byte, size)
	for off, n := range data {
		p := bytes.Repeat([]byte{0xA5}, n)
		copy(img[off:], p)
		if _, err := f.WriteAt(p, off); err != nil {
			t.Fatal(err)
		}
	}
	return path, img
}

func TestBuild(t *testing.T) {
	const size = 1<<20 + 1000 // an odd tail, as an image cut short would have
	data := map[int64]int{
		0:               1,    // first block
		4096:            4096, // merges with block 0
		3 * 4096:        10,   // alone after a zero block
		64 << 10:        8192, // a run inside one 64 KiB block
		512 << 10:       1,
		size - 10:       10, // the short last block
		(512 << 10) + 1: 1,
	}
	path, img := sparseImage(t, size, data)
	tests := []struct {
		bs   int64
		want []Range
	}{
		{4096, []Range{{0, 8192, [32]byte{}}, {3 * 4096, 4096, [32]byte{}}, {64 << 10, 8192, [32]byte{}}, {512 << 10, 4096, [32]byte{}}, {1 << 20, 1000, [32]byte{}}}},
		{64 << 10, []Range{{0, 128 << 10, [32]byte{}}, {512 << 10, 64 << 10, [32]byte{}}, {1 << 20, 1000, [32]byte{}}}},
	}
	for _, tc := range tests {
		fromFile, err := BuildFile(path, Meta{Version: "1.0", Arch: "arm64", BlockSize: tc.bs})
		if err != nil {
			t.Fatal(err)
		}
		fromMem, err := Build(bytes.NewReader(img), size, Meta{Version: "1.0", Arch: "arm64", BlockSize: tc.bs})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fromFile.SignedBytes(), fromMem.SignedBytes()) {
			t.Errorf("bs %d: file and memory builds differ:\n%+v\n%+v", tc.bs, fromFile.Ranges, fromMem.Ranges)
		}
		if fromFile.ImageSHA256 != sha256.Sum256(img) {
			t.Errorf("bs %d: image hash wrong", tc.bs)
		}
		if len(fromFile.Ranges) != len(tc.want) {
			t.Fatalf("bs %d: ranges %+v", tc.bs, fromFile.Ranges)
		}
		for i, r := range fromFile.Ranges {
			w := tc.want[i]
			if r.Offset != w.Offset || r.Length != w.Length || r.SHA256 != sha256.Sum256(img[r.Offset:r.End()]) {
				t.Errorf("bs %d: range %d = %d+%d, want %d+%d (or hash wrong)", tc.bs, i, r.Offset, r.Length, w.Offset, w.Length)
			}
		}
		if err := fromFile.Check(); err != nil {
			t.Errorf("bs %d: %v", tc.bs, err)
		}
	}
}

func TestBuildAllZero(t *testing.T) {
	path, _ := sparseImage(t, 1<<20, nil)
	m, err := BuildFile(path, Meta{Version: "1", Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Ranges) != 0 || m.MappedBytes() != 0 {
		t.Fatalf("ranges %+v", m.Ranges)
	}
}

func testKey(t testing.TB, seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func signed(t testing.TB) *Manifest {
	t.Helper()
	m := &Manifest{Format: Format, Version: "2026.11.1", Arch: "arm64", ImageSize: 1 << 20, BlockSize: 4096,
		Ranges: []Range{{0, 4096, sha256.Sum256([]byte("a"))}, {8192, 4096, sha256.Sum256([]byte("b"))}}}
	if err := Sign(m, testKey(t, 1)); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSignVerify(t *testing.T) {
	pub := testKey(t, 1).Public().(ed25519.PublicKey)
	if err := Verify(signed(t), pub); err != nil {
		t.Fatal(err)
	}
	other := testKey(t, 2).Public().(ed25519.PublicKey)
	if err := Verify(signed(t), other); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("wrong key: %v", err)
	}
	tampers := map[string]func(m *Manifest){
		"version":      func(m *Manifest) { m.Version = "2026.11.2" },
		"arch":         func(m *Manifest) { m.Arch = "amd64" },
		"size":         func(m *Manifest) { m.ImageSize += 4096 },
		"image hash":   func(m *Manifest) { m.ImageSHA256[0] ^= 1 },
		"block size":   func(m *Manifest) { m.BlockSize = 512 },
		"range hash":   func(m *Manifest) { m.Ranges[1].SHA256[31] ^= 1 },
		"range offset": func(m *Manifest) { m.Ranges[1].Offset += 4096 },
		"range length": func(m *Manifest) { m.Ranges[1].Length = 8192 },
		"range gone":   func(m *Manifest) { m.Ranges = m.Ranges[:1] },
		"signature":    func(m *Manifest) { m.Signature[5] ^= 1 },
	}
	for name, tamper := range tampers {
		m := signed(t)
		tamper(m)
		if err := Verify(m, pub); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	m := signed(t)
	m.Signature = nil
	if err := Verify(m, pub); err == nil || !strings.Contains(err.Error(), "not signed") {
		t.Errorf("unsigned: %v", err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *Manifest)
		want   string
	}{
		{"format", func(m *Manifest) { m.Format = 2 }, "format 2"},
		{"version", func(m *Manifest) { m.Version = "1 0" }, "version"},
		{"arch", func(m *Manifest) { m.Arch = "" }, "arch"},
		{"size", func(m *Manifest) { m.ImageSize = 0 }, "image_size"},
		{"block", func(m *Manifest) { m.BlockSize = 3000 }, "block_size"},
		{"empty range", func(m *Manifest) { m.Ranges[0].Length = 0 }, "length 0"},
		{"unsorted", func(m *Manifest) { m.Ranges[0], m.Ranges[1] = m.Ranges[1], m.Ranges[0] }, "sorted"},
		{"unmerged", func(m *Manifest) { m.Ranges[1].Offset = 4096 }, "merged"},
		{"unaligned", func(m *Manifest) { m.Ranges[1].Offset = 8200 }, "block"},
		{"past end", func(m *Manifest) { m.Ranges[1].Length = 1 << 20 }, "past"},
		{"ragged end", func(m *Manifest) { m.Ranges[1].Length = 100 }, "end on a block"},
		{"key id", func(m *Manifest) { m.KeyID = "xyz" }, "key_id"},
	}
	for _, tc := range tests {
		m := signed(t)
		tc.change(m)
		if err := m.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.json")
	m := signed(t)
	if err := Save(path, m); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(got, testKey(t, 1).Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	for _, bad := range []string{
		strings.Replace(string(b), `"format"`, `"extra": 1, "format"`, 1),
		string(b) + "{}",
		strings.Replace(string(b), `"sha256": "`, `"sha256": "zz`, 1),
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("parsed %.80q", bad)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("loaded a missing file")
	}
}

func TestKeyFiles(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "release")
	pub, err := GenerateKeyFiles(prefix)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(prefix + ".key")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	priv, err := LoadPrivateKey(prefix + ".key")
	if err != nil {
		t.Fatal(err)
	}
	pub2, err := LoadPublicKey(prefix + ".pub")
	if err != nil || !pub.Equal(pub2) || !pub.Equal(priv.Public()) {
		t.Fatalf("keys differ: %v", err)
	}
	if _, err := GenerateKeyFiles(prefix); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("overwrote a key: %v", err)
	}
	if _, err := LoadPublicKey(prefix + ".key"); err == nil {
		t.Error("took a private key file for a public one")
	}
	if _, err := LoadPrivateKey(prefix + ".pub"); err == nil {
		t.Error("took a public key file for a private one")
	}
}

func FuzzParse(f *testing.F) {
	good, _ := signed(f).Marshal()
	f.Add(good)
	f.Add([]byte(`{"format":1}`))
	f.Add([]byte(`{"format":1,"version":"1","arch":"arm64","image_size":4096,"block_size":4096,"ranges":[{"offset":0,"length":4096,"sha256":"` + strings.Repeat("0", 64) + `"}]}`))
	pub := testKey(f, 1).Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		// Whatever parses is well formed, survives a round trip, and
		// verifies only if it is the manifest that was signed.
		if err := m.Check(); err != nil {
			t.Fatalf("parsed but malformed: %v", err)
		}
		b, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		m2, err := Parse(b)
		if err != nil || !bytes.Equal(m.SignedBytes(), m2.SignedBytes()) {
			t.Fatalf("round trip: %v", err)
		}
		if Verify(m, pub) == nil && !bytes.Equal(m.SignedBytes(), signed(t).SignedBytes()) {
			t.Fatal("a different manifest verified")
		}
	})
}
