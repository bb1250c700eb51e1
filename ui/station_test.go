package ui

import (
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance"
)

// The real station is what the screens are built against.
var _ Station = (*appliance.Station)(nil)

func TestTr(t *testing.T) {
	for _, tc := range []struct{ lang, want string }{{"zh-CN", "确认"}, {"", "确认"}, {"en", "Confirm"}} {
		if got := Tr(tc.lang, "确认", "Confirm"); got != tc.want {
			t.Errorf("Tr(%q) = %q", tc.lang, got)
		}
	}
}
