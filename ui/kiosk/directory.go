package kiosk

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/grid"
)

// directory is the part of the hub's reference data the done screen
// needs: the station's compounds and micro grids, and who is responsible
// for each. The station passes it on raw (RefData.Raw), since it has no
// use for it itself.
type directory struct {
	compounds []compound
	staff     []person
}

type compound struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Micro []cell `json:"micro"`
}

type cell struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type person struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Role  string `json:"role"`
	Micro string `json:"micro"`
}

// newDirectory reads the directory from the reference data, keeping the
// compounds of community (the station's own); it is empty when the data
// are missing or do not parse, and the done screen then names nobody.
func newDirectory(rd *appliance.RefData, community string) directory {
	var d directory
	if rd == nil {
		return d
	}
	var raw struct {
		Grid struct {
			Townships []struct {
				Communities []struct {
					Code      string     `json:"code"`
					Compounds []compound `json:"compounds"`
				} `json:"communities"`
			} `json:"townships"`
		} `json:"grid"`
		Staff []person `json:"staff"`
	}
	if json.Unmarshal(rd.Raw, &raw) != nil {
		return d
	}
	for _, t := range raw.Grid.Townships {
		for _, c := range t.Communities {
			if c.Code == community {
				d.compounds = append(d.compounds, c.Compounds...)
			}
		}
	}
	d.staff = raw.Staff
	return d
}

// place is where a resident belongs: a micro grid and the person to turn
// to there.
type place struct {
	path   *grid.Path // compound and micro grid; nil when not known
	where  string     // the micro grid whose leader is named; "" for the community's
	leader person     // zero when the directory names nobody
}

// placeOf finds the micro grid an address lies in: the one whose name
// (less 微网格) stands in the address as a whole, "7号楼" in "…7号院7号楼2单元"
// but not in "…17号楼…". Where several compounds have a micro grid of
// that name, the compound must be in the address too. An address that
// matches no micro grid, or several, is placed in the community, whose
// grid leader is then the one to turn to.
func (d directory) placeOf(address string) place {
	type hit struct {
		c compound
		m cell
	}
	var hits []hit
	for _, c := range d.compounds {
		for _, m := range c.Micro {
			if contains(address, strings.TrimSuffix(m.Name, "微网格")) {
				hits = append(hits, hit{c, m})
			}
		}
	}
	if len(hits) > 1 {
		var inCompound []hit
		for _, h := range hits {
			if contains(address, h.c.Name) || contains(address, numberedTail(h.c.Name)) {
				inCompound = append(inCompound, h)
			}
		}
		hits = inCompound
	}
	if len(hits) != 1 {
		return place{leader: d.withRole("community_grid_leader", "")}
	}
	h := hits[0]
	p := place{path: &grid.Path{Compound: h.c.Code, Micro: h.m.Code}, where: h.m.Name,
		leader: d.withRole("micro_grid_leader", h.m.Code)}
	if p.leader.Name == "" {
		// A micro grid without a leader on the list: the community's
		// leader answers for it.
		p.where, p.leader = "", d.withRole("community_grid_leader", "")
	}
	return p
}

// withRole returns the first person of role (for micro, in that micro
// grid), or nobody.
func (d directory) withRole(role, micro string) person {
	for _, p := range d.staff {
		if p.Role == role && p.Micro == micro {
			return p
		}
	}
	return person{}
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
