package hubseal

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func load(t testing.TB, path string) *Sealer {
	t.Helper()
	s, err := Load(path, true, "test store")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A sealed value opens under its key and binding only; a value in clear
// is returned as it is.
func TestSealOpen(t *testing.T) {
	dir := t.TempDir()
	s, other := load(t, filepath.Join(dir, "a.key")), load(t, filepath.Join(dir, "b.key"))
	plain := []byte(`{"name":"王小明"}`)
	sealed, err := s.Seal(RecordAD("0190F5E6-A"), plain)
	if err != nil || !IsSealed(sealed) || bytes.Contains(sealed, []byte("王小明")) {
		t.Fatalf("Seal: %q %v", sealed, err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name    string
		s       *Sealer
		ad      string
		v, want []byte
		err     string
	}{
		{"same ID in another case", s, RecordAD("0190f5e6-a"), sealed, plain, ""},
		{"another record", s, RecordAD("0190f5e6-b"), sealed, nil, "decrypt"},
		{"a note", s, NoteAD("0190f5e6-a"), sealed, nil, "decrypt"},
		{"another key", other, RecordAD("0190f5e6-a"), sealed, nil, "decrypt"},
		{"tampered", s, RecordAD("0190f5e6-a"), tampered, nil, "decrypt"},
		{"too short", s, RecordAD("0190f5e6-a"), sealed[:10], nil, "too short"},
		{"in clear", s, RecordAD("0190f5e6-a"), plain, plain, ""},
	}
	for _, tc := range tests {
		got, err := tc.s.Open(tc.ad, tc.v)
		if (tc.err == "" && err != nil) || (tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err))) || !bytes.Equal(got, tc.want) {
			t.Errorf("%s: Open = %q, %v; want %q, error with %q", tc.name, got, err, tc.want, tc.err)
		}
	}
	if bytes.Equal(s.Fingerprint(), other.Fingerprint()) {
		t.Error("two keys, one fingerprint")
	}
}

// The key file is made once, private, and read again; a missing file of
// a sealed store, a short one or one others may read is refused.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hub.key")
	a := load(t, path)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if b := load(t, path); !bytes.Equal(a.Fingerprint(), b.Fingerprint()) {
		t.Fatal("the key read again is another key")
	}
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("0123"), 0o600)
	open := filepath.Join(dir, "open.key")
	os.WriteFile(open, bytes.Repeat([]byte{1}, keySize), 0o644)
	for _, tc := range []struct {
		path   string
		create bool
		want   string
	}{
		{filepath.Join(dir, "none.key"), false, "is missing but test store was sealed"},
		{short, true, "holds 4 bytes"},
		{open, true, "chmod 600"},
		{filepath.Join(dir, "nodir", "x.key"), true, "create key file"},
	} {
		if _, err := Load(tc.path, tc.create, "test store"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%s): %v, want an error with %q", tc.path, err, tc.want)
		}
	}
}

// Open never panics, whatever the stored bytes.
func FuzzOpen(f *testing.F) {
	s := load(f, filepath.Join(f.TempDir(), "hub.key"))
	sealed, _ := s.Seal("ad", []byte("{}"))
	for _, v := range [][]byte{sealed, []byte("{}"), {mark}, nil} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		s.Open("ad", v)
	})
}
