// Package hubseal seals what a hub's store holds of residents and staff
// (record payloads, staff notes, reference data with names and PIN
// hashes) with AES-256-GCM under a key kept in a file of its own, so that
// a copy of the store (a backup, a dump, a disk sent for repair) is no
// use without the key. Both stores, bbolt and PostgreSQL, use it.
package hubseal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	keySize = 32
	// mark starts a sealed value; a value in clear starts with '{'
	// (JSON), as every value did before sealing.
	mark = 's'
)

// Sealer seals and opens values under one key.
type Sealer struct {
	aead cipher.AEAD
	fp   []byte
}

// Load reads the key in keyFile, or makes it (mode 0600, synced with its
// directory before use) when create says the store has never been sealed.
// store names the store in errors: the key of what is missing.
func Load(keyFile string, create bool, store string) (*Sealer, error) {
	key, err := loadKey(keyFile, create, store)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte("gridhub store key v1\x00"), key...))
	return &Sealer{aead: aead, fp: sum[:8]}, nil
}

// Fingerprint identifies the key without revealing it. A store keeps it
// so that a wrong key file is refused rather than read as garbage.
func (s *Sealer) Fingerprint() []byte { return append([]byte(nil), s.fp...) }

// Seal seals plain, bound to ad: a sealed value moved to another place
// (another record's ID) does not open.
func (s *Sealer) Seal(ad string, plain []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plain)+s.aead.Overhead())
	out[0] = mark
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:], plain, []byte(ad)), nil
}

// Open returns a sealed value's plain text, and a value stored in clear
// (before the store was sealed) as it is.
func (s *Sealer) Open(ad string, v []byte) ([]byte, error) {
	if !IsSealed(v) {
		return v, nil
	}
	n := s.aead.NonceSize()
	if len(v) < 1+n+s.aead.Overhead() {
		return nil, errors.New("sealed value too short")
	}
	plain, err := s.aead.Open(nil, v[1:1+n], v[1+n:], []byte(ad))
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	return plain, nil
}

// IsSealed says whether v was made by Seal rather than stored in clear.
func IsSealed(v []byte) bool { return len(v) > 0 && v[0] == mark }

// RecordAD binds a sealed record to its ID; IDs compare case-insensitively.
func RecordAD(id string) string { return "record\x00" + strings.ToLower(id) }

// NoteAD binds a record's sealed staff note to the record's ID.
func NoteAD(id string) string { return "note\x00" + strings.ToLower(id) }

// LinkKeyAD binds a record's sealed status-page key to the record's ID.
func LinkKeyAD(id string) string { return "link_key\x00" + strings.ToLower(id) }

// RefDataAD binds sealed reference data to the key it is kept under.
func RefDataAD(key string) string { return "refdata\x00" + key }

func loadKey(path string, create bool, store string) ([]byte, error) {
	key, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(key) != keySize {
			return nil, fmt.Errorf("key file %s holds %d bytes, want %d", path, len(key), keySize)
		}
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("key file %s has mode %v; others may read it (chmod 600 %s)", path, fi.Mode().Perm(), path)
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read key file: %w", err)
	case !create:
		return nil, fmt.Errorf("key file %s is missing but %s was sealed with a key; restore it from the hub's backup (--key-file; records cannot be read without it)", path, store)
	}
	key = make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	_, err = f.Write(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return nil, fmt.Errorf("sync %s: %w", filepath.Dir(path), err)
	}
	return key, nil
}
