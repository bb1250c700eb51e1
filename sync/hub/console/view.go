package console

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/sync/hub"
)

// stateLabels are the county's words for the hub's states (hub.States):
// the hub's "received" is the matter accepted (已受理) and "rejected" the
// matter sent back (已退回), not a record refused at ingest.
var stateLabels = map[string]string{
	hub.StateReceived:   "已受理 Accepted",
	hub.StateInProgress: "办理中 In progress",
	hub.StateDone:       "已办结 Done",
	hub.StateRejected:   "已退回 Returned",
}

func stateLabel(s string) string {
	if l, ok := stateLabels[s]; ok {
		return l
	}
	return s
}

// refInfo is what the console reads from reference data: names for the
// grid's codes and categories, and the grid workers a matter may be
// assigned to.
type refInfo struct {
	names      map[string]string // grid code → name
	categories map[string]string // category code → "中文 English"
	workers    []worker
}

type worker struct{ ID, Name, Role string }

type gridDir struct {
	Townships []struct {
		Code, Name  string
		Communities []struct {
			Code, Name string
			Compounds  []struct {
				Code, Name string
				Micro      []struct{ Code, Name string }
			}
		}
	}
}

// parseRefData reads what it can of data; reference data it cannot read
// leaves codes shown as codes, never a page that fails.
func parseRefData(data []byte) refInfo {
	ri := refInfo{names: map[string]string{}, categories: map[string]string{}}
	var doc struct {
		Grid       json.RawMessage
		Categories []struct{ Code, Name, NameEN string }
		Staff      []struct{ ID, Name, Role string }
	}
	if json.Unmarshal(data, &doc) != nil {
		return ri
	}
	for _, c := range doc.Categories {
		ri.categories[c.Code] = strings.TrimSpace(c.Name + " " + c.NameEN)
	}
	for _, s := range doc.Staff {
		if s.Name != "" {
			ri.workers = append(ri.workers, worker{s.ID, s.Name, s.Role})
		}
	}
	var g gridDir
	if json.Unmarshal(doc.Grid, &g) != nil {
		return ri
	}
	for _, t := range g.Townships {
		ri.names[t.Code] = t.Name
		for _, c := range t.Communities {
			ri.names[c.Code] = c.Name
			for _, cp := range c.Compounds {
				ri.names[cp.Code] = cp.Name
				for _, m := range cp.Micro {
					ri.names[m.Code] = m.Name
				}
			}
		}
	}
	return ri
}

// name returns "名称 (code)", or the code alone when unknown.
func (ri refInfo) name(code string) string {
	if code == "" {
		return "—"
	}
	if n, ok := ri.names[code]; ok {
		return n + " (" + code + ")"
	}
	return code
}

func (ri refInfo) category(code string) string {
	if n, ok := ri.categories[code]; ok {
		return n
	}
	if code == "" {
		return "—"
	}
	return code
}

// place is a record's grid path as the station sent it.
type place struct {
	County, Township, Community, Compound, Micro, Industry string
}

func recordPlace(st hub.Stored) place {
	var p place
	json.Unmarshal(st.Record.Grid, &p)
	return p
}

// Masks: enough for staff to tell people apart on a list, not enough to
// identify them. ID numbers as on the station's screens and receipts.
func maskName(s string) string {
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(r) + strings.Repeat("*", max(utf8.RuneCountInString(s[n:]), 1))
}

func maskID(s string) string {
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + strings.Repeat("*", len(s)-8) + s[len(s)-4:]
}

func maskPhone(s string) string {
	if len(s) < 7 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}

func maskAddress(s string) string {
	if s == "" {
		return ""
	}
	r := []rune(s)
	return string(r[:min(len(r), 6)]) + "…"
}

// receivedAt is when a matter is counted from: the station's time when
// its clock was trusted, else the hub's receipt, whichever is earlier, so
// that a station offline for days does not make an old matter look new.
func receivedAt(st hub.Stored) time.Time {
	if st.Record.ClockTrusted && st.Record.CreatedAt.Before(st.ReceivedAt) {
		return st.Record.CreatedAt
	}
	return st.ReceivedAt
}

func open(state string) bool { return state != hub.StateDone && state != hub.StateRejected }

var cst = time.FixedZone("CST", 8*3600)

// when shows a time in China's time zone, which is the county's.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
