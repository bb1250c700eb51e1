package sim

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fake is a Simulator that notes what it is asked and fails as told; the
// real world behind the same endpoints is tested through a real
// "gridkiosk serve --simulate" in cmd/gridkiosk.
type fake struct {
	mu      sync.Mutex
	calls   []string
	fail    error  // what the calls that can fail answer
	printed string // the last print, "" for none
}

func (f *fake) note(format string, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
	return f.fail
}

func (f *fake) LayCard(key string) error { return f.note("LayCard %s", key) }
func (f *fake) LiftCard()                { f.note("LiftCard") }
func (f *fake) SetPrinter(paperOut, nearEnd, coverOpen, offline bool) {
	f.note("SetPrinter %v %v %v %v", paperOut, nearEnd, coverOpen, offline)
}
func (f *fake) PrinterRunOutAfter(n int) { f.note("PrinterRunOutAfter %d", n) }
func (f *fake) LastPrint(w io.Writer, format string) (bool, error) {
	if err := f.note("LastPrint %s", format); err != nil || f.printed == "" {
		return err != nil, err
	}
	_, err := io.WriteString(w, f.printed)
	return true, err
}
func (f *fake) ScanCode(data, aim string) error { return f.note("ScanCode %s %s", data, aim) }
func (f *fake) IssueCode(kind string) (string, error) {
	return "GK1:" + kind, f.note("IssueCode %s", kind)
}
func (f *fake) PressButton(button string, hold time.Duration) error {
	return f.note("PressButton %s %v", button, hold)
}
func (f *fake) SetPresence(on bool) { f.note("SetPresence %v", on) }
func (f *fake) PanelOutputs() map[string]any {
	f.note("PanelOutputs")
	return map[string]any{"relay": true}
}
func (f *fake) PanelChanged() <-chan struct{}         { return nil }
func (f *fake) SetNetwork(up bool) error              { return f.note("SetNetwork %v", up) }
func (f *fake) SetClockSkew(skew time.Duration) error { return f.note("SetClockSkew %v", skew) }
func (f *fake) took() string                          { f.mu.Lock(); defer f.mu.Unlock(); return strings.Join(f.calls, "; ") }

