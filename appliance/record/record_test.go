package record

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

var now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// idNumber builds a valid citizen ID number from its first 17 characters.
func idNumber(t testing.TB, first17 string) string {
	c, err := citizenid.CheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

func registration(t testing.TB) map[string]any {
	return map[string]any{
		"person": map[string]any{
			"name": "王秀兰", "gender": "female", "nation": "汉", "birth": "1952-03-17",
			"address": "山西省乡宁县昌宁镇幸福湾社区7号楼2单元301", "id_number": idNumber(t, "14102919520317122"),
			"card_type": "resident", "issuer": "乡宁县公安局", "valid_from": "2016-05-10", "valid_to": "长期",
		},
		"purpose": "certificate", "phone": "13835712345", "source": "idcard",
		"consent": map[string]any{"version": "2026-01", "at": "2026-11-26T09:55:00+08:00"},
	}
}

// set changes one dotted path of a payload map.
func set(m map[string]any, path string, v any) map[string]any {
	parts := strings.Split(path, ".")
	cur := m
	for _, p := range parts[:len(parts)-1] {
		cur = cur[p].(map[string]any)
	}
	if v == nil {
		delete(cur, parts[len(parts)-1])
	} else {
		cur[parts[len(parts)-1]] = v
	}
	return m
}

func TestValidateRegistration(t *testing.T) {
	tests := []struct {
		path  string
		value any
		field string // "" = valid
		msg   string
	}{
		{"", nil, "", ""},
		{"person.id_number", strings.ToLower(idNumber(t, "14102919520317122")), "", ""},
		{"person.id_number", "141029195203171220", "payload.person.id_number", "check character"},
		{"person.id_number", idNumber(t, "14102919530317122"), "payload.person.id_number", "does not match payload.person.birth"},
		{"person.id_number", idNumber(t, "81000019520317122"), "payload.person.id_number", "card_type is resident"},
		{"person.name", "", "payload.person.name", "is required"},
		{"person.gender", "m", "payload.person.gender", "male, female, unknown"},
		{"person.nation", "德昴", "payload.person.nation", "GB 3304"},
		{"person.nation", nil, "payload.person.nation", "is required"},
		{"person.birth", "1952/03/17", "payload.person.birth", "YYYY-MM-DD"},
		{"person.card_type", "passport", "payload.person.card_type", "resident, hmt_permit"},
		{"person.valid_to", "2010-01-01", "payload.person.valid_to", "before valid_from"},
		{"person.valid_to", "永久", "payload.person.valid_to", "长期"},
		{"person.shoe_size", "42", "payload", `unknown field "shoe_size"`},
		{"purpose", "Cert!", "payload.purpose", "category code"},
		{"phone", "12345", "payload.phone", "11-digit mobile"},
		{"phone", "0357-6831234", "", ""},
		{"source", "fax", "payload.source", "idcard, qr, manual"},
		{"consent.version", "", "payload.consent.version", "consent"},
		{"consent.at", "2027-01-01T00:00:00Z", "payload.consent.at", "future"},
		{"consent", nil, "payload.consent.version", "consent"},
		{"person.birth", 1952, "payload.person.birth", "want a string"},
		// Text that would be stored as one thing and shown or printed as
		// another.
		{"person.name", "\x1b[2J王秀兰", "payload.person.name", "control character U+001B at character 1"},
		{"person.name", "王\x00秀兰", "payload.person.name", "control character U+0000"},
		{"person.name", "王\u0085秀兰", "payload.person.name", "control character U+0085"},
		{"person.name", "王秀兰\n", "payload.person.name", "line break"},
		{"person.name", "\u202e兰秀王", "payload.person.name", "bidi formatting character U+202E"},
		{"person.address", "幸福湾社区\u20667号楼\u2069", "payload.person.address", "U+2066"},
		{"person.issuer", "乡宁县公安局\ufffd", "payload.person.issuer", "U+FFFD"},
		{"person.name", "王\ue000兰", "", ""}, // a rare character of a name, as some cards carry it
		{"consent.version", strings.Repeat("2026-01 ", 1280), "payload.consent.version", "at most 32"},
		{"consent.version", "2026-01\t", "payload.consent.version", "U+0009"},
		// Dates a card cannot carry, and a consent the station cannot
		// have been given.
		{"person.valid_from", "9999-12-31", "payload.person.valid_from", "not between 1984-01-01"},
		{"person.valid_from", "1966-01-01", "payload.person.valid_from", "not between 1984-01-01"},
		{"person.valid_to", "9999-12-31", "payload.person.valid_to", "more than 21 years after valid_from"},
		{"person.valid_to", "2036-05-10", "", ""},
		{"consent.at", "1970-01-01T00:00:00Z", "payload.consent.at", "more than 30 days before"},
		{"consent.at", "0001-01-01T00:00:00Z", "payload.consent.at", "is required"},
		{"consent.at", "2026-11-20T09:55:00+08:00", "", ""},
		// Phone numbers that are not anybody's.
		{"phone", "0000-0000000", "payload.phone", "neither"},
		{"phone", "010-12345678", "payload.phone", "neither"},
		{"phone", "010-62345678", "", ""},
		{"phone", "02087654321", "", ""},
	}
	for _, tc := range tests {
		name := tc.path + "=" + strings.TrimSpace(strings.ReplaceAll(jsonString(tc.value), "\n", ""))
		if r := []rune(name); len(r) > 60 {
			name = string(r[:60]) + "…"
		}
		t.Run(name, func(t *testing.T) {
			p := registration(t)
			if tc.path != "" {
				set(p, tc.path, tc.value)
			}
			raw, _ := json.Marshal(p)
			out, err := Validate(&Registration{}, raw, now)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid payload refused: %v", err)
				}
				var back Registration
				if err := json.Unmarshal(out, &back); err != nil || back.Person.IDNumber != strings.ToUpper(back.Person.IDNumber) {
					t.Fatalf("canonical form: %s %v", out, err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(fe.Msg, tc.msg) {
				t.Fatalf("err = %v; want field %s with %q", err, tc.field, tc.msg)
			}
		})
	}
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestValidateOtherKinds(t *testing.T) {
	id, _ := NewID(now)
	tests := []struct {
		kind, payload, field string
	}{
		{wire.KindMatter, `{"category":"repair","description":"7号楼楼道灯不亮","phone":"13835712345"}`, ""},
		{wire.KindMatter, `{"category":"repair","description":""}`, "payload.description"},
		{wire.KindMatter, `{"category":"repair","description":"` + strings.Repeat("灯", 501) + `"}`, "payload.description"},
		{wire.KindMatter, `{"category":"hazard","description":"燃气味","person":{"name":"李"}}`, "payload.person.gender"},
		{wire.KindMatter, `{"category":"repair","description":"x"} {}`, "payload"},
		{wire.KindMatter, `[1,2]`, "payload"},
		{wire.KindMatter, `{"category":`, "payload"},
		{wire.KindMatter, ``, "payload"},
		{wire.KindReceipt, `{"ticket":"M0043","record_id":"` + id + `","category":"repair","staff":"李建国","next_step":"三个工作日内上门维修"}`, ""},
		{wire.KindReceipt, `{"ticket":"M0043","record_id":"nope","category":"repair","staff":"李建国"}`, "payload.record_id"},
		{wire.KindVolunteer, `{"volunteer":{"name":"张伟","party_member":true},"service":"环境卫生清扫","minutes":120,"date":"2026-11-25"}`, ""},
		{wire.KindVolunteer, `{"volunteer":{"name":"张伟"},"service":"清扫","minutes":0,"date":"2026-11-25"}`, "payload.minutes"},
		{wire.KindVolunteer, `{"volunteer":{"name":"张伟"},"service":"清扫","minutes":30,"date":"2027-11-25"}`, "payload.date"},
		{wire.KindVolunteer, `{"volunteer":{"name":"张伟","id_number":"123"},"service":"清扫","minutes":30,"date":"2026-11-25"}`, "payload.volunteer.id_number"},
		{wire.KindMatter, `{"category":"repair","description":"7号楼楼道灯不亮\n三单元也不亮"}`, ""},
		{wire.KindMatter, `{"category":"repair","description":"7号楼楼道灯不亮\r\n"}`, "payload.description"},
		{wire.KindMatter, `{"category":"repair","description":"灯\u001b@"}`, "payload.description"},
		{wire.KindMatter, `{"category":"repair","description":"灯\ud800"}`, "payload.description"},
		{wire.KindReceipt, `{"ticket":"M0043","record_id":"` + id + `","category":"repair","staff":"李建国","next_step":"三个工作日内\n上门维修"}`, ""},
		{wire.KindReceipt, `{"ticket":"M0043","record_id":"` + id + `","category":"repair","staff":"\u001b@李建国"}`, "payload.staff"},
		{wire.KindVolunteer, `{"volunteer":{"name":"张\u202e伟"},"service":"清扫","minutes":30,"date":"2026-11-25"}`, "payload.volunteer.name"},
	}
	for _, tc := range tests {
		t.Run(tc.kind+" "+tc.field, func(t *testing.T) {
			_, err := Validate(payloadOf(tc.kind), json.RawMessage(tc.payload), now)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid payload refused: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v; want field %s", err, tc.field)
			}
		})
	}
}

// Bytes that are not UTF-8 are refused before decoding, which would turn
// them into U+FFFD, and the error names the field that held them.
func TestValidateRefusesBadBytes(t *testing.T) {
	raw, _ := json.Marshal(registration(t))
	reg := string(raw)
	tests := []struct {
		kind, payload, field string
	}{
		{wire.KindRegistration, strings.Replace(reg, "王秀兰", "王\xff兰", 1), "payload.person.name"},
		{wire.KindRegistration, strings.Replace(reg, "乡宁县公安局", "乡宁县\xe5\x85公安局", 1), "payload.person.issuer"},
		{wire.KindRegistration, strings.Replace(reg, `"2026-01"`, "\"2026-01\xc0\xaf\"", 1), "payload.consent.version"},
		{wire.KindRegistration, strings.Replace(reg, `"purpose"`, "\"purp\xffose\"", 1), "payload.purp\ufffdose"},
		{wire.KindMatter, "{\"category\":\"repair\",\"description\":\"灯\xed\xa0\x80\"}", "payload.description"}, // a surrogate in UTF-8
		{wire.KindMatter, "{\"category\":\"repair\",\"description\":\"灯\",\"person\":{\"name\":\"\xfe\"}}", "payload.person.name"},
		{wire.KindVolunteer, "{\"volunteer\":{\"name\":\"张伟\"},\"service\":[\"x\",\"\x80\"],\"minutes\":30}", "payload.service.1"},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			_, err := Validate(payloadOf(tc.kind), json.RawMessage(tc.payload), now)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(fe.Msg, "not valid UTF-8") {
				t.Fatalf("err = %v; want field %s not valid UTF-8", err, tc.field)
			}
		})
	}
}

