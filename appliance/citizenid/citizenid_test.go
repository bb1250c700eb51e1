package citizenid

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// withCheck appends the check character to first17, computed the long way
// from the standard's definition (weights 2^(17-i) mod 11, and the whole
// weighted sum including the check value must be 1 mod 11) so that the
// tests do not share the package's tables.
func withCheck(first17 string) string {
	sum := 0
	for i := 0; i < 17; i++ {
		w := 1
		for j := 0; j < 17-i; j++ {
			w = w * 2 % 11
		}
		sum += int(first17[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return first17 + "X"
	}
	return first17 + strconv.Itoa(c)
}

// wrongCheck returns id with a check character that does not match.
func wrongCheck(id string) string {
	if id[17] == '0' {
		return id[:17] + "1"
	}
	return id[:17] + "0"
}

// fullWidth rewrites ASCII digits and X as their full-width forms.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' || r == 'X' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

func TestWithCheck(t *testing.T) {
	// The standard's own example keeps the test helper honest.
	if got := withCheck("11010519491231002"); got != "11010519491231002X" {
		t.Fatalf("withCheck = %s, want 11010519491231002X", got)
	}
}

func TestParse(t *testing.T) {
	xiangning := withCheck("14102919850315123")
	tests := []struct {
		name     string
		in       string
		id       string
		kind     Kind
		division string
		birth    string
		seq      int
		gender   Gender
	}{
		{"standard example", "11010519491231002X", "11010519491231002X", Resident, "110105", "1949-12-31", 2, Female},
		{"lower-case x", "11010519491231002x", "11010519491231002X", Resident, "110105", "1949-12-31", 2, Female},
		{"full-width", "\u3000" + fullWidth("11010519491231002X") + " ", "11010519491231002X", Resident, "110105", "1949-12-31", 2, Female},
		{"full-width lower x", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", Resident, "110105", "1949-12-31", 2, Female},
		{"xiangning male", xiangning, xiangning, Resident, "141029", "1985-03-15", 123, Male},
		{"grouped", xiangning[:6] + " " + xiangning[6:14] + "\t" + xiangning[14:], xiangning, Resident, "141029", "1985-03-15", 123, Male},
		{"leap day", withCheck("14102920000229046"), withCheck("14102920000229046"), Resident, "141029", "2000-02-29", 46, Female},
		{"earliest year", withCheck("14102918500101001"), withCheck("14102918500101001"), Resident, "141029", "1850-01-01", 1, Male},
		{"recent", withCheck("14102920231231888"), withCheck("14102920231231888"), Resident, "141029", "2023-12-31", 888, Female},
		{"sequence zero", withCheck("14102919700101000"), withCheck("14102919700101000"), Resident, "141029", "1970-01-01", 0, Female},
		{"taiwan province", withCheck("71000019800101005"), withCheck("71000019800101005"), Resident, "710000", "1980-01-01", 5, Male},
		{"hong kong permit", withCheck("81000019900101003"), withCheck("81000019900101003"), HMTPermit, "810000", "1990-01-01", 3, Male},
		{"macao permit", withCheck("82000019900101004"), withCheck("82000019900101004"), HMTPermit, "820000", "1990-01-01", 4, Female},
		{"taiwan permit", withCheck("83000019900101007"), withCheck("83000019900101007"), HMTPermit, "830000", "1990-01-01", 7, Male},
		{"foreigner", withCheck("91484019800101005"), withCheck("91484019800101005"), Foreigner, "914840", "1980-01-01", 5, Male},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			birth, _ := time.Parse(time.DateOnly, tt.birth)
			want := Number{ID: tt.id, Kind: tt.kind, Division: tt.division, Birth: birth, Sequence: tt.seq, Gender: tt.gender}
			if n != want {
				t.Errorf("Parse = %#v\nwant %#v", n, want)
			}
			if err := Validate(tt.in); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

// invalid lists numbers that must be rejected. Each has a valid check
// character unless the check is what is being tested, so that it fails for
// the stated reason only.
var invalid = []struct {
	name   string
	in     string
	reason Reason
	msg    string
}{
	{"empty", "", BadLength, "length is 0, want 18"},
	{"only spaces", " \u3000 ", BadLength, "length is 0, want 18"},
	{"17", "11010519491231002", BadLength, "length is 17, want 18"},
	{"19", "11010519491231002X0", BadLength, "length is 19, want 18"},
	{"old 15-digit", "141029850315123", BadLength, "length is 15, want 18"},
	{"hyphens", "141029-19850315-123X", BadLength, "length is 20, want 18"},
	{"letter", "141029A98503151230", BadCharacter, `character 7 is "A", want a digit`},
	{"X inside", "14102919850315X231", BadCharacter, `character 15 is "X", want a digit`},
	{"bad last", "14102919850315123Y", BadCharacter, `character 18 is "Y", want a digit or X`},
	{"full-width letter", "Ａ10105194912310021", BadCharacter, `character 1 is "Ａ", want a digit`},
	{"not UTF-8", "\xff10105194912310021", BadCharacter, "character 1 is byte 0xFF, want a digit"},
	{"control", "1101051949123100\x002", BadCharacter, `character 17 is "\x00", want a digit`},
	{"province 00", withCheck("00010519491231002"), BadDivision, "division code starts with 00, not a province"},
	{"province 16", withCheck("16102919850315123"), BadDivision, "division code starts with 16, not a province"},
	{"province 72", withCheck("72000019850315123"), BadDivision, "division code starts with 72, not a province"},
	{"province 84", withCheck("84000019850315123"), BadDivision, "division code starts with 84, not a province"},
	{"permit county", withCheck("81010119850315123"), BadDivision, "division code starts with 81, a residence permit's, but characters 3 to 6 are not four zeros"},
	{"foreigner 99", withCheck("99984019800101005"), BadDivision, "foreign permanent resident number has province 99, not a province"},
	{"foreigner 81", withCheck("98100019800101005"), BadDivision, "foreign permanent resident number has province 81, not a province"},
	{"month 13", withCheck("11010519491331002"), BadBirth, "birth date (characters 7 to 14) is not a calendar date"},
	{"month 0", withCheck("14102919850015123"), BadBirth, "birth date (characters 7 to 14) is not a calendar date"},
	{"day 0", withCheck("14102919850100123"), BadBirth, "birth date (characters 7 to 14) is not a calendar date"},
	{"30 February", withCheck("14102920230230123"), BadBirth, "birth date (characters 7 to 14) is not a calendar date"},
	{"29 February 1900", withCheck("14102919000229123"), BadBirth, "birth date (characters 7 to 14) is not a calendar date"},
	{"31 April", withCheck("14102919850431123"), BadBirth, "birth date (characters 7 to 14) is not a calendar date"},
	{"1849", withCheck("14102918491231123"), BadBirth, "birth year (characters 7 to 10) is before 1850"},
	{"year 0", withCheck("14102900000101123"), BadBirth, "birth year (characters 7 to 10) is before 1850"},
	{"check X want 1", "110105194912310021", BadCheck, "check character is 1, want X"},
	{"check lower x", wrongCheck(withCheck("14102919850315122"))[:17] + "x", BadCheck, ""},
	{"check full-width", fullWidth(wrongCheck(withCheck("14102919850315123"))), BadCheck, ""},
	{"check permit", wrongCheck(withCheck("81000019900101003")), BadCheck, ""},
	{"check foreigner", wrongCheck(withCheck("91484019800101005")), BadCheck, ""},
	{"swapped digits", "11010591491231002X", BadCheck, ""},
}

func TestParseInvalid(t *testing.T) {
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", n)
			}
			if n != (Number{}) {
				t.Errorf("Parse returned %+v with the error, want the zero Number", n)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if e.Reason != tt.reason {
				t.Errorf("Reason = %v, want %v (%v)", e.Reason, tt.reason, err)
			}
			if tt.msg != "" && e.Msg != tt.msg {
				t.Errorf("Msg = %q, want %q", e.Msg, tt.msg)
			}
			if got, want := err.Error(), "citizen ID: "+e.Msg; got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
			if verr := Validate(tt.in); verr == nil || verr.Error() != err.Error() {
				t.Errorf("Validate = %v, want %v", verr, err)
			}
			wrapped := fmt.Errorf("form: %w", err)
			if !errors.As(wrapped, &e) || e.Reason != tt.reason {
				t.Errorf("errors.As through a wrap lost the Reason")
			}
		})
	}
}

// leaks reports whether msg contains any 4 consecutive characters of id.
// Messages may cite a character, the two province digits or the check
// character, but no part of the birth date. The two numbers a message may
// carry that are not the input's (its length, the earliest birth year)
// are left out of the comparison.
var lengthRE = regexp.MustCompile(`length is [0-9]+`)

func leaks(msg, id string) bool {
	msg = lengthRE.ReplaceAllString(msg, "length is N")
	msg = strings.ReplaceAll(msg, strconv.Itoa(minYear), "MIN")
	r := []rune(id)
	for i := 0; i+4 <= len(r); i++ {
		if strings.Contains(msg, string(r[i:i+4])) {
			return true
		}
	}
	return false
}

func TestErrorsDoNotLeakNumber(t *testing.T) {
	check := func(in string) {
		t.Helper()
		err := Validate(in)
		if err == nil {
			return
		}
		if leaks(err.Error(), Normalize(in)) || leaks(err.Error(), in) {
			t.Errorf("error for %s reveals the number: %v", Mask(in), err)
		}
	}
	for _, tt := range invalid {
		check(tt.in)
	}
	// Every single-character change of a valid number, and every length
	// error around it.
	valid := []string{"11010519491231002X", withCheck("14102919850315123"), withCheck("91484019800101005")}
	for _, id := range valid {
		for i := range id {
			for _, c := range "0123456789XA " {
				check(id[:i] + string(c) + id[i+1:])
			}
			check(id[:i] + id[i+1:])
			check(id[:i] + "7" + id[i:])
		}
	}
}

func TestCheckChar(t *testing.T) {
	tests := []struct {
		in     string
		want   byte
		reason Reason
	}{
		{"11010519491231002", 'X', 0},
		{"14102919850315123", withCheck("14102919850315123")[17], 0},
		{"00000000000000000", '1', 0},
		{"1101051949123100", 0, BadLength},
		{"11010519491231002X", 0, BadLength},
		{"1101051949123100X", 0, BadCharacter},
		{"１１０１０５１９４９１２３１００２", 0, BadCharacter}, // not normalised
	}
	for _, tt := range tests {
		got, err := CheckChar(tt.in)
		if tt.reason == 0 {
			if err != nil || got != tt.want {
				t.Errorf("CheckChar(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Reason != tt.reason {
			t.Errorf("CheckChar(%q) error = %v, want Reason %v", tt.in, err, tt.reason)
		}
	}
	// Every first17 from a run of sequences agrees with the long way.
	for seq := range 1000 {
		first := fmt.Sprintf("14102919850315%03d", seq)
		got, err := CheckChar(first)
		if want := withCheck(first)[17]; err != nil || got != want {
			t.Fatalf("CheckChar(%s) = %q, %v; want %q", first, got, err, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"11010519491231002X", "11010519491231002X"},
		{" 11010519491231002x\n", "11010519491231002X"},
		{"\u3000１１０１０５ １９４９１２３１ ００２Ｘ\u3000", "11010519491231002X"},
		{"ｘ", "X"},
		{"abc", "abc"},
		{"\xff1", "\xff1"},
		{"Ａ", "Ａ"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAge(t *testing.T) {
	leap, err := Parse(withCheck("14102920000229046"))
	if err != nil {
		t.Fatal(err)
	}
	beijing := time.FixedZone("CST", 8*3600)
	tests := []struct {
		at   time.Time
		want int
	}{
		{time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), -1},
		{time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), 0},
		{time.Date(2001, 2, 28, 23, 59, 0, 0, time.UTC), 0},
		{time.Date(2001, 3, 1, 0, 0, 0, 0, time.UTC), 1},
		{time.Date(2018, 2, 28, 0, 0, 0, 0, time.UTC), 17},
		{time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC), 18},
		{time.Date(2020, 2, 28, 0, 0, 0, 0, time.UTC), 19},
		{time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC), 20},
		// 20:00 UTC on 28 February is already 1 March in Beijing.
		{time.Date(2018, 2, 28, 20, 0, 0, 0, time.UTC).In(beijing), 18},
	}
	for _, tt := range tests {
		if got := leap.Age(tt.at); got != tt.want {
			t.Errorf("Age(%v) = %d, want %d", tt.at, got, tt.want)
		}
	}
}

func TestStrings(t *testing.T) {
	tests := []struct {
		got  fmt.Stringer
		want string
	}{
		{Resident, "resident"},
		{HMTPermit, "hmt-permit"},
		{Foreigner, "foreigner"},
		{Kind(7), "Kind(7)"},
		{Female, "female"},
		{Male, "male"},
		{Gender(-1), "Gender(-1)"},
		{BadLength, "bad length"},
		{BadCheck, "bad check character"},
		{Reason(0), "Reason(0)"},
	}
	for _, tt := range tests {
		if s := tt.got.String(); s != tt.want {
			t.Errorf("String() = %q, want %q", s, tt.want)
		}
	}
}

func TestNumberPrintsMasked(t *testing.T) {
	n, err := Parse("11010519491231002X")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(n), fmt.Sprintf("%v %+v %s", n, n, n), n.String()} {
		if strings.Contains(s, n.ID) {
			t.Errorf("formatted Number reveals the ID: %s", s)
		}
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		slog.New(h).Info("visit", "who", n)
	}
	if strings.Contains(buf.String(), n.ID) || !strings.Contains(buf.String(), "1101**********002X") {
		t.Errorf("log output reveals the ID or lacks the masked one:\n%s", &buf)
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("11010519491231002X"); err != nil {
			b.Fatal(err)
		}
	}
}
