package sim

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// The simulated hub serves the county console, says where in its log,
// and the demo account logs in.
func TestConsoleOnSimHub(t *testing.T) {
	logBuf := &lockedLog{}
	w, err := Start(t.TempDir(), slog.New(slog.NewTextHandler(logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	base := "http://" + w.hub.addr
	if !strings.Contains(logBuf.String(), "url="+base+"/console/ user="+demo.ConsoleUser+" password="+demo.ConsolePassword) {
		t.Fatalf("the log does not say where the console is and how to log in:\n%s", logBuf.String())
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no log-in form:\n%s", page)
	}
	resp, err = c.PostForm(base+"/console/login", url.Values{"csrf": {string(m[1])}, "name": {demo.ConsoleUser}, "password": {demo.ConsolePassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the demo account's log-in: %d", resp.StatusCode)
	}
}

// lockedLog is a log the world's goroutines write while the test reads.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
