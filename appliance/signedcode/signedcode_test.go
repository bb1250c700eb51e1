package signedcode

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const station = "141029-xfw-01"

func testSigner(t testing.TB, id string) Signer {
	t.Helper()
	s, err := NewSignerFile(filepath.Join(t.TempDir(), "code.key"), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// at returns a moment in China Standard Time.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, chinaTime)
	if err != nil {
		panic(err)
	}
	return t
}

func appointment() Appointment {
	return Appointment{Station: station, Date: "2026-11-27", Purpose: "certificate",
		Person: Person{Name: "王秀兰", IDNumber: "14102919520317122X", Phone: "13835712345"}}
}

func TestCheck(t *testing.T) {
	hub := testSigner(t, "hub-2026")
	other := testSigner(t, "hub-2026") // same ID, different key: a forger's
	appt, err := hub.Appointment(appointment())
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := appointment()
	elsewhere.Station = "141029-zl-01"
	apptElsewhere, _ := hub.Appointment(elsewhere)
	forgedAppt, _ := other.Appointment(appointment())
	staff, err := hub.Staff(Staff{Station: station, StaffID: "s-0007", Name: "李建国", Role: "micro_grid_leader",
		NotBefore: at("2026-11-01 00:00").Unix(), Expires: at("2027-01-01 00:00").Unix()})
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	revoked := map[string]bool{}
	v := Verifier{Keys: []Key{hub.ForStation(station)}, Station: station,
		Used: func(id string) bool { return used[id] }, Revoked: func(id string) bool { return revoked[id] }}

	// tamper changes the payload (the holder's ID hash) and keeps the signature.
	tamper := func(code string) string {
		signed, sig, _ := strings.Cut(code, ".")
		b, _ := base64.RawURLEncoding.DecodeString(signed[6:])
		var m map[string]any
		json.Unmarshal(b, &m)
		m["holder"].(map[string]any)["idh"] = IDHash(hub.IDKey(station), "110101199003070014")
		b, _ = json.Marshal(m)
		return signed[:6] + base64.RawURLEncoding.EncodeToString(b) + "." + sig
	}
	// swapKind presents an appointment's payload and signature as a staff code.
	swapKind := func(code string) string { return "GK1:S:" + code[6:] }

	day := at("2026-11-27 09:30")
	tests := []struct {
		name string
		code string
		now  time.Time
		prep func()
		want Reason // "" = accepted
	}{
		{"appointment on its day", appt, day, nil, ""},
		{"appointment first minute", appt, at("2026-11-27 00:00"), nil, ""},
		{"appointment the day before", appt, at("2026-11-26 23:59"), nil, NotYet},
		{"appointment the day after", appt, at("2026-11-28 00:00"), nil, Expired},
		{"appointment for another station", apptElsewhere, day, nil, WrongStation},
		{"appointment signed by another key", forgedAppt, day, nil, Forged},
		{"appointment altered", tamper(appt), day, nil, Forged},
		{"appointment passed off as staff", swapKind(appt), day, nil, Forged},
		{"appointment used", appt, day, func() { used[mustID(t, v, appt, day)] = true }, Used},
		{"staff valid", staff, day, nil, ""},
		{"staff expired", staff, at("2027-01-01 00:00"), nil, Expired},
		{"staff not yet", staff, at("2026-10-31 23:00"), nil, NotYet},
		{"staff revoked", staff, day, func() { revoked[mustID(t, v, staff, day)] = true }, Revoked},
		{"no signature", strings.Split(appt, ".")[0], day, nil, Malformed},
		{"truncated signature", appt[:len(appt)-5], day, nil, Malformed},
		{"other QR code", "https://example.com/", day, nil, Malformed},
		{"too long", "GK1:A:" + strings.Repeat("A", MaxLen), day, nil, Malformed},
		{"unknown key", mustSign(t, Signer{KeyID: "hub-2025", Key: other.Key}), day, nil, UnknownKey},
		{"legacy appointment in clear", legacy(t, hub, appointment()), day, nil, ""},
		{"legacy appointment altered", tamperLegacy(legacy(t, hub, appointment())), day, nil, Forged},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clear(used)
			clear(revoked)
			if tc.prep != nil {
				tc.prep()
			}
			c, err := v.Check(tc.code, tc.now)
			if got := ReasonOf(err); got != tc.want {
				t.Fatalf("reason %q (%v), want %q", got, err, tc.want)
			}
			if tc.want == "" && c.ID() == "" {
				t.Fatalf("accepted code has no ID: %+v", c)
			}
			if tc.want != "" {
				var r *Refusal
				if !asRefusal(err, &r) || r.Message() == "" || strings.Contains(err.Error(), "14102919520317122X") {
					t.Fatalf("refusal %v: no message or it leaks the ID number", err)
				}
			}
		})
	}
}

