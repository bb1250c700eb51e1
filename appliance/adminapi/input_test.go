package adminapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
)

// post sends body as it is, bytes and all.
func (r *rig) post(t *testing.T, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", r.api.URL+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func registrationBody(name string) string {
	b, _ := json.Marshal(map[string]any{"kind": "registration", "payload": map[string]any{
		"person": map[string]any{"name": "NAME", "gender": "female", "nation": "汉", "birth": "1952-03-17",
			"id_number": "14102919520317122X", "card_type": "resident"},
		"purpose": "certificate", "source": "manual", "consent": map[string]any{"version": "2026-01", "at": time.Now().Format(time.RFC3339)}}})
	return strings.Replace(string(b), "NAME", name, 1)
}

// Text that would be stored as something other than what was sent, or
// that a receipt printer would take as commands, is refused with 400
// naming the field, and nothing is stored.
func TestHostileInputRefused(t *testing.T) {
	r := newRig(t, false)
	matterBody := `{"kind":"matter","payload":{"category":"repair","description":"灯不亮"}}`
	tests := []struct {
		name, body, field string
	}{
		{"invalid UTF-8 in a name", registrationBody("王\xff兰"), "payload.person.name"},
		{"invalid UTF-8 in a description", strings.Replace(matterBody, "灯不亮", "灯\xe7\x81不亮", 1), "payload.description"},
		{"ESC starting a name", registrationBody(`\u001b[2J王秀兰`), "payload.person.name"},
		{"NUL in a name", registrationBody(`王\u0000秀兰`), "payload.person.name"},
		{"bidi override in a name", registrationBody("\u202e兰秀王"), "payload.person.name"},
		{"bidi isolate in a description", strings.Replace(matterBody, "灯不亮", "灯\u2067不亮", 1), "payload.description"},
		{"ESC in a description", strings.Replace(matterBody, "灯不亮", `灯\u001b@不亮`, 1), "payload.description"},
		{"a second object after the first", matterBody + matterBody, "body"},
		{"garbage after the object", matterBody + "x", "body"},
		{"invalid UTF-8 after the object", matterBody + "\xff", "body"},
		{"a field the request does not have", strings.Replace(matterBody, `"kind"`, `"extra":1,"kind"`, 1), "extra"},
		{"a number for the kind", strings.Replace(matterBody, `"matter"`, `7`, 1), "kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, m := r.post(t, "/v1/records", tc.body)
			if code != 400 || m["field"] != tc.field || m["error"] == "" {
				t.Fatalf("= %d %v; want 400 naming %s", code, m, tc.field)
			}
		})
	}
	// The same rules on the other endpoints that take a body.
	for _, tc := range []struct{ path, body, field string }{
		{"/v1/session/manual", `{"name":"\u001b王秀兰","id_number":"14102919520317122X"}`, "name"},
		{"/v1/session/manual", "{\"name\":\"王\xc3秀兰\",\"id_number\":\"14102919520317122X\"}", "name"},
		{"/v1/session/manual", `{"name":"王秀兰","id_number":"14102919520317122X"} {}`, "body"},
		{"/v1/staff/login", `{"staff":"s-0007","pin":"2580"}[]`, "body"},
		{"/v1/rejected/resend", "{\"ids\":[\"a\",\"\xff\"]}", "ids.1"},
	} {
		code, m := r.post(t, tc.path, tc.body)
		if code != 400 || m["field"] != tc.field {
			t.Errorf("%s %q = %d %v; want 400 naming %s", tc.path, tc.body, code, m, tc.field)
		}
	}
	if st := r.st.Health(); st.Outbox.LastSeq != 0 {
		t.Fatalf("a refused submission was stored: %+v", st.Outbox)
	}
	if s := r.st.Session(); s.State != "idle" {
		t.Fatalf("a refused manual entry started a session: %+v", s)
	}
}

// Bad input to the receipt request is the caller's mistake (400), not a
// printer that seems broken (503); a good one still prints.
func TestReceiptRequestRefused(t *testing.T) {
	sim := printersim.New()
	t.Cleanup(func() { sim.Close() })
	line, err := sim.ServePTY(t.TempDir(), "printer", 115200)
	if err != nil {
		t.Fatal(err)
	}
	r := newRigWith(t, false, func(c *config.Config) { c.Devices.Printer.Port, c.Devices.Printer.Baud = line.Path(), 115200 })
	code, m := r.post(t, "/v1/records", registrationBody("王秀兰"))
	if code != 201 {
		t.Fatalf("registration: %d %v", code, m)
	}
	path := "/v1/records/" + m["id"].(string) + "/receipt"
	for _, tc := range []struct{ body, field string }{
		{`{"staff":"\u001b@李建国"}`, "staff"},
		{`{"staff":"李建国","next_step":"\u001bp\u0000三个工作日内"}`, "next_step"},
		{`{"staff":"\u202e国建李"}`, "staff"},
		{"{\"staff\":\"李建\xff\"}", "staff"},
		{`{"staff":"` + strings.Repeat("李", 31) + `"}`, "staff"},
		{`{"staff":"李建国"} {"staff":"x"}`, "body"},
	} {
		code, m := r.post(t, path, tc.body)
		if code != 400 || m["field"] != tc.field {
			t.Errorf("receipt %q = %d %v; want 400 naming %s", tc.body, code, m, tc.field)
		}
	}
	if code, m := r.post(t, path, `{"staff":"李建国","next_step":"三个工作日内\n到社区领取证明"}`); code != 201 {
		t.Fatalf("good receipt request = %d %v", code, m)
	}
}
