package ui

import "testing"

func TestTr(t *testing.T) {
	for _, tc := range []struct{ lang, want string }{{"zh-CN", "确认"}, {"", "确认"}, {"en", "Confirm"}} {
		if got := Tr(tc.lang, "确认", "Confirm"); got != tc.want {
			t.Errorf("Tr(%q) = %q", tc.lang, got)
		}
	}
}
