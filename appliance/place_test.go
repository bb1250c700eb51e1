package appliance

import (
	"encoding/json"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/grid"
)

// refData is a copy of the demo hub's reference data (sim/demo,
// which imports this package): Xingfuwan's compounds and grid staff.
const refData = `{"grid":{"townships":[{"code":"141029100","communities":[{"code":"141029100001","compounds":[
	{"code":"c07","name":"幸福湾小区7号院","micro":[{"code":"c07-m01","name":"1号楼微网格"},{"code":"c07-m03","name":"7号楼微网格"}]},
	{"code":"v02","name":"北坡村","micro":[{"code":"v02-m01","name":"北坡一组微网格"}]}]}]}]},
	"staff":[{"id":"s-0001","name":"赵丽娟","role":"community_grid_leader"},
	{"id":"s-0007","name":"李建国","role":"micro_grid_leader","micro":"c07-m03"}]}`

func parsed(t *testing.T, raw string) *RefData {
	t.Helper()
	rd, err := parseRefData([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

// The address on the card places the resident in a micro grid, or else
// in the community.
func TestPlaceOf(t *testing.T) {
	d := newDirectory(parsed(t, refData), "141029100001")
	tests := []struct {
		address, micro, where, leader string
	}{
		{"山西省乡宁县昌宁镇幸福湾社区7号院7号楼2单元301", "c07-m03", "7号楼微网格", "李建国"},
		{"山西省乡宁县昌宁镇幸福湾社区7号院17号楼1单元101", "", "", "赵丽娟"},
		{"山西省乡宁县昌宁镇幸福湾社区3号楼1单元502", "", "", "赵丽娟"},
		{"山西省乡宁县昌宁镇幸福湾社区北坡一组12号", "v02-m01", "", "赵丽娟"}, // no leader listed there
		{"山西省乡宁县昌宁镇幸福湾社区7号院1号楼", "c07-m01", "", "赵丽娟"},
		{"", "", "", "赵丽娟"},
	}
	for _, tc := range tests {
		p := d.placeOf(tc.address)
		micro := ""
		if p.Path != nil {
			micro = p.Path.Micro
		}
		if micro != tc.micro || p.Where != tc.where || p.Leader.Name != tc.leader {
			t.Errorf("placeOf(%q) = %s %q %q; want %s %q %q", tc.address, micro, p.Where, p.Leader.Name, tc.micro, tc.where, tc.leader)
		}
	}
	if p := newDirectory(nil, "141029100001").placeOf("7号楼"); p.Path != nil || p.Leader.Name != "" {
		t.Errorf("without reference data: %+v", p)
	}
	if p := newDirectory(parsed(t, refData), "141029100002").placeOf("7号院7号楼"); p.Path != nil {
		t.Errorf("another community's micro grid: %+v", p)
	}
}

// Two compounds with a 1号楼 each: the compound in the address decides.
func TestPlaceOfSameName(t *testing.T) {
	raw := `{"grid":{"townships":[{"communities":[{"code":"c","compounds":[
		{"code":"a","name":"幸福湾小区3号院","micro":[{"code":"a-1","name":"1号楼微网格"}]},
		{"code":"b","name":"幸福湾小区5号院","micro":[{"code":"b-1","name":"1号楼微网格"}]}]}]}]},
		"staff":[{"name":"甲","role":"micro_grid_leader","micro":"b-1"}]}`
	d := newDirectory(parsed(t, raw), "c")
	for addr, want := range map[string]*grid.Path{
		"幸福湾社区5号院1号楼": {Compound: "b", Micro: "b-1"},
		"幸福湾社区1号楼":    nil,
		"幸福湾小区3号院1号楼": {Compound: "a", Micro: "a-1"},
	} {
		got, _ := json.Marshal(d.placeOf(addr).Path)
		if w, _ := json.Marshal(want); string(got) != string(w) {
			t.Errorf("placeOf(%q) = %s; want %s", addr, got, w)
		}
	}
}

func FuzzPlaceOf(f *testing.F) {
	d := newDirectory(&RefData{}, "141029100001")
	if rd, err := parseRefData([]byte(refData)); err == nil {
		d = newDirectory(rd, "141029100001")
	}
	for _, s := range []string{"山西省乡宁县昌宁镇幸福湾社区7号院7号楼2单元301", "17号楼", "7号楼7号楼", "\xff7号楼", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, address string) {
		p := d.placeOf(address)
		if p.Path != nil && (p.Path.Compound == "" || p.Path.Micro == "") {
			t.Fatalf("half a path: %+v", p.Path)
		}
		if p.Where != "" && p.Leader.Name == "" {
			t.Fatalf("a micro grid named with nobody to turn to: %+v", p)
		}
	})
}