// A phone number in an error is masked: the resident's number with one
// digit missing is still mostly theirs.
func TestErrorsDoNotLeakPhone(t *testing.T) {
	for _, phone := range []string{"1398865201", "139886520199", "0359-557209", "13988652011x"} {
		raw, _ := json.Marshal(set(registration(t), "phone", phone))
		_, err := Validate(&Registration{}, raw, now)
		if err == nil {
			t.Fatalf("phone %s accepted", phone)
		}
		if leaks(err.Error(), phone) {
			t.Errorf("error shows 4 or more digits of phone %s: %v", MaskDigits(phone), err)
		}
	}
}

// leaks reports whether msg holds 4 consecutive characters of s.
func leaks(msg, s string) bool {
	r := []rune(s)
	for i := 0; i+4 <= len(r); i++ {
		if strings.Contains(msg, string(r[i:i+4])) {
			return true
		}
	}
	return false
}

func TestErrorsDoNotLeakIDNumber(t *testing.T) {
	id := idNumber(t, "14102919520317122")
	p := set(registration(t), "person.birth", "1960-01-01")
	raw, _ := json.Marshal(p)
	_, err := Validate(&Registration{}, raw, now)
	if err == nil || strings.Contains(err.Error(), id) || strings.Contains(err.Error(), id[:14]) {
		t.Fatalf("error leaks the ID number: %v", err)
	}
}

