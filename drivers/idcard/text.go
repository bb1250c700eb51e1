package idcard

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/internal/codes/nation"
)

// markerOff is the byte offset of the card type marker in the text block.
const markerOff = 248

// padding is what a card fills the unused end of a field with; NULs are
// trimmed too because some readers send them.
const padding = " \x00"

// field names one item of the text block.
type field uint8

const (
	fName field = iota
	fNameEN
	fGender
	fNation
	fBirth
	fAddress
	fIDNumber
	fIssuer
	fValidFrom
	fValidTo
	fPassNumber
	fIssueCount
	fNationality
	fCardVersion
	fRenewalCount
	fPrevCardLink
	numFields
)

// fieldNames are the names errors use.
var fieldNames = [numFields]string{
	fName:         "name",
	fNameEN:       "English name",
	fGender:       "gender",
	fNation:       "nation",
	fBirth:        "birth",
	fAddress:      "address",
	fIDNumber:     "ID number",
	fIssuer:       "issuing authority",
	fValidFrom:    "valid from",
	fValidTo:      "valid to",
	fPassNumber:   "pass number",
	fIssueCount:   "issue count",
	fNationality:  "nationality",
	fCardVersion:  "card version",
	fRenewalCount: "renewal count",
	fPrevCardLink: "previous card link",
}

// span is where a field lies in the text block, in bytes. A field with two
// spans continues in the second: the 2023 foreign card's English name.
type span struct {
	f         field
	off, size int
}

// The layouts of GA 467 and its amendments for the residence permit (2018)
// and the two foreign permanent resident cards. Reserved bytes and the
// marker are not listed.
var (
	residentLayout = [...]span{
		{fName, 0, 30}, {fGender, 30, 2}, {fNation, 32, 4}, {fBirth, 36, 16},
		{fAddress, 52, 70}, {fIDNumber, 122, 36}, {fIssuer, 158, 30},
		{fValidFrom, 188, 16}, {fValidTo, 204, 16},
	}
	// The permit is the resident card with the nation left blank and the
	// pass number and issue count in what the resident card reserves.
	hmtLayout = [...]span{
		{fName, 0, 30}, {fGender, 30, 2}, {fBirth, 36, 16},
		{fAddress, 52, 70}, {fIDNumber, 122, 36}, {fIssuer, 158, 30},
		{fValidFrom, 188, 16}, {fValidTo, 204, 16},
		{fPassNumber, 220, 18}, {fIssueCount, 238, 4},
	}
	foreign2017Layout = [...]span{
		{fNameEN, 0, 120}, {fGender, 120, 2}, {fIDNumber, 122, 30},
		{fNationality, 152, 6}, {fName, 158, 30}, {fValidFrom, 188, 16},
		{fValidTo, 204, 16}, {fBirth, 220, 16}, {fCardVersion, 236, 4},
		{fIssuer, 240, 8},
	}
	foreign2023Layout = [...]span{
		{fName, 0, 30}, {fGender, 30, 2}, {fRenewalCount, 32, 4},
		{fBirth, 36, 16}, {fNameEN, 52, 70}, {fIDNumber, 122, 36},
		{fValidFrom, 188, 16}, {fValidTo, 204, 16}, {fNameEN, 220, 22},
		{fNationality, 242, 6}, {fPrevCardLink, 250, 6},
	}
)

func layout(t CardType) ([]span, bool) {
	switch t {
	case CardResident:
		return residentLayout[:], true
	case CardHMTPermit:
		return hmtLayout[:], true
	case CardForeign2017:
		return foreign2017Layout[:], true
	case CardForeign2023:
		return foreign2023Layout[:], true
	}
	return nil, false
}

// TextError is a field of a text block that cannot be decoded, or a field
// of a Card that cannot be encoded. Msg never holds an ID number or a name.
type TextError struct {
	Field string // "birth", "nation", ...
	Msg   string // what is wrong, following the field name
}

func (e *TextError) Error() string {
	return "idcard: text block: " + e.Field + " " + e.Msg
}

func fieldErr(f field, format string, args ...any) error {
	return &TextError{Field: fieldNames[f], Msg: fmt.Sprintf(format, args...)}
}

