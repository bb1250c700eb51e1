package hub

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

	bolt "go.etcd.io/bbolt"
)

// What the bolt file holds of the residents (record payloads) and staff
// (reference data with names and PIN hashes) is sealed with AES-256-GCM
// under a key in a file of its own, so that a copy of hub.db (a backup, a
// disk sent for repair) is no use without the key. Record IDs, station
// IDs and token hashes stay in clear: they are keys.
const (
	keyFingerprint = "key_fingerprint"
	hubKeySize     = 32
	// sealedMark starts a sealed value; a value in clear starts with '{'
	// (JSON), as every value did before sealing.
	sealedMark = 's'
)

type boltSealer struct {
	aead cipher.AEAD
	fp   []byte
}

// DefaultKeyFile is where the key of the bolt file at path is kept when
// nothing else is said: beside it, hub.db → hub.key.
func DefaultKeyFile(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".key"
}

// openSealer reads the key (making it when the file has never had one)
// and checks it is the key the file was sealed with.
func openSealer(db *bolt.DB, keyFile string) (*boltSealer, error) {
	var fp []byte
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucketMeta))
		if err != nil {
			return err
		}
		fp = append([]byte(nil), b.Get([]byte(keyFingerprint))...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	key, err := loadHubKey(keyFile, len(fp) == 0, db.Path())
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
	s := &boltSealer{aead: aead, fp: sum[:8]}
	if len(fp) == 0 {
		err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucketMeta)).Put([]byte(keyFingerprint), s.fp) })
		return s, err
	}
	if string(fp) != string(s.fp) {
		return nil, fmt.Errorf("key file %s is not the key %s was sealed with; restore the right key (--key-file)", keyFile, db.Path())
	}
	return s, nil
}

func (s *boltSealer) seal(ad string, plain []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plain)+s.aead.Overhead())
	out[0] = sealedMark
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:], plain, []byte(ad)), nil
}

// open returns a sealed value's plain text, and a value stored in clear
// (before the file was sealed) as it is.
func (s *boltSealer) open(ad string, v []byte) ([]byte, error) {
	if len(v) == 0 || v[0] != sealedMark {
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

// recordAD binds a sealed record to its ID; IDs compare case-insensitively.
func recordAD(id string) string   { return "record\x00" + strings.ToLower(id) }
func refDataAD(key []byte) string { return "refdata\x00" + string(key) }

// sealInClear seals the values a file written before sealing holds in
// clear, a chunk per transaction, so a large file does not hold the lock
// for long.
func (s *BoltStore) sealInClear() (int, error) {
	total := 0
	for _, b := range []struct {
		name string
		ad   func(k []byte) string
	}{
		{bucketRecords, func(k []byte) string { return recordAD(string(k)) }},
		{bucketRefData, refDataAD},
	} {
		for {
			n := 0
			err := s.db.Update(func(tx *bolt.Tx) error {
				bk := tx.Bucket([]byte(b.name))
				var clear [][2][]byte
				bk.ForEach(func(k, v []byte) error {
					if len(clear) < 1000 && len(v) > 0 && v[0] != sealedMark {
						clear = append(clear, [2][]byte{append([]byte(nil), k...), append([]byte(nil), v...)})
					}
					return nil
				})
				for _, kv := range clear {
					sealed, err := s.seal.seal(b.ad(kv[0]), kv[1])
					if err != nil {
						return err
					}
					if err := bk.Put(kv[0], sealed); err != nil {
						return err
					}
				}
				n = len(clear)
				return nil
			})
			if err != nil {
				return total, fmt.Errorf("seal %s: %w", b.name, err)
			}
			total += n
			if n < 1000 {
				break
			}
		}
	}
	return total, nil
}

// loadHubKey reads the key file, or makes it (mode 0600, synced with its
// directory before use) when create says the file has never been sealed.
func loadHubKey(path string, create bool, dbPath string) ([]byte, error) {
	key, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(key) != hubKeySize {
			return nil, fmt.Errorf("key file %s holds %d bytes, want %d", path, len(key), hubKeySize)
		}
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("key file %s has mode %v; others may read it (chmod 600 %s)", path, fi.Mode().Perm(), path)
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read key file: %w", err)
	case !create:
		return nil, fmt.Errorf("key file %s is missing but %s was sealed with a key; restore it from the hub's backup (--key-file; records cannot be read without it)", path, dbPath)
	}
	key = make([]byte, hubKeySize)
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