func TestReasonsHaveTheirOwnWords(t *testing.T) {
	seen := map[string]Reason{}
	for _, r := range []Reason{Malformed, UnknownKey, Forged, Expired, NotYet, WrongStation, Used, Revoked} {
		m := (&Refusal{Reason: r}).Message()
		if prev, ok := seen[m]; ok {
			t.Errorf("%s and %s share the message %q", r, prev, m)
		}
		seen[m] = r
	}
}

func TestAppointmentContent(t *testing.T) {
	hub := testSigner(t, "k1")
	code, err := hub.Appointment(appointment())
	if err != nil {
		t.Fatal(err)
	}
	c, err := Verifier{Keys: []Key{hub.ForStation(station)}, Station: station}.Check(code, at("2026-11-27 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	a := c.Appointment
	if c.Kind != KindAppointment || !a.Private() || a.Holder.Name != "王*兰" || a.Person != (Person{}) ||
		a.Purpose != "certificate" || a.Key != "k1" || len(a.ID) != 24 {
		t.Fatalf("appointment %+v", a)
	}
	if len(code) > 600 {
		t.Errorf("code is %d characters; keep appointment codes small enough for a phone screen", len(code))
	}
}

func TestSignerRefuses(t *testing.T) {
	hub := testSigner(t, "k1")
	bad := appointment()
	bad.Date = "27.11.2026"
	if _, err := hub.Appointment(bad); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("bad date: %v", err)
	}
	if _, err := hub.Staff(Staff{Station: station, StaffID: "s-1", Role: "volunteer", NotBefore: 10, Expires: 5}); err == nil {
		t.Error("staff code expiring before it starts was signed")
	}
	long := appointment()
	long.Person.Name = strings.Repeat("名", 1000)
	if _, err := hub.Appointment(long); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("over-long code: %v", err)
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k", "code.key")
	s, err := NewSignerFile(path, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSignerFile(path, "k1"); err == nil {
		t.Fatal("an existing key was overwritten")
	}
	back, err := LoadSigner(path)
	if err != nil || !back.Key.Equal(s.Key) || back.KeyID != "k1" {
		t.Fatalf("load: %v", err)
	}
	if err := chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSigner(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key: %v", err)
	}
	if _, err := LoadSigner(path + ".missing"); err == nil || !strings.Contains(err.Error(), "gridhub keygen") {
		t.Fatalf("missing key: %v", err)
	}
}

func TestAttachKeys(t *testing.T) {
	hub := testSigner(t, "k1")
	out, err := AttachKeys([]byte(`{"categories":[{"code":"repair"}]}`), hub.Public())
	if err != nil {
		t.Fatal(err)
	}
	var rd struct {
		Categories []struct{ Code string }
		CodeKeys   []Key `json:"code_keys"`
	}
	if err := json.Unmarshal(out, &rd); err != nil || len(rd.Categories) != 1 || len(rd.CodeKeys) != 1 ||
		!ed25519.PublicKey(rd.CodeKeys[0].Ed25519).Equal(hub.Key.Public()) {
		t.Fatalf("refdata %s: %v", out, err)
	}
	if _, err := AttachKeys([]byte(`[1]`), hub.Public()); err == nil {
		t.Fatal("a JSON array took keys")
	}
}

// A photographed appointment code shows neither the resident's name nor
// any part of their ID number or phone; the station that holds its key
// matches the card laid, and only that card.
func TestAppointmentIsPrivate(t *testing.T) {
	hub := testSigner(t, "k1")
	a := appointment()
	a.Person.Nation = "回"
	code, err := hub.Appointment(a)
	if err != nil {
		t.Fatal(err)
	}
	signed, _, _ := strings.Cut(code, ".")
	payload, err := base64.RawURLEncoding.DecodeString(signed[len("GK1:A:"):])
	if err != nil {
		t.Fatal(err)
	}
	seen := code + "\n" + string(payload)
	for _, secret := range []string{"王秀兰", "秀", "14102919520317122X", "19520317", "0317122X", "13835712345", "12345", "回"} {
		if strings.Contains(seen, secret) {
			t.Errorf("the code reveals %q: %s", secret, payload)
		}
	}
	v := Verifier{Keys: []Key{hub.ForStation(station)}, Station: station}
	c, err := v.Check(code, at("2026-11-27 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"14102919520317122X", true},
		{" 14102919520317122x ", true},
		{"141029195203171220", false},
		{"110101199003070014", false},
		{"", false},
	} {
		if got := c.Appointment.Matches(tc.id); got != tc.want {
			t.Errorf("Matches(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
	// Another station's key, or the public key alone, gives nothing to match
	// against: the code is refused, not accepted unmatchable.
	for name, k := range map[string]Key{"another station's key": hub.ForStation("141029-zl-01"), "public key only": hub.Public()} {
		c, err := Verifier{Keys: []Key{k}, Station: station}.Check(code, at("2026-11-27 12:00"))
		if name == "public key only" {
			if ReasonOf(err) != UnknownKey {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err != nil || c.Appointment.Matches("14102919520317122X") {
			t.Errorf("%s: matched the card (%v)", name, err)
		}
	}
	// Each station has its own key, and the keys hide the seed.
	if k1, k2 := hub.IDKey(station), hub.IDKey("141029-zl-01"); len(k1) != 32 || string(k1) == string(k2) || strings.Contains(string(k1), string(hub.Key.Seed()[:8])) {
		t.Error("station keys are not distinct 32-byte keys")
	}
	// An unchecked appointment matches nothing.
	if (&Appointment{Holder: c.Appointment.Holder}).Matches("14102919520317122X") {
		t.Error("an appointment no verifier checked matched")
	}
}

// legacy signs an appointment as hubs did before codes were private: the
// person in clear.
func legacy(t *testing.T, s Signer, a Appointment) string {
	t.Helper()
	a.ID, a.IssuedAt, a.Key = "legacy-0001", 1, s.KeyID
	code, err := s.sign(KindAppointment, a)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func tamperLegacy(code string) string {
	signed, sig, _ := strings.Cut(code, ".")
	b, _ := base64.RawURLEncoding.DecodeString(signed[6:])
	b = []byte(strings.Replace(string(b), "王秀兰", "张三", 1))
	return signed[:6] + base64.RawURLEncoding.EncodeToString(b) + "." + sig
}

func TestLegacyAppointmentStillAccepted(t *testing.T) {
	hub := testSigner(t, "k1")
	c, err := Verifier{Keys: []Key{hub.Public()}, Station: station}.Check(legacy(t, hub, appointment()), at("2026-11-27 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Appointment.Private() || c.Appointment.Person != appointment().Person || !c.Appointment.Matches("14102919520317122x") {
		t.Fatalf("legacy appointment %+v", c.Appointment)
	}
}

func mustID(t *testing.T, v Verifier, code string, now time.Time) string {
	t.Helper()
	v.Used, v.Revoked = nil, nil
	c, err := v.Check(code, now)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID()
}

func mustSign(t *testing.T, s Signer) string {
	t.Helper()
	code, err := s.Appointment(appointment())
	if err != nil {
		t.Fatal(err)
	}
	return code
}
