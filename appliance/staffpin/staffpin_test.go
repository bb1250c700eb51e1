package staffpin

import (
	"errors"
	"strings"
	"testing"
)

// cheap keeps the tests quick; the costs themselves are Default's business.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := Hash("2580")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry Default's parameters", h)
	}
	if strings.Contains(h, "2580") {
		t.Fatalf("hash %q holds the PIN", h)
	}
	for _, c := range []struct {
		pin  string
		want bool
	}{{"2580", true}, {"2581", false}, {"", false}, {"02580", false}} {
		if ok, err := Verify(h, c.pin); err != nil || ok != c.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", c.pin, ok, err, c.want)
		}
	}
	// A salt of its own: the same PIN hashes differently twice.
	h2, _ := HashWith(cheap, "2580")
	h3, _ := HashWith(cheap, "2580")
	if h2 == h3 {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
	if ok, err := Verify(h2, "2580"); err != nil || !ok {
		t.Fatalf("Verify with the parameters in the string: %v %v", ok, err)
	}
}

func TestRefused(t *testing.T) {
	for _, c := range []struct {
		name, hash string
		want       error
	}{
		{"old sha-256", strings.Repeat("ab", 32), ErrOldHash},
		{"empty", "", ErrMalformed},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", ErrMalformed},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", ErrMalformed},
		{"order", "$argon2id$v=19$t=1,m=64,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", ErrMalformed},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", ErrMalformed},
		{"padded", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA", ErrMalformed},
		{"trailing", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA$", ErrMalformed},
	} {
		if _, err := Verify(c.hash, "2580"); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Costs that would stall or exhaust a station.
	for _, h := range []string{
		"$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=255$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
	} {
		if _, err := Verify(h, "2580"); err == nil || !strings.Contains(err.Error(), "out of bounds") {
			t.Errorf("Verify(%s): %v, want out of bounds", h, err)
		}
	}
}

func TestCheckPIN(t *testing.T) {
	for pin, ok := range map[string]bool{"2580": true, "12345678": true, "123": false, "123456789": false, "12a4": false, "２５８０": false, "": false} {
		if err := CheckPIN(pin); (err == nil) != ok {
			t.Errorf("CheckPIN(%q) = %v", pin, err)
		}
	}
	if _, err := Hash("12"); err == nil {
		t.Error("Hash took a two-digit PIN")
	}
}

func FuzzParse(f *testing.F) {
	h, _ := HashWith(cheap, "2580")
	f.Add(h)
	f.Add(strings.Repeat("0", 64))
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, hash, err := Parse(s)
		if err != nil {
			return
		}
		if p.Memory > maxMemory || p.Time > maxTime || p.Threads > maxThreads || p.Threads == 0 || len(salt) < 8 || len(hash) < 16 {
			t.Fatalf("Parse(%q) took %+v, %d-byte salt, %d-byte hash", s, p, len(salt), len(hash))
		}
	})
}

// BenchmarkVerify is one PIN check at Default's costs: what a staff member
// waits at the keypad, and what each offline guess costs.
func BenchmarkVerify(b *testing.B) {
	h, err := Hash("2580")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Verify(h, "2580")
	}
}
