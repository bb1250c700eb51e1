package main

import (
	"bytes"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// gridhub runs the command as a process under locale C, stdin given,
// and returns its exit code, stdout and stderr.
func gridhub(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GRIDHUB_TEST_MAIN=1", "LC_ALL=C", "LANG=C")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// consoleLogin logs in at a hub's console and returns the status of the
// answer to the log-in form.
func consoleLogin(t *testing.T, base, name, pw string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	page.ReadFrom(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page.String())
	if m == nil {
		t.Fatalf("no CSRF token on the log-in page:\n%s", page.String())
	}
	resp, err = c.PostForm(base+"/console/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// gridhub user add takes the password from stdin (never argv), prints
// one line, and the account logs in at gridhub serve's console; reset
// changes the password, disable stops log-ins.
func TestUserCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	const pw = "a long 密码 for 测试"
	code, out, errs := gridhub(t, pw+"\n", "user", "add", "--data", dir, "--name", "county.admin", "--role", "admin")
	if code != 0 || out != "county.admin: added\n" || errs != "" {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "hub.db"))
	if bytes.Contains(raw, []byte(pw)) || bytes.Contains(raw, []byte("$argon2id$")) {
		t.Fatal("hub.db holds the password, or its hash in clear")
	}
	refusals := []struct {
		stdin string
		args  []string
		want  string
	}{
		{pw, []string{"user", "add", "--data", dir, "--name", "county.admin", "--role", "admin"}, "exists"},
		{pw, []string{"user", "add", "--data", dir, "--name", "zl", "--role", "staff"}, "12-digit code"},
		{"short\n", []string{"user", "add", "--data", dir, "--name", "viewer1", "--role", "viewer"}, "at least 10 characters"},
		{"", []string{"user", "add", "--data", dir, "--name", "v2", "--role", "viewer", "--password", pw}, "not defined: -password"},
		{pw, []string{"user", "reset", "--data", dir, "--name", "nobody"}, "no account nobody"},
	}
	for _, r := range refusals {
		code, out, errs := gridhub(t, r.stdin, r.args...)
		if code == 0 || !strings.Contains(errs, r.want) || out != "" {
			t.Errorf("%q: %d %q %q, want an error saying %q", r.args, code, out, errs, r.want)
		}
	}
	h := startHub(t, nil, "--data", dir)
	if code := consoleLogin(t, h.url, "county.admin", pw); code != http.StatusSeeOther {
		t.Fatalf("log-in at gridhub serve's console: %d\n%s", code, h.log.String())
	}
	h.stop()
	const pw2 = "another long password"
	if code, out, errs := gridhub(t, pw2+"\n", "user", "reset", "--data", dir, "--name", "county.admin"); code != 0 || errs != "" ||
		out != "county.admin: password set, sessions ended\n" {
		t.Fatalf("user reset: %d %q %q", code, out, errs)
	}
	h = startHub(t, nil, "--data", dir)
	if code := consoleLogin(t, h.url, "county.admin", pw); code != http.StatusUnauthorized {
		t.Fatalf("the old password after reset: %d", code)
	}
	if code := consoleLogin(t, h.url, "county.admin", pw2); code != http.StatusSeeOther {
		t.Fatalf("the new password: %d", code)
	}
	h.stop()
	if code, out, _ := gridhub(t, "", "user", "disable", "--data", dir, "--name", "county.admin"); code != 0 || out != "county.admin: disabled, sessions ended\n" {
		t.Fatalf("user disable: %d %q", code, out)
	}
	if code, out, _ := gridhub(t, "", "user", "list", "--data", dir); code != 0 || out != "county.admin\tadmin\t-\tdisabled\n" {
		t.Fatalf("user list: %d %q", code, out)
	}
	h = startHub(t, nil, "--data", dir)
	if code := consoleLogin(t, h.url, "county.admin", pw2); code != http.StatusUnauthorized {
		t.Fatalf("a disabled account: %d", code)
	}
}

// serve --console=false serves the stations only.
func TestServeWithoutConsole(t *testing.T) {
	h := startHub(t, nil, "--data", filepath.Join(t.TempDir(), "hub"), "--console=false")
	resp, err := http.Get(h.url + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /console/login with --console=false: %d, want 404", resp.StatusCode)
	}
}
