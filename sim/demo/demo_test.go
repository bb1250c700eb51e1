package demo

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
)

// The demo data must pass the same rules as real data, or a newcomer's first
// look at the kiosk would be an error.
func TestDemoPassesTheRules(t *testing.T) {
	dir := t.TempDir()
	cfg := Config(filepath.Join(dir, "data"), "http://127.0.0.1:1", filepath.Join(dir, "token"))
	if err := cfg.Validate(); err != nil {
		t.Fatalf("demo config: %v", err)
	}
	st, err := appliance.New(appliance.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	subs, err := Submissions(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if _, err := st.Submit(t.Context(), s); err != nil {
			t.Errorf("demo %s refused: %v", s.Kind, err)
		}
	}
	var rd struct {
		Categories []struct{ Code, Name string }
		Staff      []struct{ ID, Name string }
	}
	if err := json.Unmarshal(RefData(), &rd); err != nil || len(rd.Categories) < 5 || len(rd.Staff) == 0 {
		t.Fatalf("refdata: %v %+v", err, rd)
	}
}