var uuid7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := range 1000 {
		id, err := NewID(now.Add(time.Duration(i) * time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if !uuid7.MatchString(id) || !ValidID(id) || seen[id] {
			t.Fatalf("id %q (dup %v)", id, seen[id])
		}
		if id[:13] < prev {
			t.Fatalf("ids not ordered by time: %s after %s", id, prev)
		}
		prev = id[:13]
		seen[id] = true
	}
	id, _ := NewID(time.UnixMilli(0x0190f5e6a1b2))
	if !strings.HasPrefix(id, "0190f5e6-a1b2-7") {
		t.Fatalf("timestamp not in the first 48 bits: %s", id)
	}
}

func TestValidID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"0190f5e6-a1b2-7c3d-8e4f-0123456789ab", true},
		{"0190f5e6-a1b2-4c3d-8e4f-0123456789ab", false}, // version 4
		{"0190f5e6-a1b2-7c3d-0e4f-0123456789ab", false}, // variant 0
		{"0190F5E6-A1B2-7C3D-8E4F-0123456789AB", false}, // not as NewID writes it
		{"0190f5e6a1b27c3d8e4f0123456789ab", false},
		{"0190f5e6-a1b2-7c3d-8e4f-0123456789ab0", false},
		{"0190f5e6-a1b2-7c3d-8e4f-0123456789ag", false},
		{"", false},
	} {
		if got := ValidID(tc.id); got != tc.ok {
			t.Errorf("ValidID(%q) = %v, want %v", tc.id, got, tc.ok)
		}
	}
}

