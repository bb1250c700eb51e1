package console

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

const (
	kindMatter       = "matter"
	kindRegistration = "registration"
	kindVolunteer    = "volunteer"
)

// maxNote bounds a status note: the station shows it to a resident.
const maxNote = 500

// visible reports whether u may see st: community staff see their own
// community's records only, everyone else every record.
func visible(u hub.User, st hub.Stored) bool {
	return u.Role != hub.RoleStaff || recordPlace(st).Community == u.Community
}

// records returns the records of kind that u may see.
func (c *Console) records(u hub.User, kind string) ([]hub.Stored, error) {
	all, err := c.Store.Records(hub.Query{})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(st hub.Stored) bool { return st.Record.Kind != kind || !visible(u, st) }), nil
}

func (c *Console) refInfo(station string) refInfo {
	data, err := hub.StationRefData(c.Store, station)
	if err != nil {
		c.Log.Warn("console: reference data", "station", station, "err", err)
	}
	return parseRefData(data)
}

type matterRow struct {
	ID, Station, Community, Compound, Micro, Category, Summary, State string
	Received                                                          string
	Overdue                                                           bool
}

type option struct{ Value, Label string }

type filter struct {
	Name, Label string
	Options     []option
	Selected    string
}

type inboxData struct {
	Rows         []matterRow
	Filters      []filter
	OverdueOnly  bool
	OverdueDays  int
	Total, Shown int
	Capped       bool
}

// maxRows bounds a page's list: beyond it, a page a phone can still
// load; the filters, or the CSV, reach the rest.
const maxRows = 500

type matterPayload struct {
	Category    string `json:"category"`
	Description string `json:"description"`
	Phone       string `json:"phone"`
	Person      *struct {
		Name     string `json:"name"`
		IDNumber string `json:"id_number"`
	} `json:"person"`
}

