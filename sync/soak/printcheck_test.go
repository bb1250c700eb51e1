package soak

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPrintDeskCheck: the desk's check finds each kind of broken promise
// about print jobs in what a station lists after a restart.
func TestPrintDeskCheck(t *testing.T) {
	const (
		created = `"2026-12-07T08:00:00+08:00"`
		reason  = `"本机重启前未打印完 / not printed before the station restarted"`
	)
	job := func(id, ticket, state string) string {
		return fmt.Sprintf(`{"id":%q,"ticket":%q,"created":%s,"state":%q,"reason":%s}`, id, ticket, created, state, reason)
	}
	a, b, c := job("a", "M0001", "held"), job("b", "M0002", "held"), job("c", "M0003", "held")
	for _, tc := range []struct {
		name     string
		list     string
		problems []string // each must be in one problem, and no other problem
		check    func(s deskStats) bool
	}{
		{"all well", "[" + a + "]", nil, func(s deskStats) bool { return s.Present == 1 && s.Missing+s.Changed+s.Back == 0 }},
		{"cancel unanswered, job kept", "[" + a + "," + c + "]", nil, func(s deskStats) bool { return s.Present == 2 }},
		{"missing", "[]", []string{"job a (ticket M0001), answered 202 or listed before, is gone"}, func(s deskStats) bool { return s.Missing == 1 }},
		{"back", "[" + a + "," + b + "]", []string{"job b (ticket M0002) is back"}, func(s deskStats) bool { return s.Back == 1 }},
		{"other ticket", "[" + job("a", "M0009", "held") + "]", []string{`now has ticket "M0009"`}, func(s deskStats) bool { return s.Changed == 1 }},
		{"not held", "[" + job("a", "M0001", "waiting") + "]", []string{`is "waiting" after a restart`}, func(s deskStats) bool { return s.Changed == 1 }},
		{"half a job", `[{"id":"a","ticket":"M0001","state":"held"}]`, []string{"without a ticket, time or reason"}, func(s deskStats) bool { return s.Changed == 1 }},
		{"does not decode", `[{"id":"a","ticket":"M0001","created":"yesterday","state":"held","reason":"x"}]`, []string{"job 0 does not decode"}, nil},
		{"unknown field", `[{"id":"a","ticket":"M0001","created":` + created + `,"state":"held","reason":"x","data":"AAAA"}]`, []string{"job 0 does not decode"}, nil},
		{"unannounced", "[" + a + "," + job("x", "M0042", "held") + "]", []string{"1 jobs listed that no 202 announced"}, func(s deskStats) bool { return s.Extra == 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v1/printjobs" || r.Header.Get("Authorization") != "Bearer tok" {
					http.Error(w, "wrong request", http.StatusBadRequest)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, tc.list)
			}))
			defer srv.Close()
			var problems []string
			d := &printDesk{token: "tok", receipts: map[string]string{},
				errorf: func(f string, args ...any) { problems = append(problems, fmt.Sprintf(f, args...)) },
				jobs: map[string]*deskJob{
					"a": {ID: "a", Ticket: "M0001", Promised: true},
					"b": {ID: "b", Ticket: "M0002", Promised: true, Cancel: cancelled},
					"c": {ID: "c", Ticket: "M0003", Promised: true, Cancel: cancelUnknown},
				}}
			st := &station{admin: strings.TrimPrefix(srv.URL, "http://"), hc: srv.Client(), runs: 2}
			d.check(st)
			if len(problems) != len(tc.problems) {
				t.Fatalf("problems %q, want %d", problems, len(tc.problems))
			}
			for i, want := range tc.problems {
				if !strings.Contains(problems[i], want) {
					t.Errorf("problem %q does not say %q", problems[i], want)
				}
			}
			if tc.check != nil && !tc.check(d.stats) {
				t.Errorf("stats %+v", d.stats)
			}
		})
	}
}

// TestPrintDeskCancelSettles: a cancel that got no answer is settled by
// the next check, and holds from then on.
func TestPrintDeskCancelSettles(t *testing.T) {
	lists := []string{"[]", `[{"id":"c","ticket":"M0003","created":"2026-12-07T08:00:00Z","state":"held","reason":"r"}]`}
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, lists[min(n, len(lists)-1)])
		n++
	}))
	defer srv.Close()
	var problems []string
	d := &printDesk{errorf: func(f string, args ...any) { problems = append(problems, fmt.Sprintf(f, args...)) },
		jobs: map[string]*deskJob{"c": {ID: "c", Ticket: "M0003", Promised: true, Cancel: cancelUnknown}}}
	st := &station{admin: strings.TrimPrefix(srv.URL, "http://"), hc: srv.Client()}
	d.check(st) // gone: the cancel took
	if len(problems) != 0 || d.jobs["c"].Cancel != cancelled {
		t.Fatalf("after the first check: %q, cancel state %d", problems, d.jobs["c"].Cancel)
	}
	d.check(st) // back
	if len(problems) != 1 || d.stats.Back != 1 {
		t.Fatalf("a job gone after an unanswered cancel came back: problems %q, stats %+v", problems, d.stats)
	}
}
