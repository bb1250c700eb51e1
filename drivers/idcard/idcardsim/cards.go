// Package idcardsim emulates a SAM ID card reader, so that the driver, the
// station and its tests can run without hardware and without anybody's real
// card. The cards it can lay on its reader, Cards, belong to invented
// people of Xingfuwan Community (幸福湾社区), Changning Town (昌宁镇),
// Xiangning County (乡宁县, division 141029), and cover every card type.
//
// The 18-character numbers have valid GB 11643 check characters, so they
// pass the checks real ones do, but they belong to nobody.
package idcardsim

import "github.com/gridkiosk/gridkiosk/drivers/idcard"

// Fixture is a card the emulator can present, under the key tests and the
// emulator's configuration use to pick it.
type Fixture struct {
	Key  string
	Card idcard.Card
}

// Cards returns the fixture cards, newly built on each call so that a
// caller may change them freely:
//
//	"resident"      王秀兰, an older woman, Han, with a long-term card
//	"resident-hui"  马建军, a younger man of the Hui nation
//	"hmt"           a Taiwan resident's residence permit ('J')
//	"foreign2017"   a 2017 foreign permanent resident ID card ('I')
//	"foreign2023"   a 2023 foreign permanent resident ID card ('Y'), whose
//	                English name runs into the second name field
func Cards() []Fixture {
	const issuer = "乡宁县公安局"
	return []Fixture{
		{Key: "resident", Card: idcard.Card{
			Type:       idcard.CardResident,
			Name:       "王秀兰",
			Gender:     "female",
			NationCode: "01",
			Nation:     "汉",
			Birth:      "1952-03-17",
			Address:    "山西省乡宁县昌宁镇幸福湾社区7号院7号楼2单元301",
			IDNumber:   "14102919520317122X",
			Issuer:     issuer,
			ValidFrom:  "2016-05-10",
			ValidTo:    idcard.LongTerm,
			Photo:      photo(1),
		}},
		{Key: "resident-hui", Card: idcard.Card{
			Type:       idcard.CardResident,
			Name:       "马建军",
			Gender:     "male",
			NationCode: "03",
			Nation:     "回",
			Birth:      "1988-09-02",
			Address:    "山西省乡宁县昌宁镇幸福湾社区3号楼1单元502",
			IDNumber:   "141029198809020139",
			Issuer:     issuer,
			ValidFrom:  "2019-04-22",
			ValidTo:    "2039-04-22",
			Photo:      photo(2),
		}},
		{Key: "hmt", Card: idcard.Card{
			Type:       idcard.CardHMTPermit,
			Name:       "林志明",
			Gender:     "male",
			Birth:      "1975-11-08",
			Address:    "山西省乡宁县昌宁镇幸福湾社区5号楼3单元201",
			IDNumber:   "830000197511080038",
			Issuer:     issuer,
			ValidFrom:  "2024-07-15",
			ValidTo:    "2029-07-15",
			PassNumber: "08123456",
			IssueCount: 1,
			Photo:      photo(3),
		}},
		{Key: "foreign2017", Card: idcard.Card{
			Type:        idcard.CardForeign2017,
			Name:        "约翰·史密斯",
			NameEN:      "SMITH, JOHN",
			Gender:      "male",
			Birth:       "1978-06-15",
			IDNumber:    "GBR147806150017",
			Issuer:      "1400",
			ValidFrom:   "2019-03-01",
			ValidTo:     "2029-03-01",
			Nationality: "GBR",
			CardVersion: "01",
			Photo:       photo(4),
		}},
		{Key: "foreign2023", Card: idcard.Card{
			Type:        idcard.CardForeign2023,
			Name:        "玛丽亚·加西亚",
			NameEN:      "GARCIA FERNANDEZ, MARIA DE LOS ANGELES",
			Gender:      "female",
			Birth:       "1985-04-12",
			IDNumber:    "914724198504120027",
			ValidFrom:   "2023-12-01",
			ValidTo:     "2033-12-01",
			Nationality: "ESP",
			Photo:       photo(5),
		}},
	}
}

// Card returns the fixture card with the given key.
func Card(key string) (idcard.Card, bool) {
	for _, f := range Cards() {
		if f.Key == key {
			return f.Card, true
		}
	}
	return idcard.Card{}, false
}

// photo returns a stand-in for an encrypted WLT photo: "WLT", then a
// pattern that differs between fixtures so that tests can tell them apart. The pattern never holds the 0xAA of a
// frame preamble, so no fixture photo looks like the start of a frame.
func photo(seed byte) []byte {
	p := make([]byte, idcard.PhotoLen)
	copy(p, "WLT")
	for i := 3; i < len(p); i++ {
		p[i] = byte(i)*seed%0x80 + seed
	}
	return p
}
