package idcard_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/idcard/idcardsim"
)

// at is a string to place at a byte offset of a text block.
type at struct {
	off int
	s   string
}

// textBlock lays out a text block by hand, from offsets written down from
// the standard rather than from the package's tables: space padding, the
// marker at byte 248 and the given strings.
func textBlock(marker rune, fields ...at) []byte {
	b := bytes.Repeat([]byte{' ', 0}, 128)
	binary.LittleEndian.PutUint16(b[248:], uint16(marker))
	for _, f := range fields {
		for i, u := range utf16.Encode([]rune(f.s)) {
			binary.LittleEndian.PutUint16(b[f.off+2*i:], u)
		}
	}
	return b
}

// fixture returns an idcardsim card without its photo, which the text
// block does not carry.
func fixture(t testing.TB, key string) idcard.Card {
	t.Helper()
	c, ok := idcardsim.Card(key)
	if !ok {
		t.Fatalf("no fixture %q", key)
	}
	c.Photo = nil
	return c
}

// fixtureBlocks are the text blocks of the fixtures, laid out by hand.
func fixtureBlocks() map[string][]byte {
	return map[string][]byte{
		"resident": textBlock(' ',
			at{0, "王秀兰"}, at{30, "2"}, at{32, "01"}, at{36, "19520317"},
			at{52, "山西省乡宁县昌宁镇幸福湾社区7号院7号楼2单元301"},
			at{122, "14102919520317122X"}, at{158, "乡宁县公安局"},
			at{188, "20160510"}, at{204, "长期"}),
		"resident-hui": textBlock(' ',
			at{0, "马建军"}, at{30, "1"}, at{32, "03"}, at{36, "19880902"},
			at{52, "山西省乡宁县昌宁镇幸福湾社区3号楼1单元502"},
			at{122, "141029198809020139"}, at{158, "乡宁县公安局"},
			at{188, "20190422"}, at{204, "20390422"}),
		"hmt": textBlock('J',
			at{0, "林志明"}, at{30, "1"}, at{36, "19751108"},
			at{52, "山西省乡宁县昌宁镇幸福湾社区5号楼3单元201"},
			at{122, "830000197511080038"}, at{158, "乡宁县公安局"},
			at{188, "20240715"}, at{204, "20290715"},
			at{220, "08123456"}, at{238, "01"}),
		"foreign2017": textBlock('I',
			at{0, "SMITH, JOHN"}, at{120, "1"}, at{122, "GBR147806150017"},
			at{152, "GBR"}, at{158, "约翰·史密斯"}, at{188, "20190301"},
			at{204, "20290301"}, at{220, "19780615"}, at{236, "01"}, at{240, "1400"}),
		"foreign2023": textBlock('Y',
			at{0, "玛丽亚·加西亚"}, at{30, "2"}, at{32, "00"}, at{36, "19850412"},
			at{52, "GARCIA FERNANDEZ, MARIA DE LOS ANGE"}, at{122, "914724198504120027"},
			at{188, "20231201"}, at{204, "20331201"}, at{220, "LES"}, at{242, "ESP"}),
	}
}

// TestFixtureBlocks checks both directions against blocks laid out by hand:
// each decodes to its fixture, and each fixture encodes to it byte for byte.
func TestFixtureBlocks(t *testing.T) {
	blocks := fixtureBlocks()
	if len(blocks) != len(idcardsim.Cards()) {
		t.Fatalf("%d blocks for %d fixtures", len(blocks), len(idcardsim.Cards()))
	}
	for key, block := range blocks {
		want := fixture(t, key)
		got, err := idcard.DecodeText(block)
		if err != nil {
			t.Errorf("%s: DecodeText: %v", key, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: DecodeText\n got %+v\nwant %+v", key, got, want)
		}
		enc, err := idcard.EncodeText(want)
		if err != nil || !bytes.Equal(enc, block) {
			t.Errorf("%s: EncodeText: %v\n got % X\nwant % X", key, err, enc, block)
		}
	}
}

func TestTextRoundTrip(t *testing.T) {
	cards := []idcard.Card{}
	for _, f := range idcardsim.Cards() {
		cards = append(cards, f.Card)
	}
	res := fixture(t, "resident")
	res.Name = "𠮷野" // a character outside the BMP: a surrogate pair
	res.Gender = "unknown"
	cards = append(cards, res)
	y := fixture(t, "foreign2023")
	// 34 letters, then a pair that straddles the two English name fields.
	y.NameEN = strings.Repeat("A", 34) + "𝐁C"
	y.RenewalCount, y.PrevCardLink = 12, "X01"
	cards = append(cards, y)
	full := fixture(t, "foreign2023")
	full.NameEN = strings.Repeat("N", 46) // both fields full
	cards = append(cards, full)
	for _, c := range cards {
		block, err := idcard.EncodeText(c)
		if err != nil {
			t.Errorf("%s %q: EncodeText: %v", c.Type, c.Name, err)
			continue
		}
		got, err := idcard.DecodeText(block)
		c.Photo = nil
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Errorf("%s: round trip: %v\n got %+v\nwant %+v", c.Type, err, got, c)
		}
	}
}