func (c *Console) inbox(w http.ResponseWriter, r *http.Request, s *session) {
	recs, err := c.records(s.user, kindMatter)
	if err != nil {
		c.storeFailed(w, s, err)
		return
	}
	ri := c.refInfo("")
	q := r.URL.Query()
	now := c.Now()
	d := inboxData{OverdueOnly: q.Get("overdue") == "1", OverdueDays: int(c.OverdueAfter.Hours() / 24), Total: len(recs)}
	values := map[string]map[string]bool{}
	for _, k := range filterKeys {
		values[k.name] = map[string]bool{}
	}
	type rowAt struct {
		row matterRow
		at  int64
	}
	var rows []rowAt
	for _, st := range recs {
		var p matterPayload
		json.Unmarshal(st.Record.Payload, &p)
		pl := recordPlace(st)
		fields := map[string]string{"community": pl.Community, "compound": pl.Compound, "micro": pl.Micro,
			"category": p.Category, "state": st.State}
		match := true
		for name, v := range fields {
			values[name][v] = true
			if want := q.Get(name); want != "" && want != v {
				match = false
			}
		}
		at := receivedAt(st)
		overdue := open(st.State) && now.Sub(at) > c.OverdueAfter
		if !match || d.OverdueOnly && !overdue {
			continue
		}
		rows = append(rows, rowAt{matterRow{ID: st.Record.ID, Station: st.StationID, Community: ri.name(pl.Community),
			Compound: ri.name(pl.Compound), Micro: ri.name(pl.Micro), Category: ri.category(p.Category),
			Summary: shorten(p.Description, 40), State: stateLabel(st.State), Received: when(at), Overdue: overdue}, at.UnixNano()})
	}
	// Overdue first, then newest first within each.
	slices.SortStableFunc(rows, func(a, b rowAt) int {
		if a.row.Overdue != b.row.Overdue {
			if a.row.Overdue {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.at, a.at)
	})
	d.Shown = len(rows)
	for _, r := range rows[:min(len(rows), maxRows)] {
		d.Rows = append(d.Rows, r.row)
	}
	d.Capped = len(rows) > maxRows
	d.Filters = filters(values, q, ri)
	c.render(w, http.StatusOK, "inbox", page{Title: "事项 Matters", User: &s.user, CSRF: s.CSRF, Nav: "matters", Data: d})
}

// filterKeys are the inbox's filters.
var filterKeys = []struct{ name, label string }{
	{"community", "社区 Community"}, {"compound", "小区/村 Compound"}, {"micro", "微网格 Micro grid"},
	{"category", "类别 Category"}, {"state", "状态 Status"},
}

// filters offers, for each key, the values the matters have, named.
func filters(values map[string]map[string]bool, q url.Values, ri refInfo) []filter {
	var out []filter
	for _, k := range filterKeys {
		f := filter{Name: k.name, Label: k.label, Selected: q.Get(k.name)}
		for v := range values[k.name] {
			if v == "" {
				continue
			}
			label := ri.name(v)
			switch k.name {
			case "category":
				label = ri.category(v)
			case "state":
				label = stateLabel(v)
			}
			f.Options = append(f.Options, option{v, label})
		}
		slices.SortFunc(f.Options, func(a, b option) int { return strings.Compare(a.Value, b.Value) })
		out = append(out, f)
	}
	return out
}

type matterData struct {
	ID, Station, Community, Compound, Micro, Category, Description, Phone, Person string
	State, StateLabel, Note, Received, Updated, Assignee                          string
	Overdue, CanHandle, HasPersonal                                               bool
	Workers                                                                       []worker
	States                                                                        []option
	History                                                                       []hub.MatterEvent
}

// visibleRecord returns the record the request's {id} names, or answers
// 404: a record of another community is answered as one that does not
// exist, so that staff cannot learn which IDs are in use elsewhere.
func (c *Console) visibleRecord(w http.ResponseWriter, r *http.Request, s *session) (hub.Stored, bool) {
	st, ok, err := c.Store.Record(r.PathValue("id"))
	if err != nil {
		c.storeFailed(w, s, err)
		return st, false
	}
	if !ok || !visible(s.user, st) {
		c.fail(w, s, http.StatusNotFound, "没有这条记录 / No such record")
		return st, false
	}
	return st, true
}

func (c *Console) matter(w http.ResponseWriter, r *http.Request, s *session) {
	st, ok := c.visibleRecord(w, r, s)
	if !ok {
		return
	}
	if st.Record.Kind != kindMatter {
		c.fail(w, s, http.StatusNotFound, "这条记录不是事项 / This record is not a matter")
		return
	}
	flash := map[string]string{"assign": "已指派 / Assigned", "status": "状态已更新，服务站查询即可看到 / Status changed; the station's look-up now shows it"}
	c.showMatter(w, s, st, flash[r.URL.Query().Get("done")])
}

func (c *Console) showMatter(w http.ResponseWriter, s *session, st hub.Stored, flash string) {
	history, err := c.Store.MatterEvents(st.Record.ID)
	if err != nil {
		c.storeFailed(w, s, err)
		return
	}
	ri := c.refInfo(st.StationID)
	var p matterPayload
	json.Unmarshal(st.Record.Payload, &p)
	pl := recordPlace(st)
	at := receivedAt(st)
	d := matterData{ID: st.Record.ID, Station: st.StationID, Community: ri.name(pl.Community), Compound: ri.name(pl.Compound),
		Micro: ri.name(pl.Micro), Category: ri.category(p.Category), Description: p.Description, Phone: maskPhone(p.Phone),
		State: st.State, StateLabel: stateLabel(st.State), Note: st.Note, Received: when(at), Updated: when(st.UpdatedAt),
		Overdue: open(st.State) && c.Now().Sub(at) > c.OverdueAfter, CanHandle: slices.Contains(handlers, s.user.Role),
		HasPersonal: p.Phone != "" || p.Person != nil, Workers: ri.workers, History: history}
	if p.Person != nil {
		d.Person = maskName(p.Person.Name) + " " + maskID(p.Person.IDNumber)
	}
	for _, e := range history {
		if e.Kind == hub.EventAssign {
			d.Assignee = e.Value
		}
	}
	for _, v := range hub.States() {
		d.States = append(d.States, option{v, stateLabel(v)})
	}
	c.render(w, http.StatusOK, "matter", page{Title: "事项 Matter", User: &s.user, CSRF: s.CSRF, Nav: "matters", Flash: flash, Data: d})
}

func (c *Console) assign(w http.ResponseWriter, r *http.Request, s *session) {
	st, ok := c.visibleRecord(w, r, s)
	if !ok {
		return
	}
	who := strings.TrimSpace(r.PostFormValue("worker"))
	if free := strings.TrimSpace(r.PostFormValue("worker_name")); free != "" {
		who = free
	}
	if who == "" || utf8.RuneCountInString(who) > 40 {
		c.fail(w, s, http.StatusBadRequest, "请选择或填写网格员（最多 40 字） / Choose or type a grid worker (at most 40 characters)")
		return
	}
	now := c.Now()
	e := hub.MatterEvent{RecordID: st.Record.ID, At: now, User: s.user.Name, Kind: hub.EventAssign, Value: who}
	if err := c.Store.AddMatterEvent(e); err != nil {
		c.storeFailed(w, s, err)
		return
	}
	if err := c.Store.AddAudit(hub.AuditEntry{At: now, User: s.user.Name, Action: "assign", Target: st.Record.ID}); err != nil {
		c.storeFailed(w, s, err)
		return
	}
	http.Redirect(w, r, "/console/matters/"+url.PathEscape(st.Record.ID)+"?done=assign", http.StatusSeeOther)
}

func (c *Console) setStatus(w http.ResponseWriter, r *http.Request, s *session) {
	st, ok := c.visibleRecord(w, r, s)
	if !ok {
		return
	}
	state, note := r.PostFormValue("state"), strings.TrimSpace(r.PostFormValue("note"))
	if hub.CheckState(state) != nil {
		c.fail(w, s, http.StatusBadRequest, "未知状态 / Unknown status")
		return
	}
	if utf8.RuneCountInString(note) > maxNote {
		c.fail(w, s, http.StatusBadRequest, "说明最多 500 字 / The note is at most 500 characters")
		return
	}
	now := c.Now()
	// The record's state is what the station's look-up answers; the
	// event is its history here. The state goes first: a history entry
	// for a change that did not happen would mislead.
	if err := c.Store.SetStatus(st.Record.ID, state, note, now); err != nil {
		c.storeFailed(w, s, err)
		return
	}
	e := hub.MatterEvent{RecordID: st.Record.ID, At: now, User: s.user.Name, Kind: hub.EventStatus, Value: state, Note: note}
	if err := c.Store.AddMatterEvent(e); err != nil {
		c.storeFailed(w, s, err)
		return
	}
	if err := c.Store.AddAudit(hub.AuditEntry{At: now, User: s.user.Name, Action: "status", Target: st.Record.ID, Detail: state}); err != nil {
		c.storeFailed(w, s, err)
		return
	}
	http.Redirect(w, r, "/console/matters/"+url.PathEscape(st.Record.ID)+"?done=status", http.StatusSeeOther)
}
