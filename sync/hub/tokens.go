package hub

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// MinTokenLen is the length a station token has at least.
const MinTokenLen = 16

// Tokens maps bearer tokens to the station each one belongs to.
type Tokens map[string]string // token → station ID

// Station returns the station that token belongs to. It is one map
// look-up, so a province's 20,000 tokens cost no more than one: the map
// hashes the whole token under a per-process random seed and compares
// keys only when their hashes match, so the time taken does not tell
// how near a guess came.
func (t Tokens) Station(token string) (string, bool) {
	st, ok := t[token]
	return st, ok && token != ""
}

// ParseTokens reads "station_id token" lines; blank lines and lines
// starting with # are skipped.
func ParseTokens(data []byte, name string) (Tokens, error) {
	t := Tokens{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 || len(f[1]) < MinTokenLen {
			return nil, fmt.Errorf("hub: %s:%d: want \"station_id token\" with a token of at least %d characters", name, i+1, MinTokenLen)
		}
		t[f[1]] = f[0]
	}
	return t, nil
}

// NewToken returns a new station token: 32 random bytes in hex.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand.Read crashes the program rather than return short
	return hex.EncodeToString(b)
}

// HashToken is what a store keeps of a token. A plain SHA-256 is enough:
// tokens from NewToken are 256 random bits, beyond guessing, so a salt or
// a slow hash would add nothing. Looking a token up by its hash also
// keeps timing from telling anything about the token itself.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CheckStationID returns an error unless id looks like a station ID:
// 3 to 64 characters of a-z, 0-9 and '-', such as "141029-xfw-01" (county
// code, station, number). It is the rule a station's own configuration
// follows, so the hub takes every station that starts.
func CheckStationID(id string) error {
	ok := len(id) >= 3 && len(id) <= 64
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
	}
	if !ok {
		return fmt.Errorf("station ID %q must be 3-64 characters of a-z, 0-9 and '-', like 141029-xfw-01", id)
	}
	return nil
}

// CheckToken returns an error unless a store should take token for
// stationID: the rules of CheckStationID and ParseTokens.
func CheckToken(stationID, token string) error {
	if err := CheckStationID(stationID); err != nil {
		return err
	}
	if len(token) < MinTokenLen || strings.ContainsAny(token, " \t\r\n") {
		return fmt.Errorf("a token must be at least %d characters without spaces", MinTokenLen)
	}
	return nil
}
