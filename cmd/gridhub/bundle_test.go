package main

import (
	"strings"
	"testing"
)

func TestLastLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"rauc-Message: 05:42:00.781: Reading bundle: /tmp/b.raucb\nfailed to load CA file 'key.pem'\n", "failed to load CA file 'key.pem'"},
		{"rauc-Message: 05:42:00.862: Verifying bundle signature... \n", "Verifying bundle signature..."},
		{"", "no message"},
		{"\n\n", "no message"},
	} {
		if got := lastLine(tc.in); got != tc.want {
			t.Errorf("lastLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// rauc info's JSON: the manifest's compatible and version are taken, a
// bundle without a compatible or output that is not JSON refused.
func FuzzParseRaucInfo(f *testing.F) {
	f.Add([]byte(`{"compatible":"gridkiosk-amd64","version":"2026.12.7.140500+g61892aa","description":null,"build":null,"hooks":[],"images":[{"rootfs":{"variant":null,"filename":"root.img","checksum":"e9","size":100000,"hooks":[],"adaptive":[]}}]}`))
	f.Add([]byte(`{"compatible":""}`))
	f.Add([]byte(`rauc-Message: Reading bundle`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseRaucInfo(b)
		if err == nil && m.Compatible == "" {
			t.Fatalf("took %q without a compatible", b)
		}
		if err != nil && !strings.Contains(err.Error(), "rauc info") {
			t.Fatalf("error %q does not say it is rauc info's output", err)
		}
		if l := lastLine(string(b)); l == "" || strings.Contains(l, "\n") {
			t.Fatalf("lastLine(%q) = %q, want one non-empty line", b, l)
		}
	})
}
