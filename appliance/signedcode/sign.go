package signedcode

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
)

// Signer issues codes with one private key. Only a hub holds one.
type Signer struct {
	KeyID string
	Key   ed25519.PrivateKey
}

// Public returns the key the stations check the signer's codes with,
// without any station's ID-hash key: enough for staff codes only.
func (s Signer) Public() Key {
	return Key{ID: s.KeyID, Ed25519: []byte(s.Key.Public().(ed25519.PublicKey))}
}

// ForStation returns the key as station's reference data carries it: the
// public key and the station's own key for the ID-number hashes of its
// appointment codes. Serve each station only its own.
func (s Signer) ForStation(station string) Key {
	k := s.Public()
	k.IDHashKey = s.IDKey(station)
	return k
}

// IDKey derives station's key for IDHash from the signing key, so that
// the hub keeps no other secret and rolls it with the signing key.
func (s Signer) IDKey(station string) []byte {
	if len(s.Key) != ed25519.PrivateKeySize {
		return nil
	}
	m := hmac.New(sha256.New, s.Key.Seed())
	m.Write([]byte("gridkiosk appointment id key v1\x00"))
	m.Write([]byte(station))
	return m.Sum(nil)
}

// Appointment signs a private appointment code for a.Person: the code
// carries the name masked and the ID number as IDHash under the station's
// key, and neither the phone number nor the nation. An empty ID gets a
// random one, IssuedAt the current time, and Key the signer's key ID.
func (s Signer) Appointment(a Appointment) (string, error) {
	if _, _, err := dayBounds(a.Date); err != nil {
		return "", fmt.Errorf("signedcode: appointment: %w", err)
	}
	if a.Station == "" || strings.TrimSpace(a.Person.Name) == "" || normalID(a.Person.IDNumber) == "" {
		return "", errors.New("signedcode: appointment: station, name and ID number are required")
	}
	if len(s.Key) != ed25519.PrivateKeySize {
		return "", errors.New("signedcode: signer has no private key")
	}
	if a.ID == "" {
		a.ID = newID()
	}
	if a.IssuedAt == 0 {
		a.IssuedAt = time.Now().Unix()
	}
	a.Key = s.KeyID
	a.Holder = &Holder{Name: citizenid.MaskName(a.Person.Name), IDHash: IDHash(s.IDKey(a.Station), a.Person.IDNumber),
		CardType: a.Person.CardType}
	a.Person = Person{}
	return s.sign(KindAppointment, a)
}

// Staff signs st. An empty ID gets a random one and Key the signer's key ID.
func (s Signer) Staff(st Staff) (string, error) {
	if st.Station == "" || st.StaffID == "" || st.Role == "" {
		return "", errors.New("signedcode: staff: station, staff ID and role are required")
	}
	if st.Expires <= st.NotBefore {
		return "", errors.New("signedcode: staff: expiry must come after the start")
	}
	if st.ID == "" {
		st.ID = newID()
	}
	st.Key = s.KeyID
	return s.sign(KindStaff, st)
}

func (s Signer) sign(kind string, v any) (string, error) {
	if len(s.Key) != ed25519.PrivateKeySize {
		return "", errors.New("signedcode: signer has no private key")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("signedcode: encode: %w", err)
	}
	signed := Prefix + kind + ":" + base64.RawURLEncoding.EncodeToString(b)
	sig := ed25519.Sign(s.Key, []byte(signed))
	code := signed + "." + base64.RawURLEncoding.EncodeToString(sig)
	if len(code) > MaxLen {
		return "", fmt.Errorf("signedcode: code would be %d characters, more than %d (shorten the name or address)", len(code), MaxLen)
	}
	return code, nil
}

func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// keyFile is a signer's private key on disk.
type keyFile struct {
	ID   string `json:"id"`
	Seed []byte `json:"ed25519_seed"`
}

// NewSignerFile makes a new key with ID id, writes it to path (mode 0600;
// an existing file is never overwritten) and returns its signer.
func NewSignerFile(path, id string) (Signer, error) {
	if strings.TrimSpace(id) == "" {
		return Signer{}, errors.New("signedcode: key ID is required")
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Signer{}, fmt.Errorf("signedcode: generate key: %w", err)
	}
	b, _ := json.Marshal(keyFile{ID: id, Seed: priv.Seed()})
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Signer{}, fmt.Errorf("signedcode: key dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Signer{}, fmt.Errorf("signedcode: write key: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return Signer{}, fmt.Errorf("signedcode: write key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return Signer{}, fmt.Errorf("signedcode: write key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return Signer{}, fmt.Errorf("signedcode: write key %s: %w", path, err)
	}
	return Signer{KeyID: id, Key: priv}, nil
}

// LoadSigner reads a key NewSignerFile wrote. It refuses a key file others
// can read: whoever reads it can log in as any staff member.
func LoadSigner(path string) (Signer, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Signer{}, fmt.Errorf("signedcode: key %s: %w (make one with \"gridhub keygen --out %s\")", path, err, path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return Signer{}, fmt.Errorf("signedcode: key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Signer{}, fmt.Errorf("signedcode: key %s: %w", path, err)
	}
	var k keyFile
	if err := json.Unmarshal(b, &k); err != nil || k.ID == "" || len(k.Seed) != ed25519.SeedSize {
		return Signer{}, fmt.Errorf("signedcode: key %s is not a gridhub signing key", path)
	}
	return Signer{KeyID: k.ID, Key: ed25519.NewKeyFromSeed(k.Seed)}, nil
}

// AttachKeys returns refdata with keys set as its "code_keys", the way a
// hub hands its public keys to its stations.
func AttachKeys(refdata []byte, keys ...Key) ([]byte, error) {
	m := map[string]json.RawMessage{}
	if len(refdata) > 0 {
		if err := json.Unmarshal(refdata, &m); err != nil {
			return nil, fmt.Errorf("signedcode: reference data is not a JSON object: %w", err)
		}
	}
	kb, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	m["code_keys"] = kb
	return json.Marshal(m)
}
