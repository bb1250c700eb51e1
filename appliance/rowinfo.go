package appliance

import (
	"encoding/json"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// describe fills in what a staff list says of a record beside its kind
// and ticket: whose it is, masked here so that no screen or API ever
// receives a full name, and what it is about. A record whose body cannot
// be read keeps its row with the two left empty: the list still shows it
// and its state.
func (s *Station) describe(rows []station.Row) []station.Row {
	names := s.categoryNames()
	for i := range rows {
		rec, _, err := s.box.Get(rows[i].ID)
		if err != nil {
			continue
		}
		name, code := s.whoAndWhat(rec)
		rows[i].Name = printable(citizenid.MaskName(name))
		rows[i].Matter, rows[i].MatterEN = code, ""
		if c, ok := names[code]; ok {
			rows[i].Matter, rows[i].MatterEN = c.Name, c.NameEN
		}
	}
	return rows
}

// whoAndWhat reads a record's person's name and its matter's code (a
// category, a registration's purpose, a volunteer's service). A receipt
// is about the record it was printed for: the name is that record's.
func (s *Station) whoAndWhat(rec wire.Record) (name, matter string) {
	var p struct {
		Purpose   string                  `json:"purpose"`
		Category  string                  `json:"category"`
		Service   string                  `json:"service"`
		RecordID  string                  `json:"record_id"`
		Person    *record.Person          `json:"person"`
		Volunteer *record.VolunteerPerson `json:"volunteer"`
	}
	if json.Unmarshal(rec.Payload, &p) != nil {
		return "", ""
	}
	switch {
	case p.Person != nil:
		name = p.Person.Name
	case p.Volunteer != nil:
		name = p.Volunteer.Name
	case rec.Kind == wire.KindReceipt && p.RecordID != "":
		if of, _, err := s.box.Get(p.RecordID); err == nil {
			name, _ = s.whoAndWhat(of)
		}
	}
	for _, m := range []string{p.Category, p.Purpose, p.Service} {
		if m != "" {
			return name, m
		}
	}
	return name, ""
}

// categoryNames are the matters' names by code: the reference data's,
// over the few a station knows without it.
func (s *Station) categoryNames() map[string]station.Category {
	out := make(map[string]station.Category, len(categoryNames))
	for code, name := range categoryNames {
		out[code] = station.Category{Code: code, Name: name}
	}
	for _, c := range s.Categories() {
		out[c.Code] = c
	}
	return out
}
