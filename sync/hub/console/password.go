package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are argon2id's costs. The hub keeps its own small copy
// of appliance/staffpin's PHC form rather than import the appliance: the
// county side builds without the station's code.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultPassword is OWASP's argon2id minimum (19 MiB, 2 passes, 1
// lane): about 30 ms on a county server, a fraction of what a log-in
// waits for the network.
var DefaultPassword = PasswordParams{Memory: 19 * 1024, Time: 2, Threads: 1}

// MinPassword is the shortest password an account may have, in
// characters; MaxPasswordBytes the longest, so that a log-in cannot make
// the hub hash megabytes.
const (
	MinPassword      = 10
	MaxPasswordBytes = 256
)

var errMalformedHash = errors.New("console: the password hash is not $argon2id$v=19$m=…,t=…,p=…$salt$hash")

// CheckPassword says why a password may not be set, or nil.
func CheckPassword(pw string) error {
	if !utf8.ValidString(pw) {
		return errors.New("console: the password is not UTF-8 text")
	}
	if n := utf8.RuneCountInString(pw); n < MinPassword {
		return fmt.Errorf("console: a password has at least %d characters, this one %d", MinPassword, n)
	}
	if len(pw) > MaxPasswordBytes {
		return fmt.Errorf("console: a password has at most %d bytes", MaxPasswordBytes)
	}
	return nil
}

// HashPassword hashes pw with DefaultPassword's costs.
func HashPassword(pw string) (string, error) { return HashPasswordWith(DefaultPassword, pw) }

// HashPasswordWith hashes pw with p's costs, in the PHC string format.
func HashPasswordWith(p PasswordParams, pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("console: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches encoded.
func VerifyPassword(encoded, pw string) (bool, error) {
	if len(pw) > MaxPasswordBytes {
		return false, nil
	}
	p, salt, want, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// parseHash reads a PHC string. Costs beyond the bounds a hub would set
// are refused, so a tampered store cannot make a log-in take minutes.
func parseHash(encoded string) (p PasswordParams, salt, hash []byte, err error) {
	f := strings.Split(encoded, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" || f[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errMalformedHash
	}
	var n [3]uint64
	for i, kv := range strings.Split(f[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		x, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || i > 2 || k != [...]string{"m", "t", "p"}[i] {
			return p, nil, nil, errMalformedHash
		}
		n[i] = x
	}
	m, t, th := n[0], n[1], n[2]
	if m < 8*th || m > 256*1024 || t < 1 || t > 16 || th < 1 || th > 8 {
		return p, nil, nil, fmt.Errorf("console: password hash costs m=%d,t=%d,p=%d are out of bounds", m, t, th)
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(f[4]); err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, errMalformedHash
	}
	if hash, err = b64.DecodeString(f[5]); err != nil || len(hash) < 16 || len(hash) > 64 {
		return p, nil, nil, errMalformedHash
	}
	return PasswordParams{Memory: uint32(m), Time: uint32(t), Threads: uint8(th)}, salt, hash, nil
}