func TestDecodeTextDetails(t *testing.T) {
	tests := []struct {
		name  string
		block []byte
		check func(idcard.Card) bool
	}{
		{"gender 9 is unknown", textBlock(' ', at{30, "9"}, at{32, "01"}, at{36, "20000229"},
			at{188, "20200101"}, at{204, "20300101"}),
			func(c idcard.Card) bool { return c.Gender == "unknown" && c.Birth == "2000-02-29" }},
		{"NUL marker and NUL padding", func() []byte {
			b := fixtureBlocks()["resident"]
			for i := 6; i < 30; i++ {
				b[i] = 0
			}
			b[248] = 0
			return b
		}(), func(c idcard.Card) bool { return c.Type == idcard.CardResident && c.Name == "王秀兰" }},
		{"J card ignores the nation field", func() []byte {
			b := fixtureBlocks()["hmt"]
			copy(b[32:], "9\x009\x00")
			return b
		}(), func(c idcard.Card) bool { return c.NationCode == "" && c.Nation == "" && c.IssueCount == 1 }},
		{"Y renewal and link", textBlock('Y', at{30, "1"}, at{32, "03"}, at{36, "19850412"},
			at{188, "20231201"}, at{204, "20331201"}, at{250, "A7Z"}),
			func(c idcard.Card) bool { return c.RenewalCount == 3 && c.PrevCardLink == "A7Z" }},
		{"Y English name in part 2 only", textBlock('Y', at{30, "1"}, at{32, "00"}, at{36, "19850412"},
			at{188, "20231201"}, at{204, "20331201"}, at{220, "LEE"}),
			func(c idcard.Card) bool { return c.NameEN == "LEE" }},
		{"blank count is zero", textBlock('J', at{30, "1"}, at{36, "19751108"},
			at{188, "20240715"}, at{204, "20290715"}),
			func(c idcard.Card) bool { return c.IssueCount == 0 && c.PassNumber == "" }},
	}
	for _, tc := range tests {
		c, err := idcard.DecodeText(tc.block)
		if err != nil || !tc.check(c) {
			t.Errorf("%s: %+v, %v", tc.name, c, err)
		}
	}
}

func TestDecodeTextErrors(t *testing.T) {
	const id = "14102919520317122X"
	base := func(fields ...at) []byte {
		all := append([]at{{30, "1"}, {32, "01"}, {36, "19520317"}, {122, id},
			{188, "20160510"}, {204, "20260510"}}, fields...)
		return textBlock(' ', all...)
	}
	loneSurrogate := func(off int) []byte {
		b := base()
		binary.LittleEndian.PutUint16(b[off:], 0xD800)
		return b
	}
	tests := []struct {
		name  string
		block []byte
		want  string
	}{
		{"short", make([]byte, 255), "idcard: text block is 255 bytes, want 256"},
		{"long", make([]byte, 257), "idcard: text block is 257 bytes, want 256"},
		{"bad birth", base(at{36, "19521317"}), `idcard: text block: birth "19521317" is not a date`},
		{"no 29 Feb", base(at{36, "19510229"}), `idcard: text block: birth "19510229" is not a date`},
		{"1900 is no leap year", base(at{36, "19000229"}), `idcard: text block: birth "19000229" is not a date`},
		{"letters", base(at{188, "2016O510"}), `idcard: text block: valid from "2016O510" is not a date`},
		{"long-term start", base(at{188, "长期      "}), `idcard: text block: valid from "长期" is not a date`},
		{"blank end", base(at{204, "        "}), `idcard: text block: valid to "" is not a date`},
		{"nation", base(at{32, "99"}), `idcard: text block: nation code "99" is not a GB 3304 code`},
		{"gender", base(at{30, "3"}), `idcard: text block: gender code "3" is not a GB/T 2261.1 code`},
		{"marker", textBlock('Q'), `idcard: text block: type marker 'Q' (U+0051) is not a known card type`},
		{"count", textBlock('J', at{30, "1"}, at{36, "19751108"}, at{188, "20240715"},
			at{204, "20290715"}, at{238, "1A"}), `idcard: text block: issue count "1A" is not a number`},
		{"name UTF-16", loneSurrogate(4), "idcard: text block: name is not valid UTF-16"},
		{"ID number UTF-16", loneSurrogate(130), "idcard: text block: ID number is not valid UTF-16"},
		{"surrogate at the end", loneSurrogate(28), "idcard: text block: name is not valid UTF-16"},
	}
	for _, tc := range tests {
		_, err := idcard.DecodeText(tc.block)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), id) {
			t.Errorf("%s: the error holds the ID number", tc.name)
		}
	}
	var te *idcard.TextError
	_, err := idcard.DecodeText(base(at{36, "19521317"}))
	if !errors.As(err, &te) || te.Field != "birth" {
		t.Errorf("not a *TextError for birth: %#v", err)
	}
}

