package outbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gridkiosk/gridkiosk/internal/secretfile"
)

const keySize = 32 // AES-256

// sealer encrypts record bodies with AES-256-GCM. The record ID is the
// additional data, so a body cannot be moved under another record's key.
type sealer struct {
	aead  cipher.AEAD
	fp    []byte // fingerprint of the key, kept in the db to detect a wrong key
	names []byte // the key that turns kept keys into opaque database keys
}

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("outbox: key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("outbox: key: %w", err)
	}
	sum := sha256.Sum256(append([]byte("gridkiosk outbox key v1\x00"), key...))
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gridkiosk outbox kept names v1"))
	return &sealer{aead: aead, fp: sum[:8], names: m.Sum(nil)}, nil
}

// keptName is the database key of a kept key: a keyed hash, so a key that
// names a person (a volunteer checked in) says nothing to someone who
// reads the file without the station's key, and cannot be confirmed by
// hashing guessed names either.
func (s *sealer) keptName(key string) []byte {
	m := hmac.New(sha256.New, s.names)
	m.Write([]byte(key))
	return m.Sum(nil)[:16]
}

func (s *sealer) seal(id string, plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("outbox: nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plain, []byte(id)), nil
}

func (s *sealer) open(id string, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, fmt.Errorf("outbox: record %s: sealed body too short (%d bytes)", id, len(sealed))
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(id))
	if err != nil {
		return nil, fmt.Errorf("outbox: record %s: decrypt: %w", id, err)
	}
	return plain, nil
}

// loadKey reads the key file, creating it when create is true and it does
// not exist yet. The file is written and synced before use so that no
// record is ever sealed under a key that a power cut could lose.
func loadKey(path string, create bool) ([]byte, error) {
	// Read by the rule every secret of the station's is read by; a file
	// much longer than a key is not read whole.
	key, err := secretfile.Read(path, 4*keySize)
	switch {
	case secretfile.IsExposed(err):
		return nil, fmt.Errorf("outbox: key file: %w", err)
	case err == nil:
		if len(key) != keySize {
			return nil, fmt.Errorf("outbox: key file %s holds %d bytes, want %d", path, len(key), keySize)
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("outbox: read key file: %w", err)
	case !create:
		return nil, fmt.Errorf("outbox: key file %s is missing but %s already holds records; restore the key from the station's backup (records cannot be read without it)",
			path, filepath.Join(filepath.Dir(path), dbName))
	}
	key = make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("outbox: generate key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("outbox: create key file: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, fmt.Errorf("outbox: write key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("outbox: sync key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("outbox: close key file %s: %w", path, err)
	}
	return key, syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("outbox: open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("outbox: sync dir %s: %w", dir, err)
	}
	return nil
}

// makeDir creates dir and its missing parents, and syncs the directory
// above each one it created: an entry is durable only once the directory
// holding it is synced, and a power cut would otherwise take the new data
// directory with the key and the database in it.
func makeDir(dir string) error {
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		_, err := os.Stat(d)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for i := len(created) - 1; i >= 0; i-- {
		if err := syncDir(filepath.Dir(created[i])); err != nil {
			return err
		}
	}
	return nil
}
