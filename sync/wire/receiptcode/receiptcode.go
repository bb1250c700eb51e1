// Package receiptcode is what a receipt's QR code says, in both its
// forms: the link a phone opens, <hub public url>/r/<record id>?k=<key>,
// and the older GK1:R:<record id>, which only a station's scanner reads.
// It makes and checks the link's key, builds both forms and parses them.
//
// The key is what keeps a record's public status page from being found
// by anyone who does not hold the receipt: record IDs are UUIDv7, whose
// first 48 bits are the time, so an ID alone is far from secret. The
// station draws a key for each record when it makes the record, sends
// it with the record (wire.Record.LinkKey) and prints it offline; the
// hub keeps it sealed with the record and compares. See PROTOCOL.md.
//
// Like its parent sync/wire, the package imports only the standard
// library, so the hub and the station share it.
package receiptcode

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Prefix starts the older form of a receipt code; the rest is the record ID.
const Prefix = "GK1:R:"

// keyBytes is the key's entropy: 128 bits, beyond guessing at any rate a
// hub answers, and 22 characters in the QR code.
const keyBytes = 16

// KeyLen is the length of a key as text (base64url, no padding).
const KeyLen = 22

// NewKey returns a new random key for a record's link.
func NewKey() string {
	b := make([]byte, keyBytes)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidKey reports whether k has the form NewKey makes.
func ValidKey(k string) bool {
	if len(k) != KeyLen {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(k)
	return err == nil && len(b) == keyBytes
}

// ValidID reports whether id is a UUID in the 8-4-4-4-12 hex form, in
// either case; the hub keys records by the lower-case form.
func ValidID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// ParseBase checks a hub's public URL, the base of its links: an absolute
// http or https URL with a host, and no user, query or fragment (a link
// appends its own path and query). A path is allowed, for a hub behind a
// county portal (https://portal.example/gridhub); its trailing slash is
// dropped. The error says what is wrong, for the technician who typed it.
func ParseBase(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("empty; give the hub's address as phones reach it, e.g. https://hub.example.gov.cn")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", s, err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("%q: the scheme must be https (or http), not %q", s, u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("%q has no host name", s)
	case u.User != nil:
		return nil, fmt.Errorf("%q: a public URL carries no user or password", s)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("%q: a public URL has no query (?...)", s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return nil, fmt.Errorf("%q: a public URL has no fragment (#...)", s)
	case u.Opaque != "":
		return nil, fmt.Errorf("%q is not an absolute URL (scheme://host)", s)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Link returns the link to a record's status page at the hub whose
// public URL is base (as ParseBase took it).
func Link(base *url.URL, id, key string) (string, error) {
	if !ValidID(id) {
		return "", fmt.Errorf("receiptcode: record ID %q is not a UUID", id)
	}
	if !ValidKey(key) {
		return "", errors.New("receiptcode: the key is not one NewKey made")
	}
	return base.String() + "/r/" + strings.ToLower(id) + "?k=" + key, nil
}

// Old returns the older form of a receipt code for the record id.
func Old(id string) string { return Prefix + id }

// Code is what a receipt code says.
type Code struct {
	ID string
	// Key is the link's key; empty for the older form.
	Key string
	// Link says the code was a link rather than GK1:R:.
	Link bool
}

// ErrNotReceipt is wrapped by Parse's error for text that is not a
// receipt code at all (another kind of code, any other URL); ErrOtherHub
// for a link of the right shape at another address than base.
var (
	ErrNotReceipt = errors.New("not a receipt code")
	ErrOtherHub   = errors.New("a receipt link of another hub")
)

// Parse reads a receipt code in either form. A link is taken only when
// it starts with base, the public URL of the station's own hub: the
// scheme, host (any case) and path must match, so a code from another
// county's hub, or a look-alike address, is never read as one of ours.
// With base nil (the station knows no public URL of its hub) no link is
// taken: such a station never printed one. The older form needs no base.
func Parse(text string, base *url.URL) (Code, error) {
	c, at, err := ParseAny(text)
	if err != nil || !c.Link {
		return c, err
	}
	if base == nil || at.Scheme != base.Scheme || at.Host != base.Host || at.EscapedPath() != base.EscapedPath() {
		return Code{}, fmt.Errorf("receiptcode: %w (%s)", ErrOtherHub, at.Host)
	}
	return c, nil
}

// ParseAny reads a receipt code in either form, a link at any address;
// for a link it returns the base the link hangs off, as ParseBase gives
// it. It is for tools that look at codes (gridkiosk probe qr), not for
// deciding that a link is ours: see Parse.
func ParseAny(text string) (Code, *url.URL, error) {
	text = strings.TrimSpace(text)
	if id, ok := strings.CutPrefix(text, Prefix); ok {
		if !ValidID(id) {
			return Code{}, nil, fmt.Errorf("receiptcode: %w: the record ID after %s is not a UUID", ErrNotReceipt, Prefix)
		}
		return Code{ID: id}, nil, nil
	}
	lower := strings.ToLower(text)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return Code{}, nil, fmt.Errorf("receiptcode: %w", ErrNotReceipt)
	}
	u, err := url.Parse(text)
	if err != nil || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return Code{}, nil, fmt.Errorf("receiptcode: %w", ErrNotReceipt)
	}
	prefix, id, ok := cutLast(u.EscapedPath(), "/r/")
	q, qerr := url.ParseQuery(u.RawQuery)
	if !ok || !ValidID(id) || qerr != nil || len(q) != 1 || len(q["k"]) != 1 || !ValidKey(q["k"][0]) {
		return Code{}, nil, fmt.Errorf("receiptcode: %w", ErrNotReceipt)
	}
	at, err := ParseBase(u.Scheme + "://" + u.Host + prefix)
	if err != nil {
		return Code{}, nil, fmt.Errorf("receiptcode: %w", ErrNotReceipt)
	}
	return Code{ID: id, Key: q["k"][0], Link: true}, at, nil
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// Ticket is the number a record's ticket and receipt show, and its status
// page: the kind's letter and the last four digits of the station's
// sequence number (R0042 for registration 42).
func Ticket(kind string, seq uint64) string {
	letter := map[string]string{"registration": "R", "matter": "M", "receipt": "C", "volunteer": "V"}[kind]
	if letter == "" {
		letter = "X"
	}
	return fmt.Sprintf("%s%04d", letter, seq%10000)
}
