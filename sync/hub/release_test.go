package hub_test

import (
	"reflect"
	"testing"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// Effective picks what AssignedRelease would: the station's own, else
// its county's for its arch, else its county's for every arch; all of
// the county's while its arch is unknown. Behind needs a known running
// version and every applicable release newer.
func TestEffectiveAndBehind(t *testing.T) {
	own := hub.Assignment{Target: hub.Target{Station: "141029-xfw-01"}, Version: "3.0"}
	all := hub.Assignment{Target: hub.Target{County: "141029"}, Version: "2.0"}
	arm := hub.Assignment{Target: hub.Target{County: "141029", Arch: "arm64"}, Version: "2.1"}
	other := hub.Assignment{Target: hub.Target{County: "141030"}, Version: "9.0"}
	as := []hub.Assignment{own, all, arm, other}
	for _, tc := range []struct {
		name                     string
		as                       []hub.Assignment
		station, community, arch string
		want                     []hub.Assignment
		running                  string
		behind                   bool
	}{
		{"own wins", as, "141029-xfw-01", "141029100001", "arm64", []hub.Assignment{own}, "2.9", true},
		{"county for the arch", as, "141029-zl-01", "141029200001", "arm64", []hub.Assignment{arm}, "2.1", false},
		{"county for every arch", as, "141029-zl-01", "141029200001", "amd64", []hub.Assignment{all}, "1.0+gabc", true},
		{"arch unknown: all of the county's", as, "141029-zl-01", "141029200001", "", []hub.Assignment{all, arm}, "2.0", false},
		{"arch unknown, older than both", as, "141029-zl-01", "141029200001", "", []hub.Assignment{all, arm}, "1.9", true},
		{"running unknown", as, "141029-zl-01", "141029200001", "amd64", []hub.Assignment{all}, "", false},
		{"not a version: behind", as, "141029-zl-01", "141029200001", "amd64", []hub.Assignment{all}, "dev", true},
		{"no report: no county", as, "141029-zl-01", "", "amd64", nil, "1.0", false},
		{"county with nothing for the arch", []hub.Assignment{arm}, "141029-zl-01", "141029200001", "amd64", nil, "1.0", false},
	} {
		got := hub.Effective(tc.as, tc.station, tc.community, tc.arch)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Effective = %+v, want %+v", tc.name, got, tc.want)
		}
		if b := hub.Behind(tc.running, got); b != tc.behind {
			t.Errorf("%s: Behind(%q) = %v, want %v", tc.name, tc.running, b, tc.behind)
		}
	}
}
