package printer

import (
	"strings"
	"testing"
)

func TestProfiles(t *testing.T) {
	for _, tt := range []struct {
		p             Profile
		dots, columns int
	}{{Profile58(), 384, 32}, {Profile80(), 576, 48}} {
		if tt.p.Dots != tt.dots || tt.p.Columns != tt.columns || !tt.p.NativeQR || tt.p.ChineseMode || tt.p.Raster || tt.p.CutFeed != 4 {
			t.Errorf("%+v", tt.p)
		}
		if err := tt.p.Validate(); err != nil {
			t.Error(err)
		}
	}
}

func TestProfileValidate(t *testing.T) {
	with := func(f func(*Profile)) Profile {
		p := Profile58()
		f(&p)
		return p
	}
	tests := []struct {
		name string
		p    Profile
		want string // "" for valid
	}{
		{"72 mm", with(func(p *Profile) { p.Dots, p.Columns = 512, 42 }), ""},
		{"font B columns", with(func(p *Profile) { p.Columns = 42 }), ""},
		{"font B columns raster", with(func(p *Profile) { p.Columns, p.Raster = 42, true }), "42 columns: want 4 to 32 on 384 dots"},
		{"zero", Profile{}, "width 0 dots"},
		{"not bytes", with(func(p *Profile) { p.Dots = 380 }), "width 380 dots"},
		{"too wide", with(func(p *Profile) { p.Dots = 2048 }), "width 2048 dots"},
		{"no columns", with(func(p *Profile) { p.Columns = 0 }), "0 columns"},
		{"too many columns", with(func(p *Profile) { p.Columns = 64 }), "64 columns"},
		{"negative cut feed", with(func(p *Profile) { p.CutFeed = -1 }), "cut feed -1"},
		{"cut feed too long", with(func(p *Profile) { p.CutFeed = 256 }), "cut feed 256"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), "printer: profile") || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}
