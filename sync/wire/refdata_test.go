package wire_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func TestValidateRefData(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		err        string // "" when the data passes
	}{
		{"empty object", `{}`, ""},
		{"categories", `{"categories":[{"code":"repair","name":"公共设施报修"},{"code":"noise","name":"噪音"}]}`, ""},
		{"other parts untouched", `{"staff":[{"id":"s1"}],"grid":{"county":"141029"}}`, ""},
		{"not UTF-8", "{\"categories\":[{\"code\":\"\xff\",\"name\":\"x\"}]}", "not UTF-8"},
		{"syntax error", "{\n  \"categories\": [\n    {\"code\": \"a\",}\n  ]\n}", "line 3, column"},
		{"array", `[]`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"categories not a list", `{"categories":{}}`, `"categories" must be a list`},
		{"categories null", `{"categories":null}`, `"categories" must be a list`},
		{"code missing", `{"categories":[{"name":"x"}]}`, `categories[0]: "code"`},
		{"name empty", `{"categories":[{"code":"a","name":""}]}`, `categories[0] (a): "name"`},
		{"code twice", `{"categories":[{"code":"a","name":"x"},{"code":"a","name":"y"}]}`, `categories[1]: code "a" appears twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := wire.ValidateRefData([]byte(tc.data))
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("err = %v, want one saying %q", err, tc.err)
			}
		})
	}
}

// The document type reads what the hub serves: every part of a full
// document lands in its field.
func TestRefDataDocument(t *testing.T) {
	const doc = `{
		"categories": [{"code": "repair", "name": "公共设施报修", "name_en": "Repairs"}],
		"staff": [{"id": "s1", "name": "王芳", "role": "grid_worker", "roles": ["technician"], "pin_hash": "$argon2id$x"}],
		"code_keys": [{"id": "k1", "ed25519": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}],
		"revoked_codes": ["c9"],
		"grid": {"county": "141029"}
	}`
	if err := wire.ValidateRefData([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	var rd wire.RefData
	if err := json.Unmarshal([]byte(doc), &rd); err != nil {
		t.Fatal(err)
	}
	if len(rd.Categories) != 1 || rd.Categories[0].NameEN != "Repairs" ||
		len(rd.Staff) != 1 || !rd.Staff[0].HasRole("technician") || rd.Staff[0].HasRole("admin") || rd.Staff[0].PINHash == "" ||
		len(rd.CodeKeys) != 1 || len(rd.CodeKeys[0].Ed25519) != 32 ||
		len(rd.Revoked) != 1 || string(rd.Grid) != `{"county": "141029"}` {
		t.Fatalf("decoded %+v", rd)
	}
}

// Whatever ValidateRefData passes, a station can list the categories of:
// each has a code and a name, no code twice. Only the key "categories"
// spelled so counts, as in the check (encoding/json would also take
// "CATEGORIES" into a struct field; the seed corpus keeps such a case).
func FuzzValidateRefData(f *testing.F) {
	for _, s := range []string{`{}`, `{"categories":[{"code":"a","name":"x"}]}`, `{"categories":[{"code":"a"}]}`, `[]`, "{\n\"categories\": [,]}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if wire.ValidateRefData(data) != nil {
			return
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			t.Fatalf("passed but is not an object: %v", err)
		}
		raw, ok := top["categories"]
		if !ok {
			return
		}
		var cats []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &cats); err != nil {
			t.Fatalf("passed but categories do not decode: %v", err)
		}
		seen := map[string]bool{}
		for i, c := range cats {
			var code, name string
			if json.Unmarshal(c["code"], &code) != nil || json.Unmarshal(c["name"], &name) != nil ||
				code == "" || name == "" || seen[code] {
				t.Fatalf("passed with categories[%d] = %s", i, raw)
			}
			seen[code] = true
		}
	})
}
