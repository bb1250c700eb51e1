package console

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// personRow is a registration or a volunteer's hours, personal data
// masked unless Revealed.
type personRow struct {
	ID, Received, Station, Community, What, Name, IDNumber, Phone, Address string
	Minutes                                                                int
	Party, Revealed                                                        bool
}

type peopleData struct {
	Kind, Heading string
	Rows          []personRow
	TotalHours    string
	CanReveal     bool
	Capped        bool
}

type registrationPayload struct {
	Person struct {
		Name     string `json:"name"`
		IDNumber string `json:"id_number"`
		Address  string `json:"address"`
	} `json:"person"`
	Purpose string `json:"purpose"`
	Phone   string `json:"phone"`
}

type volunteerPayload struct {
	Volunteer struct {
		Name        string `json:"name"`
		IDNumber    string `json:"id_number"`
		PartyMember bool   `json:"party_member"`
	} `json:"volunteer"`
	Service string `json:"service"`
	Minutes int    `json:"minutes"`
	Date    string `json:"date"`
}

// row reads a registration, volunteer or matter record's personal data,
// masked unless reveal.
func row(st hub.Stored, ri refInfo, reveal bool) personRow {
	pr := personRow{ID: st.Record.ID, Received: when(receivedAt(st)), Station: st.StationID,
		Community: ri.name(recordPlace(st).Community), Revealed: reveal}
	switch st.Record.Kind {
	case kindRegistration:
		var p registrationPayload
		json.Unmarshal(st.Record.Payload, &p)
		pr.What, pr.Name, pr.IDNumber, pr.Phone, pr.Address = ri.category(p.Purpose), p.Person.Name, p.Person.IDNumber, p.Phone, p.Person.Address
	case kindVolunteer:
		var p volunteerPayload
		json.Unmarshal(st.Record.Payload, &p)
		pr.What, pr.Name, pr.IDNumber, pr.Minutes, pr.Party = p.Service, p.Volunteer.Name, p.Volunteer.IDNumber, p.Minutes, p.Volunteer.PartyMember
		if p.Date != "" {
			pr.Received = p.Date
		}
	case kindMatter:
		var p matterPayload
		json.Unmarshal(st.Record.Payload, &p)
		pr.What, pr.Phone = ri.category(p.Category), p.Phone
		if p.Person != nil {
			pr.Name, pr.IDNumber = p.Person.Name, p.Person.IDNumber
		}
	}
	if !reveal {
		pr.Name, pr.IDNumber, pr.Phone, pr.Address = maskName(pr.Name), maskID(pr.IDNumber), maskPhone(pr.Phone), maskAddress(pr.Address)
	}
	return pr
}

func heading(kind string) string {
	if kind == kindVolunteer {
		return "志愿服务时长 Volunteer hours"
	}
	return "登记 Registrations"
}

func (c *Console) people(kind string) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		recs, err := c.records(s.user, kind)
		if err != nil {
			c.storeFailed(w, s, err)
			return
		}
		ri := c.refInfo("")
		d := peopleData{Kind: kind, Heading: heading(kind), CanReveal: slices.Contains(handlers, s.user.Role)}
		minutes := 0
		for i, st := range newestFirst(recs) {
			pr := row(st, ri, false)
			minutes += pr.Minutes
			if i < maxRows {
				d.Rows = append(d.Rows, pr)
			}
		}
		d.Capped = len(recs) > maxRows
		d.TotalHours = fmt.Sprintf("%.1f", float64(minutes)/60)
		c.render(w, http.StatusOK, "people", page{Title: d.Heading, User: &s.user, CSRF: s.CSRF, Nav: kind, Data: d})
	}
}

func newestFirst(recs []hub.Stored) []hub.Stored {
	slices.SortStableFunc(recs, func(a, b hub.Stored) int { return receivedAt(b).Compare(receivedAt(a)) })
	return recs
}

