package appliance_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// The staff's list of the day says what each record is: its kind and
// ticket, whose it is with the name masked, and its matter; a receipt is
// about its record and names that record's resident. No row carries a
// full name.
func TestRecordsSayWhatEachIs(t *testing.T) {
	st, _ := printerStation(t)
	reg := registration(t, st) // 王秀兰, for a certificate
	submit := func(kind string, p map[string]any) {
		t.Helper()
		raw, _ := json.Marshal(p)
		if _, err := st.Submit(t.Context(), station.Submission{Kind: kind, Payload: raw}); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
	}
	submit("matter", map[string]any{"category": "repair", "description": "3号楼路灯不亮", "phone": "13812345678"})
	submit("matter", map[string]any{"category": "not_a_known_code", "description": "楼道堆物",
		"person": map[string]any{"name": "欧阳小明", "gender": "male", "birth": "1950-01-01",
			"id_number": "141029195001011236", "card_type": "resident"}})
	submit("volunteer", map[string]any{"volunteer": map[string]any{"name": "李建国", "party_member": true},
		"service": "政策宣传", "minutes": 60, "date": time.Now().Format("2006-01-02")})
	if _, err := st.PrintReceipt(t.Context(), station.ReceiptRequest{RecordID: reg, Staff: "张伟"}); err != nil {
		t.Fatal(err)
	}

	list, err := st.Records(time.Now().Add(-time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	type what struct{ kind, ticket, name, matter string }
	var got []what
	for _, r := range list {
		got = append(got, what{r.Kind, r.Ticket, r.Name, r.Matter})
		for _, full := range []string{"王秀兰", "欧阳小明", "李建国"} {
			if strings.Contains(r.Name, full) {
				t.Errorf("row %s shows the full name %q", r.Ticket, r.Name)
			}
		}
	}
	want := []what{ // newest first
		{"receipt", "C0005", "王*兰", "证明开具"},
		{"volunteer", "V0004", "李*国", "政策宣传"},
		{"matter", "M0003", "欧**明", "not_a_known_code"},
		{"matter", "M0002", "", "公共设施报修"},
		{"registration", "R0001", "王*兰", "证明开具"},
	}
	if len(got) != len(want) {
		t.Fatalf("rows %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
