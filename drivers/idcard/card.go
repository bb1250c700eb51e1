package idcard

import (
	"fmt"
	"image"
)

// CardType is the kind of card, as the marker character at byte 248 of the
// text block gives it.
type CardType byte

// The card types a SAM reader returns. A resident ID card has no marker:
// the character there is a space.
const (
	CardResident    CardType = ' ' // resident identity card (居民身份证)
	CardHMTPermit   CardType = 'J' // residence permit for Hong Kong, Macao and Taiwan residents
	CardForeign2017 CardType = 'I' // foreign permanent resident ID card, 2017 edition
	CardForeign2023 CardType = 'Y' // foreign permanent resident ID card, 2023 edition
)

// String gives the name the rest of gridkiosk stores and sends:
// "resident", "hmt_permit", "foreign_2017" or "foreign_2023".
func (t CardType) String() string {
	switch t {
	case CardResident:
		return "resident"
	case CardHMTPermit:
		return "hmt_permit"
	case CardForeign2017:
		return "foreign_2017"
	case CardForeign2023:
		return "foreign_2023"
	}
	return fmt.Sprintf("CardType(%q)", rune(t))
}

// LongTerm is what ValidTo holds on a card that does not expire.
const LongTerm = "长期"

// Card is what a reader returns for a card: the decoded text block, and
// the photo and fingerprint as opaque bytes. Fields a card type does not
// carry are zero.
type Card struct {
	Type         CardType
	Name         string // Chinese name; on a 2017 foreign card it may be empty
	NameEN       string // foreign cards: English name (2023: both parts joined)
	Gender       string // "male", "female" or "unknown"
	NationCode   string // resident cards: GB 3304 code, "01"
	Nation       string // resident cards: the nation's Chinese name, "汉"
	Birth        string // YYYY-MM-DD
	Address      string // resident cards and HMT permits
	IDNumber     string // 18 characters; the 15-character permit number on a 2017 foreign card
	Issuer       string // issuing authority; its code on a 2017 foreign card
	ValidFrom    string // YYYY-MM-DD
	ValidTo      string // YYYY-MM-DD or LongTerm
	PassNumber   string // HMT permits: the travel pass number
	IssueCount   int    // HMT permits: how many times a permit was issued
	Nationality  string // foreign cards: ISO 3166 three-letter code
	CardVersion  string // 2017 foreign cards
	RenewalCount int    // 2023 foreign cards
	PrevCardLink string // 2023 foreign cards: link to the previous card's number
	Photo        []byte // PhotoLen bytes of encrypted WLT
	Fingerprint  []byte // nil unless read with CmdReadFingerprint
}

// PhotoDecoder turns the encrypted WLT photo into an image. Decrypting it
// takes the licensed vendor library, which is not linked into gridkiosk; a
// station that has one plugs it in here.
type PhotoDecoder interface {
	DecodePhoto(wlt []byte) (image.Image, error)
}
