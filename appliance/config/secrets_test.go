package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// config check holds the hub's token and the station's own secrets to
// the rule the station reads them by: the file, its mode and the chmod
// to run, at the key's line. A secret not there yet is no problem.
func TestCheckSecrets(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o700)
	path := filepath.Join(dir, "gridkiosk.toml")
	write(t, path, station+"[upstream]\nurl = \"https://10.14.0.2\"\ntoken_file = \"upstream.token\"\n[storage]\ndir = \""+data+"\"\n")
	if _, err := Check(path, time.Now()); err != nil {
		t.Fatalf("no secrets yet: %v", err)
	}
	token := filepath.Join(dir, "upstream.token")
	write(t, token, "tok\n")
	if _, err := Check(path, time.Now()); err != nil {
		t.Fatalf("token 0600: %v", err)
	}
	os.Chmod(token, 0o644)
	_, err := Check(path, time.Now())
	assertError(t, err, "upstream.token_file", 10, "secret file "+token+" has mode 0644: group and others may read")
	if !strings.Contains(err.Error(), "chmod 600 "+token) {
		t.Errorf("no chmod to run: %v", err)
	}
	os.Chmod(token, 0o600)
	for _, name := range []string{"admin.token", "station.key"} {
		p := filepath.Join(data, name)
		write(t, p, "secret")
		os.Chmod(p, 0o604)
		_, err := Check(path, time.Now())
		assertError(t, err, "storage.dir", 12, "secret file "+p+" has mode 0604: others may read")
		os.Remove(p)
	}
}

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://hub.xiangning.gov.cn", "https://hub.xiangning.gov.cn"},
		{"https://gk:s3cret@hub.xiangning.gov.cn:8443/v1/", "https://hub.xiangning.gov.cn:8443/v1/"},
		{"https://hub.xiangning.gov.cn/?token=s3cret#s3cret", "https://hub.xiangning.gov.cn/"},
		{"https://gk:s3cret@hub:badport", "(a URL that does not parse, not shown: it may hold a password)"},
		{"", ""},
	} {
		if got := RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A config error about upstream.url does not repeat a password in it:
// provisioning writes the errors to the boot partition for any PC to read.
func TestURLErrorsHidePassword(t *testing.T) {
	for _, u := range []string{"http://gk:s3cret@10.14.0.2:8080", "ftp://gk:s3cret@hub", "https://gk:s3cret@hub:badport", "https://hub/?token=s3cret", "https://hub/#s3cret"} {
		_, err := Parse([]byte(station+"[upstream]\nurl = \""+u+"\"\ntoken_file = \"t\"\n"), "gridkiosk.toml")
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("url %s: %v", u, err)
		}
	}
}
