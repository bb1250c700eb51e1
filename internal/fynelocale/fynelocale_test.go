package fynelocale

import "testing"

func TestIsC(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "C.UTF-8"}, true},
		{map[string]string{"LC_ALL": "C.utf8", "LANG": "zh_CN.UTF-8"}, true},
		{map[string]string{"LC_MESSAGES": "POSIX.UTF-8"}, true},
		{map[string]string{"LANG": "C@euro"}, true},
		{map[string]string{"LANG": "C"}, false},
		{map[string]string{"LC_ALL": "POSIX"}, false},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, false},
		{map[string]string{"LC_ALL": "zh_CN.UTF-8", "LANG": "C.UTF-8"}, false},
		{map[string]string{"LANG": "Ca_ES.UTF-8"}, false},
		{map[string]string{}, false},
	} {
		if got := isC(locale(func(k string) string { return tc.env[k] })); got != tc.want {
			t.Errorf("%v: isC = %v, want %v", tc.env, got, tc.want)
		}
	}
}
