package receiptcode

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

const id = "019a6b1e-5c3a-7f21-9d40-3b2a1c0d9e8f"

func mustBase(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := ParseBase(s)
	if err != nil {
		t.Fatalf("ParseBase(%q): %v", s, err)
	}
	return u
}

func TestNewKey(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		k := NewKey()
		if !ValidKey(k) {
			t.Fatalf("NewKey() = %q, not ValidKey", k)
		}
		if seen[k] {
			t.Fatalf("NewKey() repeated %q", k)
		}
		seen[k] = true
	}
	for _, bad := range []string{"", "short", strings.Repeat("A", 21), strings.Repeat("A", 23), strings.Repeat("+", 22), "AAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAB"} {
		if ValidKey(bad) {
			t.Errorf("ValidKey(%q) = true", bad)
		}
	}
}

func TestParseBase(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"https://hub.example.gov.cn", "https://hub.example.gov.cn", ""},
		{"https://Hub.Example.gov.cn/", "https://hub.example.gov.cn", ""},
		{"HTTPS://hub.example:8443/gridhub/", "https://hub.example:8443/gridhub", ""},
		{"http://10.0.0.5:8080", "http://10.0.0.5:8080", ""},
		{"", "", "empty"},
		{"hub.example", "", "scheme must be https"},
		{"ftp://hub.example", "", "scheme must be https"},
		{"https://", "", "no host"},
		{"https://:443", "", "no host"},
		{"https://u:p@hub.example", "", "no user"},
		{"https://hub.example/?x=1", "", "no query"},
		{"https://hub.example/?", "", "no query"},
		{"https://hub.example/#top", "", "no fragment"},
		{"https:hub.example", "", "no host"},
		{"https://hub example", "", "not a URL"},
	} {
		u, err := ParseBase(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseBase(%q) = %v, %v; want error with %q", tc.in, u, err, tc.err)
		case tc.err == "" && (err != nil || u.String() != tc.want):
			t.Errorf("ParseBase(%q) = %v, %v; want %s", tc.in, u, err, tc.want)
		}
	}
}

func TestLinkRoundTrip(t *testing.T) {
	key := NewKey()
	for _, b := range []string{"https://hub.example.gov.cn", "https://hub.example.gov.cn/gridhub/", "http://127.0.0.1:8080"} {
		base := mustBase(t, b)
		link, err := Link(base, strings.ToUpper(id), key)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimRight(b, "/") + "/r/" + id + "?k=" + key; link != want {
			t.Errorf("Link = %s, want %s", link, want)
		}
		c, err := Parse(link, base)
		if err != nil || c != (Code{ID: id, Key: key, Link: true}) {
			t.Errorf("Parse(%s) = %+v, %v", link, c, err)
		}
		// A scanner may add a line end; a printer-side case change of the
		// host is the same hub.
		if c, err := Parse(" "+strings.Replace(link, "127.0.0.1", "127.0.0.1", 1)+"\r\n", base); err != nil || c.ID != id {
			t.Errorf("Parse with spaces = %+v, %v", c, err)
		}
	}
	if _, err := Link(mustBase(t, "https://h.example"), "not-an-id", key); err == nil {
		t.Error("Link with a bad ID: no error")
	}
	if _, err := Link(mustBase(t, "https://h.example"), id, "short"); err == nil {
		t.Error("Link with a bad key: no error")
	}
}

