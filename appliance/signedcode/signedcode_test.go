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
	v := Verifier{Keys: []Key{hub.Public()}, Station: station,
		Used: func(id string) bool { return used[id] }, Revoked: func(id string) bool { return revoked[id] }}

	// tamper changes the payload (the person's name) and keeps the signature.
	tamper := func(code string) string {
		signed, sig, _ := strings.Cut(code, ".")
		b, _ := base64.RawURLEncoding.DecodeString(signed[6:])
		var m map[string]any
		json.Unmarshal(b, &m)
		m["person"].(map[string]any)["name"] = "张三"
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
	c, err := Verifier{Keys: []Key{hub.Public()}, Station: station}.Check(code, at("2026-11-27 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	a := c.Appointment
	if c.Kind != KindAppointment || a.Person != appointment().Person || a.Purpose != "certificate" || a.Key != "k1" || len(a.ID) != 24 {
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
	long.Person.Name = strings.Repeat("名", 400)
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
