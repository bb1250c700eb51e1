package record

import (
	"strings"
	"testing"
)

func TestCheckUTF8NamesTheField(t *testing.T) {
	tests := []struct{ root, data, field string }{
		{"", "{\"staff\":\"李\xff\"}", "staff"},
		{"", "{\"staff\":\"李\",\"next_step\":\"\xff\"}", "next_step"},
		{"", "{\"a\":{\"b\":[\"x\",{\"c\":\"\xff\"}]}}", "a.b.1.c"},
		{"", "{\"a\":[[1,2],[\"\xff\"]]}", "a.1.0"},
		{"", "{\"a\":{},\"b\":[],\"c\":\"\xff\"}", "c"},
		{"", "{\"k\xff\":1}", "k\ufffd"},
		{"", "\"\xff\"", "body"},
		{"payload", "{\"x\":1} \xff", "payload"},
		{"payload", "{\"x\":\"\xff", "payload.x"},
		{"payload", "[\xff]", "payload.0"},
	}
	for _, tc := range tests {
		err := CheckUTF8(tc.root, []byte(tc.data))
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != tc.field {
			t.Errorf("CheckUTF8(%q, %q) = %v; want field %q", tc.root, tc.data, err, tc.field)
		}
	}
	if err := CheckUTF8("payload", []byte(`{"name":"王秀兰"}`)); err != nil {
		t.Errorf("valid UTF-8 refused: %v", err)
	}
}

// CheckUTF8 takes any bytes: it refuses exactly those that are not UTF-8,
// always with a field under its root, and never panics on broken JSON.
func FuzzCheckUTF8(f *testing.F) {
	f.Add([]byte("{\"a\":{\"b\":[\"x\",{\"c\":\"\xff\"}]}}"))
	f.Add([]byte("[[[\xff"))
	f.Add([]byte("}\xff"))
	f.Add([]byte(`{"name":"王秀兰"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := CheckUTF8("payload", data)
		if (err == nil) != (invalidAt(data) < 0) {
			t.Fatalf("CheckUTF8(%q) = %v", data, err)
		}
		if err != nil && !strings.HasPrefix(err.(*FieldError).Field, "payload") {
			t.Fatalf("field %q is not under payload", err.(*FieldError).Field)
		}
	})
}
