// Package signedcode makes and checks the codes a county hub signs for its
// stations: appointment codes, which residents bring to register with their
// details already filled in, and staff codes, which log a staff member in.
//
// A code is the text of a QR code:
//
//	GK1:A:<payload>.<signature>   an appointment
//	GK1:S:<payload>.<signature>   a staff member
//
// The payload is compact JSON in base64url without padding; the signature
// is Ed25519, base64url, over everything before the dot. Signing the kind
// letter too means an appointment cannot be passed off as a staff code.
// Stations learn the hub's public keys from the reference data, so codes
// are checked offline; each names the key it was signed with, so a hub can
// roll its key while codes signed with the old one are still out.
//
// An appointment code is printed or sent to a phone, and may be
// photographed: it does not carry the resident's name or ID number. It
// holds the name masked (王*兰), for the screen to greet them, and a keyed
// hash of the ID number (IDHash). The key is the station's own, derived
// from the hub's signing key and served to that station only, with its
// reference data; the station checks the ID card laid (or the number
// typed) against the hash, and the registration's details come from the
// card. Codes issued before carried the person in clear; a station still
// accepts them, as they are valid for one day only.
package signedcode

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Prefix starts every code a gridkiosk hub or station prints.
const Prefix = "GK1:"

// Kinds of signed code.
const (
	KindAppointment = "A"
	KindStaff       = "S"
)

// MaxLen bounds a code's text; a longer one is refused before decoding.
// QR codes a phone shows comfortably hold about 1,000 characters.
const MaxLen = 1200

// China has one time zone and no daylight saving; a fixed zone avoids
// depending on the board's tzdata for the date an appointment is for.
var chinaTime = time.FixedZone("CST", 8*3600)

// Person is the resident an appointment is for, as the hub knows them.
// Birth date and gender follow from a citizen ID number.
type Person struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	CardType string `json:"card_type,omitempty"` // default resident
	Nation   string `json:"nation,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// Appointment is an appointment code's content: a person may register at
// one station on one day, once.
type Appointment struct {
	ID      string `json:"id"`  // unique; a station accepts it once
	Key     string `json:"kid"` // the signing key's ID
	Station string `json:"st"`
	Date    string `json:"date"` // YYYY-MM-DD, China Standard Time
	Purpose string `json:"purpose,omitempty"`
	// Holder is who the appointment is for, as the code shows them.
	Holder *Holder `json:"holder,omitempty"`
	// Person is the resident in clear. Signer.Appointment takes it and
	// puts only Holder in the code; a checked code has it only when it
	// was issued before codes were private.
	Person   Person `json:"person,omitzero"`
	IssuedAt int64  `json:"iat"` // Unix seconds
	// idKey is the station's key for Holder.IDHash, set by Verifier.
	idKey []byte
}

// Holder is the resident of a private appointment code: nothing a
// photograph of the code could tell a stranger.
type Holder struct {
	Name     string `json:"name"` // masked: 王*兰
	IDHash   string `json:"idh"`  // IDHash of the ID number with the station's key
	CardType string `json:"card_type,omitempty"`
}

// Private reports whether the code names its resident only by Holder: the
// resident lays their card (or types their ID number) to be matched.
func (a *Appointment) Private() bool { return a.Holder != nil }

// Matches reports whether idNumber is the one the appointment is for.
// It is false for a code no Verifier checked.
func (a *Appointment) Matches(idNumber string) bool {
	if a.Holder == nil {
		return normalID(a.Person.IDNumber) == normalID(idNumber)
	}
	if len(a.idKey) == 0 || idNumber == "" {
		return false
	}
	return hmac.Equal([]byte(IDHash(a.idKey, idNumber)), []byte(a.Holder.IDHash))
}

// IDHash is the keyed hash of an ID number that private appointment codes
// carry: HMAC-SHA256 under the station's key, of the number upper-cased,
// truncated to 128 bits, base64url. Without the key a photographed code
// gives nothing to try ID numbers against; with it (a station's reference
// data) the few million plausible numbers of a county can be tried in
// seconds, which is why each station has its own key.
func IDHash(key []byte, idNumber string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gridkiosk appointment idh v1\x00"))
	m.Write([]byte(normalID(idNumber)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

func normalID(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Staff is a staff code's content: a staff member's badge for a station,
// valid between NotBefore and Expires.
type Staff struct {
	ID        string `json:"id"`
	Key       string `json:"kid"`
	Station   string `json:"st"`
	StaffID   string `json:"staff"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	NotBefore int64  `json:"nbf"` // Unix seconds
	Expires   int64  `json:"exp"` // Unix seconds
}

// Code is a checked code: exactly one of Appointment and Staff is set.
type Code struct {
	Kind        string
	Appointment *Appointment
	Staff       *Staff
}

// ID returns the code's unique ID.
func (c Code) ID() string {
	if c.Appointment != nil {
		return c.Appointment.ID
	}
	if c.Staff != nil {
		return c.Staff.ID
	}
	return ""
}

// Looks reports whether text is shaped like a signed code, so a caller can
// tell "a code of ours that failed its checks" from "some other QR code".
func Looks(text string) bool {
	return strings.HasPrefix(text, Prefix+KindAppointment+":") || strings.HasPrefix(text, Prefix+KindStaff+":")
}

// split takes a code apart into its kind, the signed text, the payload and
// the signature, without judging any of them.
func split(text string) (kind, signed string, payload, sig []byte, err error) {
	if len(text) > MaxLen {
		return "", "", nil, nil, refuse(Malformed, fmt.Sprintf("code is %d characters, more than %d", len(text), MaxLen))
	}
	if !Looks(text) {
		return "", "", nil, nil, refuse(Malformed, "code does not start with GK1:A: or GK1:S:")
	}
	kind = text[len(Prefix) : len(Prefix)+1]
	signed, sigText, ok := strings.Cut(text, ".")
	if !ok {
		return "", "", nil, nil, refuse(Malformed, "code has no signature")
	}
	payload, err = base64.RawURLEncoding.DecodeString(signed[len(Prefix)+2:])
	if err != nil {
		return "", "", nil, nil, refuse(Malformed, "payload is not base64url")
	}
	sig, err = base64.RawURLEncoding.DecodeString(sigText)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return "", "", nil, nil, refuse(Malformed, "signature is not 64 bytes of base64url")
	}
	return kind, signed, payload, sig, nil
}

// decode unmarshals a payload strictly: a field this version does not know
// is refused rather than silently ignored.
func decode(payload []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return refuse(Malformed, "payload: "+err.Error())
	}
	return nil
}

// dayBounds returns the start and end of date in China Standard Time.
func dayBounds(date string) (from, to time.Time, err error) {
	d, err := time.ParseInLocation(time.DateOnly, date, chinaTime)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("date %q is not YYYY-MM-DD", date)
	}
	return d, d.AddDate(0, 0, 1), nil
}

// decodeLoose reads the fields it names and ignores the rest: the key ID
// must be read before the signature can be checked.
func decodeLoose(payload []byte, v any) error {
	if err := json.Unmarshal(payload, v); err != nil {
		return refuse(Malformed, "payload is not JSON")
	}
	return nil
}