// exportCSV writes the records of kind as CSV for Excel: UTF-8 with a
// byte order mark (without it Excel reads UTF-8 as the local code page),
// personal data masked. A POST (with its CSRF token, by a role that may
// see personal data) asks for it in full, and is written to the audit
// log first.
func (c *Console) exportCSV(kind string) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		reveal := r.Method == http.MethodPost
		recs, err := c.records(s.user, kind)
		if err != nil {
			c.storeFailed(w, s, err)
			return
		}
		if reveal {
			e := hub.AuditEntry{At: c.Now(), User: s.user.Name, Action: "export", Target: kind,
				Detail: fmt.Sprintf("%d records with personal data", len(recs))}
			if err := c.Store.AddAudit(e); err != nil {
				c.storeFailed(w, s, err)
				return
			}
		}
		ri := c.refInfo("")
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%ss.csv"`, kind))
		w.Write([]byte("\ufeff"))
		cw := csv.NewWriter(w)
		cw.UseCRLF = true // Excel's own line ends
		if kind == kindVolunteer {
			cw.Write([]string{"日期 Date", "姓名 Name", "身份证号 ID number", "党员 Party member", "服务 Service", "分钟 Minutes", "服务站 Station", "社区 Community", "编号 Record"})
		} else {
			cw.Write([]string{"时间 Time", "姓名 Name", "身份证号 ID number", "电话 Phone", "住址 Address", "事由 Purpose", "服务站 Station", "社区 Community", "编号 Record"})
		}
		for _, st := range newestFirst(recs) {
			p := row(st, ri, reveal)
			var cells []string
			if kind == kindVolunteer {
				party := "否 no"
				if p.Party {
					party = "是 yes"
				}
				cells = []string{p.Received, p.Name, p.IDNumber, party, p.What, fmt.Sprint(p.Minutes), p.Station, p.Community, p.ID}
			} else {
				cells = []string{p.Received, p.Name, p.IDNumber, p.Phone, p.Address, p.What, p.Station, p.Community, p.ID}
			}
			for i := range cells {
				cells[i] = cellSafe(cells[i])
			}
			cw.Write(cells)
		}
		cw.Flush()
	}
}

// cellSafe keeps a cell that a resident typed from being taken for a
// formula by a spreadsheet (CSV injection, OWASP): such a cell is
// prefixed with an apostrophe.
func cellSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// reveal shows one record's personal data in full, after writing who
// asked, for which record and when to the audit log.
func (c *Console) reveal(w http.ResponseWriter, r *http.Request, s *session) {
	st, ok := c.visibleRecord(w, r, s)
	if !ok {
		return
	}
	e := hub.AuditEntry{At: c.Now(), User: s.user.Name, Action: "reveal", Target: st.Record.ID, Detail: st.Record.Kind}
	if err := c.Store.AddAudit(e); err != nil {
		c.storeFailed(w, s, err)
		return
	}
	c.Log.Info("console: personal data shown", "user", s.user.Name, "record", st.Record.ID)
	d := revealData{personRow: row(st, c.refInfo(st.StationID), true), Back: "/console/" + st.Record.Kind + "s"}
	if st.Record.Kind == kindMatter {
		d.Back = "/console/matters/" + url.PathEscape(st.Record.ID)
	}
	c.render(w, http.StatusOK, "reveal", page{Title: "个人信息 Personal data", User: &s.user, CSRF: s.CSRF, Nav: st.Record.Kind, Data: d})
}

// revealData is a record's personal data in full, and the page to go
// back to.
type revealData struct {
	personRow
	Back string
}

type auditData struct {
	Entries []hub.AuditEntry
}

func (c *Console) audit(w http.ResponseWriter, r *http.Request, s *session) {
	entries, err := c.Store.Audit(500)
	if err != nil {
		c.storeFailed(w, s, err)
		return
	}
	c.render(w, http.StatusOK, "audit", page{Title: "审计日志 Audit log", User: &s.user, CSRF: s.CSRF, Nav: "audit", Data: auditData{entries}})
}