// Each endpoint asks the simulator what its body says and answers as the
// admin API does: the token first, strict bodies, 400 naming the field,
// 503 when a device could not do it.
func TestHandler(t *testing.T) {
	errDevice := errors.New("the emulator's line is closed")
	for _, tc := range []struct {
		name       string
		method     string
		path, body string
		token      string // "" is the right one
		printed    string
		fail       error
		code       int
		calls      string // what the simulator was asked
		answer     string // in the answer's body
	}{
		{name: "no token", method: "POST", path: "/v1/sim/idcard/lift", token: "-", code: 401, answer: "admin.token"},
		{name: "wrong token", method: "POST", path: "/v1/sim/idcard/lay", body: `{"card":"resident"}`, token: "wrong", code: 401},
		{name: "lay", method: "POST", path: "/v1/sim/idcard/lay", body: `{"card":"resident"}`, code: 204, calls: "LayCard resident"},
		{name: "lay unknown card", method: "POST", path: "/v1/sim/idcard/lay", body: `{"card":"x"}`, fail: errDevice, code: 400, calls: "LayCard x", answer: `"field":"card"`},
		{name: "lay unknown field", method: "POST", path: "/v1/sim/idcard/lay", body: `{"cards":"resident"}`, code: 400, answer: `"field":"cards"`},
		{name: "lay two objects", method: "POST", path: "/v1/sim/idcard/lay", body: `{"card":"a"}{"card":"b"}`, code: 400, answer: `"field":"body"`},
		{name: "lift", method: "POST", path: "/v1/sim/idcard/lift", code: 204, calls: "LiftCard"},
		{name: "printer", method: "POST", path: "/v1/sim/printer", body: `{"paper_out":true,"cover_open":true}`, code: 204, calls: "SetPrinter true false true false"},
		{name: "printer mid-job", method: "POST", path: "/v1/sim/printer", body: `{"paper_out_after":300}`, code: 204, calls: "SetPrinter false false false false; PrinterRunOutAfter 300"},
		{name: "printer negative", method: "POST", path: "/v1/sim/printer", body: `{"paper_out_after":-5}`, code: 204, calls: "SetPrinter false false false false; PrinterRunOutAfter 0"},
		{name: "last.txt", method: "GET", path: "/v1/sim/printer/last.txt", printed: "回执", code: 200, calls: "LastPrint txt", answer: "回执"},
		{name: "last.png before any", method: "GET", path: "/v1/sim/printer/last.png", code: 404, calls: "LastPrint png", answer: "nothing printed yet"},
		{name: "last.pdf", method: "GET", path: "/v1/sim/printer/last.pdf", code: 404, answer: "want last.png or last.txt"},
		{name: "scan", method: "POST", path: "/v1/sim/scanner/scan", body: `{"data":"abc","aim":"]Q1"}`, code: 204, calls: "ScanCode abc ]Q1"},
		{name: "scan fails", method: "POST", path: "/v1/sim/scanner/scan", body: `{"data":"abc"}`, fail: errDevice, code: 503, calls: "ScanCode abc ", answer: errDevice.Error()},
		{name: "issue", method: "POST", path: "/v1/sim/hub/issue", body: `{"kind":"staff"}`, code: 200, calls: "IssueCode staff", answer: `{"code":"GK1:staff"}`},
		{name: "issue and scan", method: "POST", path: "/v1/sim/hub/issue", body: `{"kind":"appointment","scan":true}`, code: 200, calls: "IssueCode appointment; ScanCode GK1:appointment ]Q1"},
		{name: "issue unknown", method: "POST", path: "/v1/sim/hub/issue", body: `{"kind":"x"}`, fail: errDevice, code: 400, calls: "IssueCode x", answer: `"field":"kind"`},
		{name: "press", method: "POST", path: "/v1/sim/panel/press", body: `{"button":"tech","hold_ms":2500}`, code: 204, calls: "PressButton tech 2.5s"},
		{name: "press default hold", method: "POST", path: "/v1/sim/panel/press", body: `{"button":"help","hold_ms":99999}`, code: 204, calls: "PressButton help 100ms"},
		{name: "presence", method: "POST", path: "/v1/sim/panel/presence", body: `{"on":true}`, code: 204, calls: "SetPresence true"},
		{name: "panel", method: "GET", path: "/v1/sim/panel", code: 200, calls: "PanelOutputs", answer: `{"relay":true}`},
		{name: "network", method: "POST", path: "/v1/sim/network", body: `{"up":false}`, code: 204, calls: "SetNetwork false"},
		{name: "clock", method: "POST", path: "/v1/sim/clock", body: `{"skew_seconds":-259200}`, code: 204, calls: "SetClockSkew -72h0m0s"},
		{name: "clock refused", method: "POST", path: "/v1/sim/clock", body: `{"skew_seconds":1}`, fail: errDevice, code: 400, calls: "SetClockSkew 1s", answer: `"field":"skew_seconds"`},
		{name: "clock wrong type", method: "POST", path: "/v1/sim/clock", body: `{"skew_seconds":"8h"}`, code: 400, answer: `"field":"skew_seconds"`},
		{name: "wrong method", method: "GET", path: "/v1/sim/clock", code: 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{fail: tc.fail, printed: tc.printed}
			srv := httptest.NewServer(Handler(f, "the-token-0123456789"))
			defer srv.Close()
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			switch tc.token {
			case "":
				req.Header.Set("Authorization", "Bearer the-token-0123456789")
			case "-":
			default:
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, resp.StatusCode, body, tc.code)
			}
			if got := f.took(); got != tc.calls {
				t.Errorf("the simulator was asked %q, want %q", got, tc.calls)
			}
			if !strings.Contains(string(body), tc.answer) {
				t.Errorf("answer %s, want it to hold %s", body, tc.answer)
			}
		})
	}
}