// ValidID takes every ID NewID makes and nothing that is not 36 bytes of
// lower-case hex in the UUID layout.
func FuzzValidID(f *testing.F) {
	f.Add("0190f5e6-a1b2-7c3d-8e4f-0123456789ab", int64(0))
	f.Add("", int64(1<<40))
	f.Fuzz(func(t *testing.T, id string, ms int64) {
		made, err := NewID(time.UnixMilli(ms))
		if err != nil || !ValidID(made) {
			t.Fatalf("NewID(%d) = %q, %v: not valid", ms, made, err)
		}
		if ValidID(id) && !uuid7.MatchString(id) {
			t.Fatalf("ValidID(%q) but it is not a UUIDv7", id)
		}
	})
}

func FuzzValidate(f *testing.F) {
	raw, _ := json.Marshal(registration(f))
	f.Add(wire.KindRegistration, string(raw))
	f.Add(wire.KindMatter, `{"category":"repair","description":"灯","person":{"name":"李","gender":"male","birth":"1990-01-01","id_number":"x","card_type":"foreign_2017"}}`)
	f.Add(wire.KindVolunteer, `{"volunteer":{"name":"张伟"},"service":"清扫","minutes":30,"date":"2026-11-25"}`)
	f.Add(wire.KindMatter, "{\"category\":\"repair\",\"description\":\"灯\xff\\u001b\\u202e\"}")
	f.Fuzz(func(t *testing.T, kind, payload string) {
		out, err := Validate(payloadOf(kind), json.RawMessage(payload), now)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Fatalf("error without a field: %v", err)
			}
			return
		}
		// What passed once passes again, unchanged: the canonical form is stable.
		again, err := Validate(payloadOf(kind), out, now)
		if err != nil || string(again) != string(out) {
			t.Fatalf("canonical form not stable: %v\n%s\n%s", err, out, again)
		}
	})
}

// payloadOf is the payload type of a contract kind, as the station picks it.
func payloadOf(kind string) Payload {
	switch kind {
	case wire.KindRegistration:
		return &Registration{}
	case wire.KindMatter:
		return &Matter{}
	case wire.KindReceipt:
		return &Receipt{}
	}
	return &Volunteer{}
}