// DecodeText decodes the TextLen-byte text block of a card according to
// its type marker. Fields are UTF-16LE padded with spaces; dates become
// YYYY-MM-DD, gender and nation codes their names. A field that holds
// what its type cannot be, such as a date that is no date, is an error: the
// SAM verified the card, so a bad field means the reader garbled it.
func DecodeText(block []byte) (Card, error) {
	if len(block) != TextLen {
		return Card{}, fmt.Errorf("idcard: text block is %d bytes, want %d", len(block), TextLen)
	}
	var c Card
	switch m := binary.LittleEndian.Uint16(block[markerOff:]); m {
	case 0:
		// Seen from some readers in place of the resident card's space.
		c.Type = CardResident
	case uint16(CardResident), uint16(CardHMTPermit), uint16(CardForeign2017), uint16(CardForeign2023):
		c.Type = CardType(m)
	default:
		return Card{}, &TextError{Field: "type marker", Msg: fmt.Sprintf("%q (%U) is not a known card type", rune(m), rune(m))}
	}
	spans, _ := layout(c.Type)
	var done [numFields]bool
	for _, s := range spans {
		if done[s.f] {
			continue
		}
		done[s.f] = true
		v, err := decodeField(block, spans, s.f)
		if err != nil {
			return Card{}, err
		}
		if err := c.set(s.f, v); err != nil {
			return Card{}, err
		}
	}
	return c, nil
}

// decodeField decodes the spans of f, joined, and trims the padding.
func decodeField(block []byte, spans []span, f field) (string, error) {
	var b strings.Builder
	var hi rune // a high surrogate waiting for its pair, which may be in the next span
	for _, s := range spans {
		if s.f != f {
			continue
		}
		for i := s.off; i < s.off+s.size; i += 2 {
			r := rune(binary.LittleEndian.Uint16(block[i:]))
			switch {
			case hi != 0:
				r = utf16.DecodeRune(hi, r)
				hi = 0
				if r == utf8.RuneError {
					return "", fieldErr(f, "is not valid UTF-16")
				}
			case utf16.IsSurrogate(r):
				hi = r
				continue
			}
			b.WriteRune(r)
		}
	}
	if hi != 0 {
		return "", fieldErr(f, "is not valid UTF-16")
	}
	return strings.Trim(b.String(), padding), nil
}

// set stores the decoded wire value v of f in c.
func (c *Card) set(f field, v string) error {
	switch f {
	case fGender:
		g, ok := Gender(v)
		if !ok {
			return fieldErr(f, "code %q is not a GB/T 2261.1 code", v)
		}
		c.Gender = g
	case fNation:
		n, ok := nation.Name(v)
		if !ok {
			return fieldErr(f, "code %q is not a GB 3304 code", v)
		}
		c.NationCode, c.Nation = v, n
	case fBirth, fValidFrom, fValidTo:
		d, ok := fromWireDate(v)
		if f == fValidTo && v == LongTerm {
			d, ok = v, true
		}
		if !ok {
			return fieldErr(f, "%q is not a date", v)
		}
		*c.text(f) = d
	case fIssueCount, fRenewalCount:
		n := 0
		for _, r := range v {
			if r < '0' || r > '9' {
				return fieldErr(f, "%q is not a number", v)
			}
			n = n*10 + int(r-'0')
		}
		*c.count(f) = n
	default:
		*c.text(f) = v
	}
	return nil
}

// text returns the string field that holds f, nil for the counts. For the
// nation it is the code.
func (c *Card) text(f field) *string {
	switch f {
	case fName:
		return &c.Name
	case fNameEN:
		return &c.NameEN
	case fGender:
		return &c.Gender
	case fNation:
		return &c.NationCode
	case fBirth:
		return &c.Birth
	case fAddress:
		return &c.Address
	case fIDNumber:
		return &c.IDNumber
	case fIssuer:
		return &c.Issuer
	case fValidFrom:
		return &c.ValidFrom
	case fValidTo:
		return &c.ValidTo
	case fPassNumber:
		return &c.PassNumber
	case fNationality:
		return &c.Nationality
	case fCardVersion:
		return &c.CardVersion
	case fPrevCardLink:
		return &c.PrevCardLink
	}
	return nil
}

// count returns the integer field that holds f, nil for the others.
func (c *Card) count(f field) *int {
	switch f {
	case fIssueCount:
		return &c.IssueCount
	case fRenewalCount:
		return &c.RenewalCount
	}
	return nil
}

func (c *Card) isZero(f field) bool {
	if p := c.count(f); p != nil {
		return *p == 0
	}
	if f == fNation && c.Nation != "" {
		return false
	}
	return *c.text(f) == ""
}

