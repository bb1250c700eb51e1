package signedcode

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"
)

// Reason says why a code was refused.
type Reason string

// The reasons a code is refused. A station shows each with its own words,
// so a resident knows whether to ask staff, come back another day or ask
// the hub for a new code.
const (
	Malformed    Reason = "malformed"     // not a complete code: damaged print, partial scan
	UnknownKey   Reason = "unknown_key"   // signed by a key the station does not have (yet)
	Forged       Reason = "forged"        // the signature does not match
	Expired      Reason = "expired"       // the appointment's day or the badge's validity is over
	NotYet       Reason = "not_yet"       // the appointment's day or the badge's validity has not begun
	WrongStation Reason = "wrong_station" // issued for another station
	Used         Reason = "used"          // an appointment that already made its registration
	Revoked      Reason = "revoked"       // withdrawn by the hub (a lost badge)
)

// Refusal is the error for a code that failed its checks.
type Refusal struct {
	Reason Reason
	Detail string // for the log and the technician; no personal data
}

func (r *Refusal) Error() string { return "signedcode: " + string(r.Reason) + ": " + r.Detail }

// Message is what the screen says, Chinese first.
func (r *Refusal) Message() string {
	switch r.Reason {
	case UnknownKey:
		return "本站尚未获得签发此码的密钥，请联网后重试或联系工作人员 / this station does not know the key of this code yet; try again when online or ask staff"
	case Forged:
		return "二维码签名无效，可能被篡改 / the code's signature is not valid: it may have been altered"
	case Expired:
		return "二维码已过期 / the code has expired"
	case NotYet:
		return "二维码尚未生效，请在预约日期当天使用 / the code is not valid yet: use it on its day"
	case WrongStation:
		return "此码不是为本站签发的 / this code was issued for another station"
	case Used:
		return "此预约码已使用过 / this appointment code has already been used"
	case Revoked:
		return "此码已被上级平台注销 / the county hub has withdrawn this code"
	}
	return "二维码不完整或无法识别，请重新扫描 / the code is incomplete or damaged; scan it again"
}

func refuse(r Reason, detail string) *Refusal { return &Refusal{Reason: r, Detail: detail} }

// ReasonOf returns the reason err refuses a code for, or "".
func ReasonOf(err error) Reason {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// Key is a hub's public signing key, as the reference data carries it.
type Key struct {
	ID      string `json:"id"`
	Ed25519 []byte `json:"ed25519"` // 32 bytes; base64 in JSON
	// IDHashKey is this station's key for the ID-number hashes of
	// private appointment codes (Signer.ForStation); secret to the hub
	// and the station.
	IDHashKey []byte `json:"id_hash_key,omitempty"`
}

// Verifier checks codes for one station. Used is a question, not a state:
// whether an appointment was used is the station's durable knowledge.
type Verifier struct {
	Keys    []Key
	Station string
	Revoked func(codeID string) bool // nil: nothing revoked
	Used    func(codeID string) bool // nil: nothing used
}

// Check verifies text and returns the code it holds, or a *Refusal. The
// signature is checked before anything the payload says is believed.
func (v Verifier) Check(text string, now time.Time) (Code, error) {
	kind, signed, payload, sig, err := split(text)
	if err != nil {
		return Code{}, err
	}
	var head struct {
		Key string `json:"kid"`
	}
	if err := decodeLoose(payload, &head); err != nil {
		return Code{}, err
	}
	key, ok := v.key(head.Key)
	if !ok {
		return Code{}, refuse(UnknownKey, fmt.Sprintf("key %q is not in the reference data (%d keys known)", head.Key, len(v.Keys)))
	}
	if !ed25519.Verify(key.Ed25519, []byte(signed), sig) {
		return Code{}, refuse(Forged, fmt.Sprintf("signature does not match key %q", head.Key))
	}
	var c Code
	switch kind {
	case KindAppointment:
		c, err = v.appointment(payload, key, now)
	case KindStaff:
		c, err = v.staff(payload, now)
	}
	if err != nil {
		return Code{}, err
	}
	if v.Revoked != nil && v.Revoked(c.ID()) {
		return Code{}, refuse(Revoked, "code "+c.ID()+" is on the hub's revocation list")
	}
	return c, nil
}

func (v Verifier) key(id string) (Key, bool) {
	for _, k := range v.Keys {
		if k.ID == id && len(k.Ed25519) == ed25519.PublicKeySize {
			return k, true
		}
	}
	return Key{}, false
}

func (v Verifier) appointment(payload []byte, key Key, now time.Time) (Code, error) {
	var a Appointment
	if err := decode(payload, &a); err != nil {
		return Code{}, err
	}
	switch {
	case a.ID == "":
		return Code{}, refuse(Malformed, "appointment lacks its id")
	case a.Holder != nil && (a.Holder.Name == "" || a.Holder.IDHash == "" || a.Person != Person{}):
		return Code{}, refuse(Malformed, "appointment's holder lacks a name or ID hash, or comes with a person in clear")
	case a.Holder == nil && (a.Person.Name == "" || a.Person.IDNumber == ""):
		return Code{}, refuse(Malformed, "appointment lacks the person's name or ID number")
	}
	if a.Station != v.Station {
		return Code{}, refuse(WrongStation, fmt.Sprintf("issued for station %q, this is %q", a.Station, v.Station))
	}
	if a.Holder != nil {
		if len(key.IDHashKey) == 0 {
			return Code{}, refuse(UnknownKey, fmt.Sprintf("the reference data has no ID-hash key for key %q (the hub must serve it with gridhub serve --code-key)", key.ID))
		}
		a.idKey = key.IDHashKey
	}
	from, to, err := dayBounds(a.Date)
	if err != nil {
		return Code{}, refuse(Malformed, err.Error())
	}
	switch {
	case now.Before(from):
		return Code{}, refuse(NotYet, "appointment is for "+a.Date)
	case !now.Before(to):
		return Code{}, refuse(Expired, "appointment was for "+a.Date)
	}
	if v.Used != nil && v.Used(a.ID) {
		return Code{}, refuse(Used, "appointment "+a.ID+" already made a registration here")
	}
	return Code{Kind: KindAppointment, Appointment: &a}, nil
}

func (v Verifier) staff(payload []byte, now time.Time) (Code, error) {
	var s Staff
	if err := decode(payload, &s); err != nil {
		return Code{}, err
	}
	if s.ID == "" || s.StaffID == "" || s.Role == "" {
		return Code{}, refuse(Malformed, "staff code lacks its id, staff ID or role")
	}
	if s.Station != v.Station {
		return Code{}, refuse(WrongStation, fmt.Sprintf("issued for station %q, this is %q", s.Station, v.Station))
	}
	switch t := now.Unix(); {
	case t < s.NotBefore:
		return Code{}, refuse(NotYet, "valid from "+time.Unix(s.NotBefore, 0).In(chinaTime).Format(time.RFC3339))
	case t >= s.Expires:
		return Code{}, refuse(Expired, "expired "+time.Unix(s.Expires, 0).In(chinaTime).Format(time.RFC3339))
	}
	return Code{Kind: KindStaff, Staff: &s}, nil
}
