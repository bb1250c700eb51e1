package grid

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	xfw := Path{County: "141029", Township: "141029100", Community: "141029100001", Compound: "c07", Micro: "c07-m03"}
	tests := []struct {
		name  string
		p     Path
		field string
	}{
		{"full path", xfw, ""},
		{"county only", Path{County: "141029"}, ""},
		{"industry grid", Path{County: "141029", Industry: "ind-civil-affairs"}, ""},
		{"dedicated grid", Path{County: "141029", Township: "141029100", Dedicated: "market-01"}, ""},
		{"no county", Path{}, "county"},
		{"short county", Path{County: "14102"}, "county"},
		{"township outside county", Path{County: "141029", Township: "141030100"}, "township"},
		{"community not 12 digits", Path{County: "141029", Township: "141029100", Community: "1410291001"}, "community"},
		{"skipped township", Path{County: "141029", Community: "141029100001"}, "community"},
		{"micro without compound", Path{County: "141029", Township: "141029100", Community: "141029100001", Micro: "m1"}, "micro"},
		{"compound without community", Path{County: "141029", Township: "141029100", Compound: "c07"}, "compound"},
		{"bad compound characters", Path{County: "141029", Township: "141029100", Community: "141029100001", Compound: "7号楼"}, "compound"},
		{"dedicated without township", Path{County: "141029", Dedicated: "school"}, "dedicated"},
		{"long industry", Path{County: "141029", Industry: strings.Repeat("x", 33)}, "industry"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid path refused: %v", err)
				}
				return
			}
			var ge *Error
			if !errors.As(err, &ge) || ge.Field != tc.field {
				t.Fatalf("err = %v, want field %s", err, tc.field)
			}
		})
	}
}

func TestWithin(t *testing.T) {
	base := Path{County: "141029", Township: "141029100", Community: "141029100001"}
	tests := []struct {
		p, want Path
	}{
		{Path{}, base},
		{Path{Compound: "c07", Micro: "c07-m03"}, Path{County: "141029", Township: "141029100", Community: "141029100001", Compound: "c07", Micro: "c07-m03"}},
		{Path{Industry: "ind-health"}, Path{County: "141029", Township: "141029100", Community: "141029100001", Industry: "ind-health"}},
		// A record from another township keeps its own levels below the county.
		{Path{Township: "141029200"}, Path{County: "141029", Township: "141029200"}},
	}
	for _, tc := range tests {
		if got := tc.p.Within(base); got != tc.want {
			t.Errorf("%+v.Within = %+v, want %+v", tc.p, got, tc.want)
		}
	}
}

func TestString(t *testing.T) {
	p := Path{County: "141029", Township: "141029100", Community: "141029100001", Industry: "ind-health"}
	if got := p.String(); got != "141029 › 141029100 › 141029100001 [industry ind-health]" {
		t.Fatal(got)
	}
}