// EncodeText is the inverse of DecodeText, for emulators and tests: it
// lays c out as its type's text block, padding fields with spaces. It
// fails on a field that does not fit its width, a value DecodeText would
// not return (a bad date or gender, a nation that does not match its code,
// padding around a value), and a field c's type does not carry.
func EncodeText(c Card) ([]byte, error) {
	spans, ok := layout(c.Type)
	if !ok {
		return nil, fmt.Errorf("idcard: text block: cannot encode card type %v", c.Type)
	}
	var carried [numFields]bool
	for _, s := range spans {
		carried[s.f] = true
	}
	for f := range numFields {
		if !carried[f] && !c.isZero(f) {
			return nil, fieldErr(f, "is not carried on a %s card", c.Type)
		}
	}
	block := make([]byte, TextLen)
	for i := 0; i < TextLen; i += 2 {
		block[i] = ' '
	}
	block[markerOff] = byte(c.Type)
	for f := range numFields {
		if !carried[f] {
			continue
		}
		v, err := c.wire(f, capacity(spans, f))
		if err != nil {
			return nil, err
		}
		if err := encodeField(block, spans, f, v); err != nil {
			return nil, err
		}
	}
	return block, nil
}

// capacity is how many UTF-16 units the spans of f hold.
func capacity(spans []span, f field) int {
	n := 0
	for _, s := range spans {
		if s.f == f {
			n += s.size / 2
		}
	}
	return n
}

// wire returns the text block form of f, which has room for units UTF-16
// units.
func (c *Card) wire(f field, units int) (string, error) {
	if p := c.count(f); p != nil {
		s := fmt.Sprintf("%0*d", units, *p)
		if *p < 0 || len(s) > units {
			return "", fieldErr(f, "%d does not fit in %d digits", *p, units)
		}
		return s, nil
	}
	v := *c.text(f)
	switch f {
	case fGender:
		switch v {
		case "male":
			return "1", nil
		case "female":
			return "2", nil
		case "unknown":
			return "0", nil
		}
		return "", fieldErr(f, "%q is not male, female or unknown", v)
	case fNation:
		if n, ok := nation.Name(v); !ok || n != c.Nation {
			return "", fieldErr(f, "code %q and name %q do not match GB 3304", v, c.Nation)
		}
	case fBirth, fValidFrom, fValidTo:
		if f == fValidTo && v == LongTerm {
			return v, nil
		}
		d, ok := toWireDate(v)
		if !ok {
			return "", fieldErr(f, "%q is not a YYYY-MM-DD date", v)
		}
		return d, nil
	}
	if !utf8.ValidString(v) {
		return "", fieldErr(f, "is not valid UTF-8")
	}
	if strings.Trim(v, padding) != v {
		return "", fieldErr(f, "has leading or trailing spaces or NULs")
	}
	return v, nil
}

// encodeField writes v over the spans of f, continuing from one span into
// the next.
func encodeField(block []byte, spans []span, f field, v string) error {
	u := utf16.Encode([]rune(v))
	if n := capacity(spans, f); len(u) > n {
		return fieldErr(f, "needs %d UTF-16 units, the card has room for %d", len(u), n)
	}
	for _, s := range spans {
		if s.f != f {
			continue
		}
		for i := s.off; i < s.off+s.size && len(u) > 0; i += 2 {
			binary.LittleEndian.PutUint16(block[i:], u[0])
			u = u[1:]
		}
	}
	return nil
}

// fromWireDate turns a card's YYYYMMDD into YYYY-MM-DD if it is a date.
func fromWireDate(s string) (string, bool) {
	if len(s) != 8 || !validDate(s[0:4], s[4:6], s[6:8]) {
		return "", false
	}
	return s[0:4] + "-" + s[4:6] + "-" + s[6:8], true
}

// toWireDate turns YYYY-MM-DD into the card's YYYYMMDD if it is a date.
func toWireDate(s string) (string, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !validDate(s[0:4], s[5:7], s[8:10]) {
		return "", false
	}
	return s[0:4] + s[5:7] + s[8:10], true
}

// validDate reports whether the digit strings y, m and d make a date of the
// Gregorian calendar.
func validDate(y, m, d string) bool {
	for _, s := range [...]string{y, m, d} {
		for i := range len(s) {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
	}
	year, _ := strconv.Atoi(y)
	month, _ := strconv.Atoi(m)
	day, _ := strconv.Atoi(d)
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		days = 29
	}
	return day <= days
}
