package appliance

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/appliance/grid"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// PlaceOf finds the micro grid of the station's community that an address
// lies in, from the hub's reference data: the micro grid whose name (less
// 微网格) stands in the address as a whole, "7号楼" in "…7号院7号楼2单元" but
// not in "…17号楼…". Where several compounds have a micro grid of that
// name, the compound must be in the address too. An address that matches
// no micro grid, or several, is placed in the community, whose grid leader
// is then the one to turn to. Without reference data it places nobody.
func (s *Station) PlaceOf(address string) station.Place {
	return newDirectory(s.RefData(), s.cfg.Station.Grid.Community).placeOf(address)
}

// directory is the part of the reference data PlaceOf needs: the
// community's compounds and micro grids, and the staff.
type directory struct {
	compounds []compound
	staff     []StaffRef
}

type compound struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Micro []struct {
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"micro"`
}

// newDirectory reads the compounds of community from the reference data;
// it is empty when they are missing or do not parse.
func newDirectory(rd *RefData, community string) directory {
	var d directory
	if rd == nil {
		return d
	}
	var g struct {
		Townships []struct {
			Communities []struct {
				Code      string     `json:"code"`
				Compounds []compound `json:"compounds"`
			} `json:"communities"`
		} `json:"townships"`
	}
	if json.Unmarshal(rd.Grid, &g) != nil {
		return d
	}
	for _, t := range g.Townships {
		for _, c := range t.Communities {
			if c.Code == community {
				d.compounds = append(d.compounds, c.Compounds...)
			}
		}
	}
	d.staff = rd.Staff
	return d
}

func (d directory) placeOf(address string) station.Place {
	type hit struct{ c, m int }
	var hits []hit
	for i, c := range d.compounds {
		for j, m := range c.Micro {
			if contains(address, strings.TrimSuffix(m.Name, "微网格")) {
				hits = append(hits, hit{i, j})
			}
		}
	}
	if len(hits) > 1 {
		var inCompound []hit
		for _, h := range hits {
			name := d.compounds[h.c].Name
			if contains(address, name) || contains(address, numberedTail(name)) {
				inCompound = append(inCompound, h)
			}
		}
		hits = inCompound
	}
	if len(hits) != 1 {
		return station.Place{Leader: d.withRole("community_grid_leader", "")}
	}
	c := d.compounds[hits[0].c]
	m := c.Micro[hits[0].m]
	p := station.Place{Path: &grid.Path{Compound: c.Code, Micro: m.Code}, Where: m.Name, Leader: d.withRole("micro_grid_leader", m.Code)}
	if p.Leader.Name == "" {
		// A micro grid without a leader on the list: the community's
		// leader answers for it.
		p.Where, p.Leader = "", d.withRole("community_grid_leader", "")
	}
	return p
}

// withRole returns the first person of role (for micro, in that micro
// grid), or nobody.
func (d directory) withRole(role, micro string) station.Leader {
	for _, p := range d.staff {
		if p.Role == role && p.Micro == micro {
			return station.Leader{ID: p.ID, Name: p.Name, Role: p.Role}
		}
	}
	return station.Leader{}
}

// contains reports whether name stands in s as a whole: not preceded by
// a digit, so that 7号楼 is not found in 17号楼.
func contains(s, name string) bool {
	if utf8.RuneCountInString(name) < 2 {
		return false
	}
	for i := 0; ; {
		j := strings.Index(s[i:], name)
		if j < 0 {
			return false
		}
		j += i
		r, _ := utf8.DecodeLastRuneInString(s[:j])
		if j == 0 || r < '0' || r > '9' {
			return true
		}
		i = j + len(name)
	}
}

// numberedTail is the numbered end of a compound's name, as addresses
// shorten it: "7号院" of "幸福湾小区7号院".
func numberedTail(name string) string {
	i := strings.IndexAny(name, "0123456789")
	if i < 0 {
		return ""
	}
	return name[i:]
}
