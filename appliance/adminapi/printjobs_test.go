package adminapi

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
)

// Over TCP the printer takes the whole receipt into its buffer at once;
// paper running out half way still answers 202, never 201, and the job
// is listed until the printer has printed it.
func TestReceiptPaperOutOverTCP(t *testing.T) {
	sim := printersim.New()
	t.Cleanup(func() { sim.Close() })
	sim.SetSpeed(1000)
	ln, err := sim.ListenTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := newRigWith(t, false, func(c *config.Config) {
		c.Devices.Printer = config.Printer{TCP: ln.Addr().String(), Paper: "58mm"}
	})
	code, m := r.do(t, "POST", "/v1/records", r.token, matter("7号楼楼道灯不亮"))
	if code != 201 {
		t.Fatalf("submit: %d %v", code, m)
	}
	id := m["id"].(string)
	sim.RunOutAfter(200)
	code, m = r.do(t, "POST", "/v1/records/"+id+"/receipt", r.token, map[string]any{"staff": "李建国"})
	if code != 202 || m["state"] != "waiting" || m["job_id"] == "" {
		t.Fatalf("paper out half way: %d %v", code, m)
	}
	if len(sim.Jobs()) != 0 {
		t.Fatal("printed whole without paper")
	}
	jobs := r.list(t)
	if len(jobs) != 1 || jobs[0]["state"] != "waiting" || jobs[0]["id"] != m["job_id"] {
		t.Fatalf("jobs: %v", jobs)
	}
	if code, _ := r.do(t, "POST", "/v1/printjobs/"+m["job_id"].(string)+"/print", r.token, nil); code != 409 {
		t.Fatalf("printing again a job the printer goes on with: %d", code)
	}
	if code, _ := r.do(t, "POST", "/v1/printjobs/no-such-job/print", r.token, nil); code != 404 {
		t.Fatalf("printing an unknown job: %d", code)
	}
	sim.Set(printersim.State{})
	deadline := time.Now().Add(20 * time.Second)
	for len(r.list(t)) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the job was not confirmed after paper was loaded")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(sim.Jobs()) != 1 {
		t.Fatalf("%d jobs printed", len(sim.Jobs()))
	}
	code, m = r.do(t, "POST", "/v1/records/"+id+"/receipt", r.token, map[string]any{"staff": "李建国"})
	if code != 201 || m["state"] != "printed" {
		t.Fatalf("a receipt with paper: %d %v", code, m)
	}
	if code, _ := r.do(t, "POST", "/v1/printjobs/"+m["job_id"].(string)+"/cancel", r.token, nil); code != 404 {
		t.Fatalf("cancelling a printed job: %d", code)
	}
}

func (r *rig) list(t *testing.T) []map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", r.api.URL+"/v1/printjobs", nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jobs []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&jobs); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /v1/printjobs: %d %v", resp.StatusCode, err)
	}
	return jobs
}
