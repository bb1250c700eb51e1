package idcardsim

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/drivers/idcard"
)

// checkChar computes the GB 11643 check character of the first 17
// characters of id, written out again here so that the fixtures are not
// checked against themselves.
func checkChar(id string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(id[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

func TestCheckChar(t *testing.T) {
	// The example of GB 11643-1999 itself.
	if c := checkChar("11010519491231002X"); c != 'X' {
		t.Fatalf("checkChar of the standard's example = %c", c)
	}
}

func TestFixtures(t *testing.T) {
	want := []string{"resident", "resident-hui", "hmt", "foreign2017", "foreign2023"}
	var keys []string
	photos := map[string]bool{}
	for _, f := range Cards() {
		keys = append(keys, f.Key)
		c := f.Card
		if len(c.Photo) != idcard.PhotoLen || !bytes.HasPrefix(c.Photo, []byte("WLT")) || photos[string(c.Photo)] {
			t.Errorf("%s: photo of %d bytes, %q…, duplicate %v", f.Key, len(c.Photo), c.Photo[:3], photos[string(c.Photo)])
		}
		photos[string(c.Photo)] = true
		if bytes.Contains(c.Photo, []byte{0xAA}) {
			t.Errorf("%s: photo holds 0xAA", f.Key)
		}
		if c.Fingerprint != nil {
			t.Errorf("%s: has a fingerprint", f.Key)
		}
		block, err := idcard.EncodeText(c)
		if err != nil {
			t.Errorf("%s: EncodeText: %v", f.Key, err)
			continue
		}
		got, err := idcard.DecodeText(block)
		c.Photo = nil
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Errorf("%s: round trip %v\n got %+v\nwant %+v", f.Key, err, got, c)
		}
		got2, ok := Card(f.Key)
		if !ok || got2.Name != c.Name || !bytes.Equal(got2.Photo, f.Card.Photo) {
			t.Errorf("Card(%q) = %v, %v", f.Key, got2.Name, ok)
		}
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	if _, ok := Card("nobody"); ok {
		t.Error(`Card("nobody") found`)
	}
}

// TestIDNumbers checks that each 18-character number agrees with its card:
// check character, birth date, gender parity and the place it names.
func TestIDNumbers(t *testing.T) {
	tests := []struct {
		key, prefix string
	}{
		{"resident", "141029"},
		{"resident-hui", "141029"},
		{"hmt", "830000"},
		{"foreign2023", "914"},
	}
	for _, tc := range tests {
		c, _ := Card(tc.key)
		id := c.IDNumber
		if len(id) != 18 || !strings.HasPrefix(id, tc.prefix) {
			t.Errorf("%s: %d characters, want 18 starting %s", tc.key, len(id), tc.prefix)
			continue
		}
		if got := checkChar(id); got != id[17] {
			t.Errorf("%s: check character %c, want %c", tc.key, id[17], got)
		}
		if birth := strings.ReplaceAll(c.Birth, "-", ""); id[6:14] != birth {
			t.Errorf("%s: number's birth date %s, card's %s", tc.key, id[6:14], birth)
		}
		odd := (id[16]-'0')%2 == 1
		if odd != (c.Gender == "male") {
			t.Errorf("%s: gender digit %c on a %s card", tc.key, id[16], c.Gender)
		}
	}
	// The 2017 foreign card's permit number: nationality, province, birth
	// as YYMMDD, sequence and a check digit.
	c, _ := Card("foreign2017")
	id := c.IDNumber
	if len(id) != 15 || id[:3] != c.Nationality || id[3:5] != "14" ||
		id[5:11] != strings.ReplaceAll(c.Birth, "-", "")[2:] {
		t.Errorf("foreign2017: permit number does not match the card")
	}
	y, _ := Card("foreign2023")
	if y.IDNumber[1:3] != "14" || len(y.NameEN) <= 35 {
		t.Errorf("foreign2023: province %s, English name of %d letters (want it to need both fields)",
			y.IDNumber[1:3], len(y.NameEN))
	}
}

// TestCardsAreCopies makes sure a caller's changes do not leak into the
// next call.
func TestCardsAreCopies(t *testing.T) {
	a := Cards()
	a[0].Card.Name = "changed"
	a[0].Card.Photo[10] = 0xFF
	b := Cards()
	if b[0].Card.Name == "changed" || b[0].Card.Photo[10] == 0xFF {
		t.Error("Cards shares state between calls")
	}
}