func TestParse(t *testing.T) {
	key := NewKey()
	base := mustBase(t, "https://hub.example.gov.cn/gk")
	for _, tc := range []struct {
		in   string
		base *url.URL
		want Code
		err  error
	}{
		{Old(id), nil, Code{ID: id}, nil},
		{Old(id), base, Code{ID: id}, nil},
		{Prefix + "not-a-uuid", base, Code{}, ErrNotReceipt},
		{"GK1:A:payload.sig", base, Code{}, ErrNotReceipt},
		{"hello", base, Code{}, ErrNotReceipt},
		{"https://hub.example.gov.cn/gk/r/" + id + "?k=" + key, base, Code{ID: id, Key: key, Link: true}, nil},
		{"https://HUB.example.gov.cn/gk/r/" + id + "?k=" + key, base, Code{ID: id, Key: key, Link: true}, nil},
		// No public URL known: the station never printed a link.
		{"https://hub.example.gov.cn/gk/r/" + id + "?k=" + key, nil, Code{}, ErrOtherHub},
		{"https://evil.example/gk/r/" + id + "?k=" + key, base, Code{}, ErrOtherHub},
		{"https://hub.example.gov.cn.evil.example/gk/r/" + id + "?k=" + key, base, Code{}, ErrOtherHub},
		{"http://hub.example.gov.cn/gk/r/" + id + "?k=" + key, base, Code{}, ErrOtherHub},
		{"https://hub.example.gov.cn:8443/gk/r/" + id + "?k=" + key, base, Code{}, ErrOtherHub},
		{"https://hub.example.gov.cn/r/" + id + "?k=" + key, base, Code{}, ErrOtherHub},
		{"https://hub.example.gov.cn/gk/x/r/" + id + "?k=" + key, base, Code{}, ErrOtherHub},
		{"https://hub.example.gov.cn/gk/r/" + id, base, Code{}, ErrNotReceipt},
		{"https://hub.example.gov.cn/gk/r/" + id + "?k=" + key + "&k=" + key, base, Code{}, ErrNotReceipt},
		{"https://hub.example.gov.cn/gk/r/" + id + "?k=" + key + "&x=1", base, Code{}, ErrNotReceipt},
		{"https://hub.example.gov.cn/gk/r/" + id + "?k=short", base, Code{}, ErrNotReceipt},
		{"https://hub.example.gov.cn/gk/r/" + id + "/?k=" + key, base, Code{}, ErrNotReceipt},
		{"https://hub.example.gov.cn/gk/r/" + id + "?k=" + key + "#x", base, Code{}, ErrNotReceipt},
		{"https://u@hub.example.gov.cn/gk/r/" + id + "?k=" + key, base, Code{}, ErrNotReceipt},
		{"https://www.example.com/", base, Code{}, ErrNotReceipt},
	} {
		c, err := Parse(tc.in, tc.base)
		if !errors.Is(err, tc.err) || c != tc.want {
			t.Errorf("Parse(%q, %v) = %+v, %v; want %+v, %v", tc.in, tc.base, c, err, tc.want, tc.err)
		}
	}
}

func TestTicket(t *testing.T) {
	for _, tc := range []struct {
		kind string
		seq  uint64
		want string
	}{{"registration", 42, "R0042"}, {"matter", 12345, "M2345"}, {"receipt", 1, "C0001"}, {"volunteer", 9999, "V9999"}, {"gossip", 7, "X0007"}} {
		if got := Ticket(tc.kind, tc.seq); got != tc.want {
			t.Errorf("Ticket(%s, %d) = %s, want %s", tc.kind, tc.seq, got, tc.want)
		}
	}
}

// FuzzParse: Parse never panics; what it takes is a code of a valid ID
// (and key, for a link) whose link, built again, parses to the same code.
func FuzzParse(f *testing.F) {
	base := mustBase(f, "https://hub.example.gov.cn/gk")
	for _, s := range []string{Old(id), "https://hub.example.gov.cn/gk/r/" + id + "?k=" + NewKey(), "https://x/r/?k=", "GK1:R:", "http://%zz", "https://hub.example.gov.cn/gk/r/" + id + "?k=%41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s, base)
		if err != nil {
			if c != (Code{}) {
				t.Fatalf("Parse(%q) = %+v with error %v", s, c, err)
			}
			return
		}
		if !ValidID(c.ID) {
			t.Fatalf("Parse(%q): ID %q is not valid", s, c.ID)
		}
		if !c.Link {
			if c.Key != "" {
				t.Fatalf("Parse(%q): key %q in the old form", s, c.Key)
			}
			return
		}
		link, err := Link(base, c.ID, c.Key)
		if err != nil {
			t.Fatalf("Parse(%q) = %+v, which Link refuses: %v", s, c, err)
		}
		again, err := Parse(link, base)
		if err != nil || again.Key != c.Key || !strings.EqualFold(again.ID, c.ID) {
			t.Fatalf("Parse(Link(Parse(%q))) = %+v, %v", s, again, err)
		}
	})
}

func TestParseAny(t *testing.T) {
	key := NewKey()
	for _, tc := range []struct{ in, base string }{
		{"https://Other.Example:8443/a/b/r/" + id + "?k=" + key, "https://other.example:8443/a/b"},
		{"http://10.0.0.5/r/" + id + "?k=" + key, "http://10.0.0.5"},
	} {
		c, at, err := ParseAny(tc.in)
		if err != nil || !c.Link || c.Key != key || at.String() != tc.base {
			t.Errorf("ParseAny(%s) = %+v, %v, %v; want base %s", tc.in, c, at, err, tc.base)
		}
		// Parse with that base takes it; Parse with another does not.
		if _, err := Parse(tc.in, at); err != nil {
			t.Errorf("Parse(%s, its own base): %v", tc.in, err)
		}
	}
	if c, at, err := ParseAny(Old(id)); err != nil || c.Link || at != nil {
		t.Errorf("ParseAny(old) = %+v, %v, %v", c, at, err)
	}
}
