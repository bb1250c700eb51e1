// Package demo holds the simulation's world: a station in Xingfuwan
// Community (幸福湾社区), Changning Town (昌宁镇), Xiangning County (乡宁县,
// 141029), its reference data, and a few records a newcomer sees flow from
// the kiosk to the hub. All people in it are invented; their ID numbers
// have valid check characters so they pass the station's rules.
package demo

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/grid"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// DemoVoicePack is the simulation's voice pack: make voice-pack's output,
// relative to the directory the kiosk is started in.
const DemoVoicePack = "build/voice"

// StationID is the demo station's ID.
const StationID = "141029-xfw-01"

// Config returns the demo station's configuration with its data in dir
// and its hub at hubURL (token in tokenFile). No devices are configured:
// the simulation brings its own.
func Config(dir, hubURL, tokenFile string) *config.Config {
	c := config.Default()
	c.Station.ID = StationID
	c.Station.Name = "幸福湾社区党群服务站"
	c.Station.Grid = grid.Path{County: "141029", Township: "141029100", Community: "141029100001"}
	c.Station.StaffDesk = "一楼大厅服务台（进门右手边） / the service desk on your right as you come in"
	c.Station.ReceiptSlot = "屏幕下方的出纸口 / the slot below the screen"
	c.Upstream.URL = hubURL
	c.Upstream.TokenFile = tokenFile
	c.Storage.Dir = dir
	c.UI.Fullscreen = false
	// Where make voice-pack writes the synthetic pack, from the
	// repository's top, where make run starts the kiosk.
	c.Voice.PackDir = DemoVoicePack
	return &c
}

// StaffPIN is the demo staff's PIN at the simulated station (for 李建国,
// s-0007, who is also the station's technician): a staff member without
// their code logs in with it.
const StaffPIN = "2580"

// The county console's demo account on the simulated hub: a county
// admin. The password is public, like the rest of the demo; a real hub's
// accounts are made with gridhub user add.
const (
	ConsoleUser     = "demo.admin"
	ConsolePassword = "gridkiosk-demo"
)

// staffPINHash is what gridhub staff pin set wrote for StaffPIN: fixed,
// so the demo's reference data (and its ETag) is the same at every start.
const staffPINHash = "$argon2id$v=19$m=19456,t=2,p=1$v+aL8SdPXZurcxMnagWpIA$6gSP5iIbomQo53zht8PPeZYdzMEjyRPyIylIHR17Guc"

