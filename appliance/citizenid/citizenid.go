// Package citizenid checks and takes apart citizen identity numbers of
// GB 11643-1999 as a kiosk meets them: typed on a touch keyboard, read from
// a card reader or scanned, and then to be kept out of logs and screens.
//
// A number has 18 characters: a 6-digit division code (GB/T 2260), the birth
// date as YYYYMMDD, a 3-digit sequence whose parity gives the gender (odd for
// men), and a check character computed over the first 17 (ISO 7064 MOD 11-2).
// The same layout is used by residence permits for people from Hong Kong,
// Macao and Taiwan, whose division codes are 810000, 820000 and 830000, and
// by the 2023 foreign permanent resident ID card, whose numbers start with 9.
//
// Parse accepts what people actually enter (full-width digits, a lower-case
// x, spaces between groups) and reports the first thing that is wrong as an
// *Error whose Reason callers can switch on. Errors never contain the whole
// number, and a Number prints masked; Mask and MaskName shorten numbers and
// names for display.
//
// Division codes are checked only down to the province. Counties are merged
// and renumbered, while a number keeps the code of the county that issued
// it, so checking against a current GB/T 2260 table would reject valid
// numbers of people born before the change.
package citizenid

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Length is the number of characters in a citizen ID number.
const Length = 18

// minYear is the earliest accepted birth year. Nobody alive was born before
// it, so an earlier year is a typing error.
const minYear = 1850

// Kind tells which document family a number belongs to.
type Kind int

const (
	Resident  Kind = iota // resident identity card (居民身份证)
	HMTPermit             // residence permit for Hong Kong, Macao and Taiwan residents
	Foreigner             // foreign permanent resident ID card, 2023 edition
)

var kindNames = [...]string{
	Resident:  "resident",
	HMTPermit: "hmt-permit",
	Foreigner: "foreigner",
}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Gender is the gender recorded in a number's sequence digits.
type Gender int

// The values are the parity of the sequence, so Gender(seq%2) is correct.
const (
	Female Gender = iota // even sequence
	Male                 // odd sequence
)

func (g Gender) String() string {
	switch g {
	case Female:
		return "female"
	case Male:
		return "male"
	}
	return "Gender(" + strconv.Itoa(int(g)) + ")"
}

// Number is a parsed citizen ID number.
//
// Number's String and LogValue methods mask the ID, so a Number that ends up
// in a log line or a formatted message does not leak it. Use the ID field
// where the full number is really needed.
type Number struct {
	ID   string // normalised: ASCII digits and upper-case X, no spaces
	Kind Kind
	// Division is the first six characters. For a Foreigner it is the 9,
	// the province that issued the card and a 3-digit nationality code,
	// not a GB/T 2260 code.
	Division string
	Birth    time.Time // UTC midnight of the birth date
	Sequence int       // characters 15-17; odd for men, even for women
	Gender   Gender
}

// String returns the masked ID.
func (n Number) String() string { return Mask(n.ID) }

// LogValue returns the masked ID, also for handlers such as
// slog.JSONHandler that would otherwise print the struct's fields.
func (n Number) LogValue() slog.Value { return slog.StringValue(Mask(n.ID)) }

// Age returns the number of whole years the holder has lived at the
// calendar date of at in at's location, so pass a time in the kiosk's zone.
// The age goes up on the birthday; for people born on 29 February it goes
// up on 1 March in common years. Age is negative if at is before the birth
// date.
func (n Number) Age(at time.Time) int {
	y, m, d := at.Date()
	by, bm, bd := n.Birth.Date()
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age--
	}
	return age
}

// Reason classifies what is wrong with a number.
type Reason int

// The zero Reason is not used, so an *Error built by hand without one
// stands out.
const (
	BadLength    Reason = iota + 1 // not 18 characters
	BadCharacter                   // not a digit, or X anywhere but last
	BadDivision                    // no such province, or a malformed permit prefix
	BadBirth                       // not a calendar date, or before 1850
	BadCheck                       // check character does not match
)

var reasonNames = [...]string{
	BadLength:    "bad length",
	BadCharacter: "bad character",
	BadDivision:  "bad division",
	BadBirth:     "bad birth date",
	BadCheck:     "bad check character",
}