func TestEncodeTextErrors(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		change func(*idcard.Card)
		want   string
	}{
		{"name too long", "resident", func(c *idcard.Card) { c.Name = strings.Repeat("王", 16) },
			"name needs 16 UTF-16 units, the card has room for 15"},
		{"English name too long", "foreign2023", func(c *idcard.Card) { c.NameEN = strings.Repeat("A", 47) },
			"English name needs 47 UTF-16 units, the card has room for 46"},
		{"ID number too long", "resident", func(c *idcard.Card) { c.IDNumber += "1" },
			"ID number needs 19 UTF-16 units, the card has room for 18"},
		{"pass number on a resident card", "resident", func(c *idcard.Card) { c.PassNumber = "1" },
			"pass number is not carried on a resident card"},
		{"nation on a permit", "hmt", func(c *idcard.Card) { c.Nation = "汉" },
			"nation is not carried on a hmt_permit card"},
		{"address on a foreign card", "foreign2017", func(c *idcard.Card) { c.Address = "x" },
			"address is not carried on a foreign_2017 card"},
		{"count on a foreign card", "foreign2017", func(c *idcard.Card) { c.RenewalCount = 1 },
			"renewal count is not carried on a foreign_2017 card"},
		{"nation mismatch", "resident", func(c *idcard.Card) { c.Nation = "回" },
			`nation code "01" and name "回" do not match GB 3304`},
		{"nation unknown", "resident", func(c *idcard.Card) { c.NationCode = "99" },
			`nation code "99" and name "汉" do not match GB 3304`},
		{"date form", "resident", func(c *idcard.Card) { c.Birth = "1952-3-17" },
			`birth "1952-3-17" is not a YYYY-MM-DD date`},
		{"no date", "resident", func(c *idcard.Card) { c.ValidFrom = "2016-02-30" },
			`valid from "2016-02-30" is not a YYYY-MM-DD date`},
		{"gender", "resident", func(c *idcard.Card) { c.Gender = "F" },
			`gender "F" is not male, female or unknown`},
		{"padding", "resident", func(c *idcard.Card) { c.Name = "王秀兰 " },
			"name has leading or trailing spaces or NULs"},
		{"invalid UTF-8", "resident", func(c *idcard.Card) { c.Address = "\xff" },
			"address is not valid UTF-8"},
		{"count too big", "hmt", func(c *idcard.Card) { c.IssueCount = 100 },
			"issue count 100 does not fit in 2 digits"},
		{"negative count", "hmt", func(c *idcard.Card) { c.IssueCount = -1 },
			"issue count -1 does not fit in 2 digits"},
	}
	for _, tc := range tests {
		c := fixture(t, tc.key)
		tc.change(&c)
		_, err := idcard.EncodeText(c)
		if err == nil || err.Error() != "idcard: text block: "+tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		if err != nil && c.IDNumber != "" && strings.Contains(err.Error(), c.IDNumber[:15]) {
			t.Errorf("%s: the error holds the ID number", tc.name)
		}
	}
	if _, err := idcard.EncodeText(idcard.Card{Type: 'Q'}); err == nil ||
		err.Error() != "idcard: text block: cannot encode card type CardType('Q')" {
		t.Errorf("unknown type: %v", err)
	}
}

func TestCardTypeString(t *testing.T) {
	for ct, want := range map[idcard.CardType]string{
		idcard.CardResident:    "resident",
		idcard.CardHMTPermit:   "hmt_permit",
		idcard.CardForeign2017: "foreign_2017",
		idcard.CardForeign2023: "foreign_2023",
		'Q':                    "CardType('Q')",
	} {
		if got := ct.String(); got != want {
			t.Errorf("%q: %q, want %q", rune(ct), got, want)
		}
	}
}

func BenchmarkDecodeText(b *testing.B) {
	block := fixtureBlocks()["resident"]
	b.SetBytes(int64(len(block)))
	for b.Loop() {
		if _, err := idcard.DecodeText(block); err != nil {
			b.Fatal(err)
		}
	}
}
