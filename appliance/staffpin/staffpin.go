// Package staffpin hashes and checks staff PINs as the hub stores them in
// the reference data: argon2id with a salt of its own per staff member and
// the parameters in the string (the PHC format
// $argon2id$v=19$m=19456,t=2,p=1$salt$hash), so that parameters can grow
// without making the PINs set before unusable.
//
// A PIN of four to eight digits has at most 10⁸ values: no hash makes it
// strong against someone who holds the hash and time. What the slow hash
// buys is cost: with the parameters below each guess costs tens of
// milliseconds of a core and 19 MiB, where SHA-256 cost nanoseconds. The
// station seals the hashes at rest and locks the keypad after wrong tries;
// the hash is the last line, not the first.
package staffpin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's costs. Default follows OWASP's first choice
// (19 MiB, two passes, one lane); a Raspberry Pi-class board checks one
// PIN with it in a fraction of a second.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Default is what Hash uses.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Bounds on what Verify accepts, so that a damaged or hostile hash cannot
// make a station allocate gigabytes or spin for minutes.
const (
	maxMemory  = 256 * 1024
	maxTime    = 16
	maxThreads = 8
	saltLen    = 16
	keyLen     = 32
)

// Errors of Verify for a hash it cannot check. ErrOldHash is the SHA-256
// form hubs wrote before argon2id: it cannot be converted (the hub never
// had the PINs), so those PINs must be set again at the hub.
var (
	ErrOldHash   = errors.New("staffpin: the PIN hash is the old SHA-256 form; set the PIN again at the hub (gridhub staff pin set)")
	ErrMalformed = errors.New("staffpin: the PIN hash is not $argon2id$v=19$m=…,t=…,p=…$salt$hash")
)

// CheckPIN returns an error unless pin is 4 to 8 digits, what the kiosk's
// keypad takes.
func CheckPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 8 {
		return fmt.Errorf("staffpin: a PIN is 4 to 8 digits, not %d characters", len(pin))
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return errors.New("staffpin: a PIN is digits only")
		}
	}
	return nil
}

// Hash returns pin's hash in the PHC format under Default.
func Hash(pin string) (string, error) { return HashWith(Default, pin) }

// HashWith is Hash with other costs (tests, benchmarks).
func HashWith(p Params, pin string) (string, error) {
	if err := CheckPIN(pin); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("staffpin: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pin matches encoded. The error is for a hash that
// cannot be checked at all (ErrOldHash, ErrMalformed, costs out of bounds).
func Verify(encoded, pin string) (bool, error) {
	p, salt, want, err := Parse(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pin), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Parse splits a PHC string into its parameters, salt and hash, and
// checks each is within bounds.
func Parse(encoded string) (p Params, salt, hash []byte, err error) {
	if isOldHash(encoded) {
		return p, nil, nil, ErrOldHash
	}
	f := strings.Split(encoded, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" || f[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, ErrMalformed
	}
	var m, t, th uint64
	for i, kv := range strings.Split(f[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, perr := strconv.ParseUint(v, 10, 32)
		if !ok || perr != nil || i > 2 || k != [...]string{"m", "t", "p"}[i] {
			return p, nil, nil, ErrMalformed
		}
		*[...]*uint64{&m, &t, &th}[i] = n
	}
	if m < 8*th || m > maxMemory || t < 1 || t > maxTime || th < 1 || th > maxThreads {
		return p, nil, nil, fmt.Errorf("staffpin: PIN hash costs m=%d,t=%d,p=%d are out of bounds (m ≤ %d KiB, t ≤ %d, p ≤ %d)",
			m, t, th, maxMemory, maxTime, maxThreads)
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(f[4]); err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, fmt.Errorf("%w (salt)", ErrMalformed)
	}
	if hash, err = b64.DecodeString(f[5]); err != nil || len(hash) < 16 || len(hash) > 64 {
		return p, nil, nil, fmt.Errorf("%w (hash)", ErrMalformed)
	}
	return Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(th)}, salt, hash, nil
}

// isOldHash recognises the SHA-256 hex the format before argon2id stored.
func isOldHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