func (r Reason) String() string {
	if r > 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// Error reports why a number was rejected. Msg cites at most a position, a
// character, the province digits or the check character, never the birth
// date or the whole number,
// so an Error may be logged and shown as it is. Use errors.As to get at the
// Reason.
type Error struct {
	Reason Reason
	Msg    string
}

func (e *Error) Error() string { return "citizen ID: " + e.Msg }

func errorf(r Reason, format string, args ...any) error {
	return &Error{Reason: r, Msg: fmt.Sprintf(format, args...)}
}

// Normalize turns what people enter into the canonical form: it removes
// white space anywhere (including U+3000 IDEOGRAPHIC SPACE), since numbers
// are often written in groups like "110105 19491231 002X", and maps
// full-width digits and a lower-case or full-width x to ASCII. Everything
// else is left alone for Parse to point at.
func Normalize(s string) string {
	if isNormal(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteByte(s[i]) // keep the byte so Parse can report it
		case unicode.IsSpace(r):
		case r == 'x' || r == 'ｘ' || r == 'Ｘ':
			b.WriteByte('X')
		case '０' <= r && r <= '９':
			b.WriteByte(byte('0' + r - '０'))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isNormal reports whether Normalize would return s unchanged, so that the
// common case does not allocate.
func isNormal(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 'x' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// weights[i] is 2^(17-i) mod 11, the weight of character i+1.
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkTable maps the weighted sum mod 11 to the check character.
const checkTable = "10X98765432"

// CheckChar returns the check character ('0'-'9' or 'X') for the first 17
// characters of a number, which must be ASCII digits. It does not
// normalise its argument.
func CheckChar(first17 string) (byte, error) {
	if err := scan(first17, Length-1); err != nil {
		return 0, err
	}
	return checkChar(first17), nil
}

// checkChar assumes s starts with 17 ASCII digits.
func checkChar(s string) byte {
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return checkTable[sum%11]
}

// Parse normalises s and checks length, characters, division, birth date and
// check character, in that order, reporting the first failure as an *Error.
// Parse does not know the current date: callers must reject birth dates in
// the future themselves.
func Parse(s string) (Number, error) {
	id := Normalize(s)
	if err := scan(id, Length); err != nil {
		return Number{}, err
	}
	kind, err := kindOf(id)
	if err != nil {
		return Number{}, err
	}
	birth, err := birthDate(id[6:14])
	if err != nil {
		return Number{}, err
	}
	if got, want := id[17], checkChar(id); got != want {
		return Number{}, errorf(BadCheck, "check character is %c, want %c", got, want)
	}
	seq := int(id[14]-'0')*100 + int(id[15]-'0')*10 + int(id[16]-'0')
	return Number{
		ID:       id,
		Kind:     kind,
		Division: id[:6],
		Birth:    birth,
		Sequence: seq,
		Gender:   Gender(seq % 2),
	}, nil
}

// Validate reports whether s is a valid number, with the same errors as
// Parse.
func Validate(s string) error {
	_, err := Parse(s)
	return err
}

// scan checks that s has n characters, all ASCII digits except that the
// 18th may be X. Afterwards s has n bytes and may be indexed freely.
func scan(s string, n int) error {
	if got := utf8.RuneCountInString(s); got != n {
		return errorf(BadLength, "length is %d, want %d", got, n)
	}
	pos := 0
	for i, r := range s {
		pos++
		if '0' <= r && r <= '9' || pos == Length && r == 'X' {
			continue
		}
		want := "a digit"
		if pos == Length {
			want = "a digit or X"
		}
		return errorf(BadCharacter, "character %d is %s, want %s", pos, quoteChar(s[i:]), want)
	}
	return nil
}

// quoteChar quotes the first character of s for an error message, naming
// the byte if it is not UTF-8, which strconv.Quote would hide behind U+FFFD.
func quoteChar(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 {
		return fmt.Sprintf("byte 0x%02X", s[0])
	}
	return strconv.Quote(string(r))
}

// provinces marks the province-level codes of GB/T 2260 that resident
// numbers, and the second and third characters of foreigner numbers, may
// carry. Hong Kong, Macao and Taiwan permits (81-83) are handled apart.
var provinces = [100]bool{
	11: true, 12: true, 13: true, 14: true, 15: true,
	21: true, 22: true, 23: true,
	31: true, 32: true, 33: true, 34: true, 35: true, 36: true, 37: true,
	41: true, 42: true, 43: true, 44: true, 45: true, 46: true,
	50: true, 51: true, 52: true, 53: true, 54: true,
	61: true, 62: true, 63: true, 64: true, 65: true,
	71: true,
}

// kindOf tells the document family from the first six characters and checks
// that they fit it. id must have passed scan.
func kindOf(id string) (Kind, error) {
	switch {
	case id[0] == '9':
		if !provinces[atoi(id[1:3])] {
			return 0, errorf(BadDivision,
				"foreign permanent resident number has province %s, not a province", id[1:3])
		}
		return Foreigner, nil
	case id[0] == '8' && '1' <= id[1] && id[1] <= '3':
		if id[2:6] != "0000" {
			return 0, errorf(BadDivision, "division code starts with %s, a residence permit's, but characters 3 to 6 are not four zeros", id[:2])
		}
		return HMTPermit, nil
	case !provinces[atoi(id[:2])]:
		return 0, errorf(BadDivision, "division code starts with %s, not a province", id[:2])
	}
	return Resident, nil
}

// birthDate parses YYYYMMDD, which must be 8 ASCII digits.
func birthDate(ymd string) (time.Time, error) {
	y, m, d := atoi(ymd[:4]), atoi(ymd[4:6]), atoi(ymd[6:])
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 31 April to 1 May and month 13 to January, so
	// a date that does not come back unchanged does not exist.
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		// The digits are not echoed: a date one digit off is still
		// nearly the holder's birth date.
		return time.Time{}, errorf(BadBirth, "birth date (characters 7 to 14) is not a calendar date")
	}
	if y < minYear {
		return time.Time{}, errorf(BadBirth, "birth year (characters 7 to 10) is before %d", minYear)
	}
	return t, nil
}

// atoi converts a short run of ASCII digits, which the caller has checked.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
