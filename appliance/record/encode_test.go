package record

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// typedRegistration is the registration of registration(t), built as the
// station's card session builds it, consent given at.
func typedRegistration(t testing.TB, at time.Time) *Registration {
	return &Registration{
		Person: Person{
			Name: "王秀兰", Gender: "female", Nation: "汉", Birth: "1952-03-17",
			Address: "山西省乡宁县昌宁镇幸福湾社区7号楼2单元301", IDNumber: idNumber(t, "14102919520317122"),
			CardType: "resident", Issuer: "乡宁县公安局", ValidFrom: "2016-05-10", ValidTo: "长期",
		},
		Purpose: "certificate", Phone: "13835712345", Source: "idcard",
		Consent: Consent{Version: "2026-01", At: at},
	}
}

// A payload the station builds and encodes once is stored exactly as the
// JSON round trip its callers made before (marshal, Validate) stored it,
// normalised and refused alike.
func TestEncodeIsValidate(t *testing.T) {
	id, _ := NewID(now)
	// A consent time as the station's clock gives it: a monotonic reading
	// and a location, which the JSON round trip dropped.
	consent := time.Now().Add(-time.Minute)
	tests := []struct {
		name  string
		p     func() Payload
		field string // "" = valid
	}{
		{"registration", func() Payload { return typedRegistration(t, consent) }, ""},
		{"registration lower-case x", func() Payload {
			r := typedRegistration(t, consent)
			r.Person.IDNumber = strings.ToLower(r.Person.IDNumber)
			return r
		}, ""},
		{"registration no consent time", func() Payload {
			r := typedRegistration(t, consent)
			r.Consent.At = time.Time{}
			return r
		}, "payload.consent.at"},
		{"registration bad bytes in the name", func() Payload {
			r := typedRegistration(t, consent)
			r.Person.Name = "王\xff兰"
			return r
		}, "payload.person.name"},
		{"matter", func() Payload {
			return &Matter{Category: "repair", Description: "7号楼楼道灯不亮\n三单元也不亮", Phone: "13835712345"}
		}, ""},
		{"receipt", func() Payload {
			return &Receipt{Ticket: "R0043", RecordID: id, Category: "repair", Staff: "李建国", NextStep: "三个工作日内上门维修"}
		}, ""},
		{"receipt bad record id", func() Payload {
			return &Receipt{Ticket: "R0043", RecordID: "nope", Category: "repair", Staff: "李建国"}
		}, "payload.record_id"},
		{"volunteer", func() Payload {
			return &Volunteer{Volunteer: VolunteerPerson{Name: "张伟", PartyMember: true}, Service: "环境卫生清扫", Minutes: 120, Date: "2026-11-25"}
		}, ""},
		{"volunteer no minutes", func() Payload {
			return &Volunteer{Volunteer: VolunteerPerson{Name: "张伟"}, Service: "清扫", Date: "2026-11-25"}
		}, "payload.minutes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := time.Now()
			if _, reg := tc.p().(*Registration); !reg {
				at = now
			}
			raw, err := json.Marshal(tc.p())
			if err != nil {
				t.Fatal(err)
			}
			want, werr := Validate(emptyLike(tc.p()), raw, at)
			got, gerr := Encode(tc.p(), at)
			if tc.field != "" {
				var gf, wf *FieldError
				if !errors.As(gerr, &gf) || gf.Field != tc.field || !errors.As(werr, &wf) || wf.Field != tc.field {
					t.Fatalf("Encode: %v, Validate: %v; want both on %s", gerr, werr, tc.field)
				}
				return
			}
			if gerr != nil || werr != nil {
				t.Fatalf("Encode: %v, Validate: %v", gerr, werr)
			}
			if string(got) != string(want) {
				t.Fatalf("Encode stores\n%s\nthe round trip stored\n%s", got, want)
			}
			if tc.name == "registration lower-case x" && !strings.Contains(string(got), "122X") {
				t.Fatalf("ID number not normalised: %s", got)
			}
		})
	}
}

// Decode reads each kind into its own type, and refuses what Validate
// refuses before checking: an unknown kind, no payload, unknown fields.
func TestDecode(t *testing.T) {
	tests := []struct {
		kind, payload, field string
	}{
		{wire.KindMatter, `{"category":"repair","description":"灯"}`, ""},
		{wire.KindVolunteer, `{"volunteer":{"name":"张伟"},"service":"清扫","minutes":30,"date":"2026-11-25"}`, ""},
		{wire.KindMatter, ` `, "payload"},
		{wire.KindMatter, `{"category":"repair","colour":"red"}`, "payload"},
		{wire.KindReceipt, `{"ticket":1}`, "payload.ticket"},
	}
	for _, tc := range tests {
		t.Run(tc.kind+" "+tc.field, func(t *testing.T) {
			p := payloadOf(tc.kind)
			err := Decode(p, json.RawMessage(tc.payload))
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Decode = %v, %v; want a %s", p, err, tc.kind)
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

// BenchmarkEncode compares, for a card registration, the JSON round trip
// each of the station's own callers made before (marshal the struct, then
// Validate: decode strictly, check, marshal again) with the typed path
// they take now (check, marshal once).
func BenchmarkEncode(b *testing.B) {
	at := time.Now()
	b.Run("round-trip", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			raw, err := json.Marshal(typedRegistration(b, at))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Validate(&Registration{}, raw, at); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("typed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Encode(typedRegistration(b, at), at); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// emptyLike is a new, empty payload of p's type, for Validate to fill.
func emptyLike(p Payload) Payload {
	return reflect.New(reflect.TypeOf(p).Elem()).Interface().(Payload)
}
