package console

import (
	"testing"
	"unicode/utf8"
)

func TestMasks(t *testing.T) {
	for _, c := range []struct {
		f        func(string) string
		in, want string
	}{
		{maskName, "王秀兰", "王**"},
		{maskName, "张", "张*"},
		{maskName, "", ""},
		{maskID, "141029195203171226", "1410**********1226"},
		{maskID, "123", "***"},
		{maskPhone, "13835712345", "138****2345"},
		{maskPhone, "110", "***"},
		{maskAddress, "山西省乡宁县昌宁镇幸福湾社区7号院", "山西省乡宁县…"},
	} {
		if got := c.f(c.in); got != c.want {
			t.Errorf("mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A cell a resident typed that a spreadsheet would take for a formula
// is kept as text.
func TestCellSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1 助老送餐": "'=1+1 助老送餐", "+86 138": "'+86 138", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "助老送餐": "助老送餐", "": "", "1+1": "1+1",
	} {
		if got := cellSafe(in); got != want {
			t.Errorf("cellSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// Reference data is the county's file: whatever it holds, the console
// reads what it can and never fails a page over it.
func FuzzParseRefData(f *testing.F) {
	f.Add([]byte(`{"grid":{"townships":[{"code":"1","name":"镇","communities":[{"code":"2","name":"社区","compounds":[{"code":"c","name":"院","micro":[{"code":"m","name":"楼"}]}]}]}]},"categories":[{"code":"a","name":"甲"}],"staff":[{"id":"s","name":"李"}]}`))
	f.Add([]byte(`{"grid":[1,2],"staff":{}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ri := parseRefData(data)
		for code, name := range ri.names {
			if got := ri.name(code); utf8.ValidString(name) && got == "" {
				t.Fatalf("name(%q) is empty", code)
			}
		}
		_ = ri.category("x")
	})
}

// A stored hash is read before any hashing: whatever the store holds,
// the parser says yes within bounds or no, and never panics.
func FuzzParseHash(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=64,t=1")
	f.Add("$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Fuzz(func(t *testing.T, enc string) {
		p, salt, hash, err := parseHash(enc)
		if err != nil {
			return
		}
		if p.Memory > 256*1024 || p.Time > 16 || p.Threads > 8 || p.Threads < 1 || len(salt) < 8 || len(hash) < 16 {
			t.Fatalf("parseHash(%q) took out-of-bounds %+v, salt %d, hash %d", enc, p, len(salt), len(hash))
		}
	})
}

// Names that are no account are checked against dummyHash, at the real
// cost: it must parse, or they would answer faster.
func TestDummyHash(t *testing.T) {
	p, _, _, err := parseHash(dummyHash)
	if err != nil || p != DefaultPassword {
		t.Fatalf("dummyHash: %+v %v; want DefaultPassword's costs", p, err)
	}
}
