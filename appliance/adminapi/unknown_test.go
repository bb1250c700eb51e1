package adminapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// syncFault fails the next sync at one stage, once, with EIO as a failing
// SD card gives it.
type syncFault struct {
	afterMeta bool
	armed     atomic.Bool
}

func (f *syncFault) sync(afterMeta bool) error {
	if afterMeta == f.afterMeta && f.armed.CompareAndSwap(true, false) {
		return syscall.EIO
	}
	return nil
}

func (r *rig) records(t *testing.T) []station.Row {
	t.Helper()
	req, _ := http.NewRequest("GET", r.api.URL+"/v1/records", nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []station.Row
	json.NewDecoder(resp.Body).Decode(&list)
	return list
}

// An fsync that fails after the commit reached the file leaves the record
// stored or not: the answer says "unknown, check before retrying", not
// "NOT stored", and gives the ID; the retry with that ID finds the record
// instead of storing a second one.
func TestStorageUnknownRetry(t *testing.T) {
	f := &syncFault{afterMeta: true}
	r := newRigFault(t, false, func(*config.Config) {}, f.sync)
	f.armed.Store(true)
	body := matter("路灯不亮")
	code, m := r.do(t, "POST", "/v1/records", r.token, body)
	msg, _ := m["error"].(string)
	id, _ := m["id"].(string)
	if code != 500 || m["code"] != "storage_unknown" || id == "" || !strings.Contains(msg, "结果未知，请先查询再重试") || strings.Contains(msg, "NOT stored") {
		t.Fatalf("after a failed fsync: %d %v; want 500 storage_unknown with the record's ID, not NOT stored", code, m)
	}
	if code, m := r.do(t, "GET", "/v1/records/"+id, r.token, nil); code != 200 || m["state"] != "queued" {
		t.Fatalf("look-up of %s: %d %v", id, code, m)
	}
	body["id"] = id
	code, m = r.do(t, "POST", "/v1/records", r.token, body)
	if code != 200 || m["id"] != id || m["repeat"] != true || m["seq"] != float64(1) {
		t.Fatalf("retry with the ID: %d %v; want 200 with the stored record", code, m)
	}
	if list := r.records(t); len(list) != 1 {
		t.Fatalf("%d records after the retry, want 1: %+v", len(list), list)
	}
	// The ID does not stand for another record.
	other := matter("井盖丢了")
	other["id"] = id
	if code, m := r.do(t, "POST", "/v1/records", r.token, other); code != 400 || m["field"] != "id" {
		t.Fatalf("another record under a used ID: %d %v", code, m)
	}
	bad := matter("x")
	bad["id"] = "not-an-id"
	if code, m := r.do(t, "POST", "/v1/records", r.token, bad); code != 400 || m["field"] != "id" {
		t.Fatalf("a malformed ID: %d %v", code, m)
	}
}

// A failed sync of the data pages rolls the commit back: that is "NOT
// stored" for certain, and the retry with the ID stores it once.
func TestStorageFailedRetry(t *testing.T) {
	f := &syncFault{afterMeta: false}
	r := newRigFault(t, false, func(*config.Config) {}, f.sync)
	f.armed.Store(true)
	code, m := r.do(t, "POST", "/v1/records", r.token, matter("路灯不亮"))
	if code != 503 || !strings.Contains(m["error"].(string), "NOT stored") {
		t.Fatalf("after a rolled-back commit: %d %v", code, m)
	}
	if list := r.records(t); len(list) != 0 {
		t.Fatalf("records after a rolled-back commit: %+v", list)
	}
}

// The resident's session repeats its submission under the session's record
// ID: tapping 同意 again after an unknown outcome registers them once.
func TestSessionStorageUnknownRetry(t *testing.T) {
	f := &syncFault{afterMeta: true}
	r := newRigFault(t, false, func(*config.Config) {}, f.sync)
	if code, m := r.do(t, "POST", "/v1/session/manual", r.token, map[string]string{"name": "王秀兰", "id_number": "14102919520317122X"}); code != 200 {
		t.Fatalf("manual: %d %v", code, m)
	}
	submit := map[string]any{"purpose": "policy", "consent": map[string]any{"agreed": true, "version": "2026-01"}}
	f.armed.Store(true)
	code, m := r.do(t, "POST", "/v1/session/submit", r.token, submit)
	id, _ := m["id"].(string)
	if code != 500 || m["code"] != "storage_unknown" || id == "" {
		t.Fatalf("first submit: %d %v; want 500 storage_unknown", code, m)
	}
	code, m = r.do(t, "POST", "/v1/session/submit", r.token, submit)
	if code != 200 || m["id"] != id || m["repeat"] != true {
		t.Fatalf("second submit: %d %v; want the record of the first", code, m)
	}
	if list := r.records(t); len(list) != 1 || list[0].ID != id {
		t.Fatalf("records after the retry: %+v; want the one registration", list)
	}
}
