// Package grid describes where a record belongs: the five-level grid path
// (county → township → community → compound → micro grid) and the two side
// branches, industry grids under the county and dedicated grids under a
// township.
//
// County, township and community carry the statistical division codes of
// GB/T 2260 and its 9- and 12-digit extensions, so a community code starts
// with its township's code and a township code with its county's. Compound
// and micro-grid identifiers are assigned locally by the community.
package grid

import (
	"fmt"
	"strings"
)

// Path is a record's place in the grid. The JSON names are part of the
// upstream wire contract; the TOML names are part of the config contract.
type Path struct {
	County    string `json:"county" toml:"county"`
	Township  string `json:"township,omitempty" toml:"township,omitempty"`
	Community string `json:"community,omitempty" toml:"community,omitempty"`
	Compound  string `json:"compound,omitempty" toml:"compound,omitempty"`
	Micro     string `json:"micro,omitempty" toml:"micro,omitempty"`
	// Industry names an industry grid (行业网格) under the county, for matters
	// that belong to a department as well as to a place.
	Industry string `json:"industry,omitempty" toml:"industry,omitempty"`
	// Dedicated names a dedicated grid (专属网格) under the township: a school,
	// a hospital, a market.
	Dedicated string `json:"dedicated,omitempty" toml:"dedicated,omitempty"`
}

// Error says which level of a path is wrong and why.
type Error struct {
	Field string // "county", "township", …
	Msg   string
}

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

// Validate checks each level's form and that each level lies inside the one
// above it. A path may stop at any level, but it may not skip one.
func (p Path) Validate() error {
	levels := []struct {
		name, val string
		digits    int
	}{
		{"county", p.County, 6},
		{"township", p.Township, 9},
		{"community", p.Community, 12},
	}
	parent := ""
	for _, l := range levels {
		if l.val == "" {
			if l.name == "county" {
				return &Error{"county", "is required (6-digit division code, e.g. 141029)"}
			}
			break
		}
		if len(l.val) != l.digits || !allDigits(l.val) {
			return &Error{l.name, fmt.Sprintf("%q must be %d digits", l.val, l.digits)}
		}
		if !strings.HasPrefix(l.val, parent) {
			return &Error{l.name, fmt.Sprintf("%q does not lie inside %q", l.val, parent)}
		}
		parent = l.val
	}
	if p.Community == "" && p.Compound != "" {
		return &Error{"compound", "is set but community is not"}
	}
	if p.Compound == "" && p.Micro != "" {
		return &Error{"micro", "is set but compound is not"}
	}
	if p.Township == "" && (p.Community != "" || p.Dedicated != "") {
		f := "community"
		if p.Community == "" {
			f = "dedicated"
		}
		return &Error{f, "is set but township is not"}
	}
	for _, l := range []struct{ name, val string }{
		{"compound", p.Compound}, {"micro", p.Micro},
		{"industry", p.Industry}, {"dedicated", p.Dedicated},
	} {
		if err := checkLocalID(l.val); err != nil {
			return &Error{l.name, err.Error()}
		}
	}
	return nil
}

// Within fills the levels p leaves empty from base, as long as what p does
// give agrees with base. A record that names only its compound thus inherits
// the station's county, township and community.
func (p Path) Within(base Path) Path {
	out := p
	if out.County == "" {
		out.County = base.County
	}
	if out.County != base.County {
		return out
	}
	if out.Township == "" {
		out.Township = base.Township
	}
	if out.Township != base.Township {
		return out
	}
	if out.Community == "" {
		out.Community = base.Community
	}
	if out.Community != base.Community {
		return out
	}
	if out.Compound == "" {
		out.Compound = base.Compound
		if out.Micro == "" {
			out.Micro = base.Micro
		}
	}
	if out.Dedicated == "" {
		out.Dedicated = base.Dedicated
	}
	return out
}

// String joins the path's levels with " › ", for logs and the technician screen.
func (p Path) String() string {
	parts := []string{}
	for _, v := range []string{p.County, p.Township, p.Community, p.Compound, p.Micro} {
		if v == "" {
			break
		}
		parts = append(parts, v)
	}
	s := strings.Join(parts, " › ")
	if p.Industry != "" {
		s += " [industry " + p.Industry + "]"
	}
	if p.Dedicated != "" {
		s += " [dedicated " + p.Dedicated + "]"
	}
	return s
}

func checkLocalID(s string) error {
	if len(s) > 32 {
		return fmt.Errorf("%q is longer than 32 characters", s)
	}
	for _, r := range s {
		ok := r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_'
		if !ok {
			return fmt.Errorf("%q may hold only letters, digits, '-' and '_'", s)
		}
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
