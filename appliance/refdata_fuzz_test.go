package appliance

import (
	"encoding/json"
	"testing"
)

// Whatever the hub sends, takeRefData either refuses it or returns a copy
// with categories that keeps every part the kept copy has.
func FuzzTakeRefData(f *testing.F) {
	kept, err := parseRefData([]byte(refData))
	if err != nil {
		f.Fatal(err)
	}
	kept.Categories = []Category{{Code: "repair", Name: "公共设施报修"}}
	f.Add([]byte(refData), true)
	f.Add([]byte(`{}`), true)
	f.Add([]byte(`{}`), false)
	f.Add([]byte(`{"categories":[{"code":"a","name":"x"}]}`), false)
	f.Add([]byte(`{"categories":[{"code":"a","name":"x"}],"grid":null,"staff":[{"id":"s","name":"n"}]}`), true)
	f.Add([]byte(`{"categories":[{"code":"a","name":"x"}],"code_keys":[{"id":"k","ed25519":"AAAA"}]}`), false)
	f.Fuzz(func(t *testing.T, raw []byte, withKept bool) {
		var k *RefData
		if withKept {
			k = kept
		}
		rd, err := takeRefData(raw, k)
		if err != nil {
			return
		}
		if !json.Valid(raw) || len(rd.Categories) == 0 {
			t.Fatalf("took %q: %+v", raw, rd)
		}
		if withKept && (len(rd.Staff) == 0 || len(rd.Grid) == 0 || string(rd.Grid) == "null") {
			t.Fatalf("took %q, which lacks a part the kept copy has", raw)
		}
	})
}