// RefData is the demo hub's reference data for the station: the grid
// directory, the matter categories and the people responsible.
func RefData() []byte {
	var m map[string]any
	if err := json.Unmarshal([]byte(refData), &m); err != nil {
		panic("demo: reference data: " + err.Error())
	}
	for _, st := range m["staff"].([]any) {
		st := st.(map[string]any)
		if st["id"] == "s-0007" {
			st["pin_hash"] = staffPINHash
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("demo: reference data: " + err.Error())
	}
	return b
}

const refData = `{
  "grid": {
    "county": {"code": "141029", "name": "乡宁县"},
    "townships": [
      {"code": "141029100", "name": "昌宁镇", "communities": [
        {"code": "141029100001", "name": "幸福湾社区", "households": 7017, "residents": 22291,
         "compounds": [
           {"code": "c07", "name": "幸福湾小区7号院", "micro": [{"code": "c07-m03", "name": "7号楼微网格"}]},
           {"code": "v02", "name": "北坡自然村", "micro": [{"code": "v02-m01", "name": "北坡一组"}]}
         ]}
      ]},
      {"code": "141029101", "name": "台头镇"},
      {"code": "141029200", "name": "枣岭乡"}
    ],
    "industry": [{"code": "ind-civil-affairs", "name": "民政局行业网格"}, {"code": "ind-emergency", "name": "应急管理局行业网格"}]
  },
  "categories": [
    {"code": "dispute", "name": "矛盾纠纷", "name_en": "Neighbourhood dispute"},
    {"code": "hazard", "name": "安全隐患", "name_en": "Safety hazard"},
    {"code": "sanitation", "name": "环境卫生", "name_en": "Environment and sanitation"},
    {"code": "repair", "name": "公共设施报修", "name_en": "Shared facility repair"},
    {"code": "livelihood", "name": "民生诉求", "name_en": "Help for the elderly or disabled"},
    {"code": "policy", "name": "政策咨询", "name_en": "Policy question"},
    {"code": "certificate", "name": "证明开具", "name_en": "Certificate"},
    {"code": "returnee", "name": "返乡人员登记", "name_en": "Returnee registration"}
  ],
  "staff": [
    {"id": "s-0001", "name": "赵丽娟", "role": "community_grid_leader", "phone": "13903570001"},
    {"id": "s-0007", "name": "李建国", "role": "micro_grid_leader", "micro": "c07-m03", "phone": "13903570007", "party_member_central_household": true, "roles": ["technician"]},
    {"id": "s-0012", "name": "张伟", "role": "volunteer"}
  ]
}`

// Submissions returns the records the simulation submits on a fresh start,
// made at now.
func Submissions(now time.Time) ([]station.Submission, error) {
	id, err := idNumber("14102919520317122")
	if err != nil {
		return nil, err
	}
	reg := map[string]any{
		"person": map[string]any{
			"name": "王秀兰", "gender": "female", "nation": "汉", "birth": "1952-03-17",
			"address": "山西省乡宁县昌宁镇幸福湾社区7号院7号楼2单元301", "id_number": id,
			"card_type": "resident", "issuer": "乡宁县公安局", "valid_from": "2016-05-10", "valid_to": "长期",
		},
		"purpose": "certificate", "phone": "13835712345", "source": "idcard",
		"consent": map[string]any{"version": "2026-01", "at": now.Format(time.RFC3339)},
	}
	matter := map[string]any{"category": "repair", "description": "7号楼2单元楼道灯不亮，老人晚上上下楼不便", "phone": "13835712345"}
	hazard := map[string]any{"category": "hazard", "description": "北坡自然村路口电线垂落，离地面不足两米"}
	var out []station.Submission
	for _, s := range []struct {
		kind string
		p    map[string]any
		g    *grid.Path
	}{
		{"registration", reg, &grid.Path{Compound: "c07", Micro: "c07-m03"}},
		{"matter", matter, &grid.Path{Compound: "c07", Micro: "c07-m03"}},
		{"matter", hazard, &grid.Path{Compound: "v02", Micro: "v02-m01", Industry: "ind-emergency"}},
	} {
		raw, err := json.Marshal(s.p)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		out = append(out, station.Submission{Kind: s.kind, Payload: raw, Grid: s.g})
	}
	return out, nil
}

func idNumber(first17 string) (string, error) {
	c, err := citizenid.CheckChar(first17)
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	return first17 + string(c), nil
}

// Appointment is the demo hub's appointment for 王秀兰, the resident of
// the emulated reader's "resident" card, to have a certificate issued on
// date (YYYY-MM-DD): the code names her only masked, and her card
// confirms her.
func Appointment(date string) (signedcode.Appointment, error) {
	id, err := idNumber("14102919520317122")
	if err != nil {
		return signedcode.Appointment{}, err
	}
	return signedcode.Appointment{Station: StationID, Date: date, Purpose: "certificate",
		Person: signedcode.Person{Name: "王秀兰", IDNumber: id}}, nil
}

// StaffBadge is the demo hub's badge for 李建国, micro-grid leader of
// Building 7, valid for a year from now.
func StaffBadge(now time.Time) signedcode.Staff {
	return signedcode.Staff{Station: StationID, StaffID: "s-0007", Name: "李建国", Role: "micro_grid_leader",
		NotBefore: now.Add(-time.Hour).Unix(), Expires: now.AddDate(1, 0, 0).Unix()}
}
