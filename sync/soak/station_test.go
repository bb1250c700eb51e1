package soak

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildStation builds gridkiosk once for the whole soak. A plain build is
// enough: the soak tests the station's promises, not its data races.
func buildStation(t *testing.T, dir string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("soak: no go command to build gridkiosk with: %v", err)
	}
	bin := filepath.Join(dir, "gridkiosk")
	start := time.Now()
	out, err := exec.Command(gobin, "build", "-o", bin, "github.com/gridkiosk/gridkiosk/cmd/gridkiosk").CombinedOutput()
	if err != nil {
		t.Fatalf("soak: build gridkiosk: %v\n%s", err, out)
	}
	t.Logf("soak: built gridkiosk in %v", time.Since(start).Round(time.Millisecond))
	return bin
}

// station is the gridkiosk serve process, started and killed again and
// again on the same data directory and config.
type station struct {
	t      *testing.T
	bin    string
	config string
	data   string
	admin  string // host:port of the admin API
	logf   *os.File
	hc     *http.Client

	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error // set before exited closes
	runs    int
}

// newStation writes the station's config into dir, its data directory
// being data; extra is appended to the config (devices).
func newStation(t *testing.T, dir, data, bin, hubURL, extra string) *station {
	t.Helper()
	s := &station{t: t, bin: bin, config: filepath.Join(dir, "gridkiosk.toml"), data: data,
		admin: freeAddr(t), hc: &http.Client{Timeout: 5 * time.Second}}
	if err := os.WriteFile(filepath.Join(dir, "upstream.token"), []byte(hubToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`[station]
id = %q
name = "幸福湾社区党群服务站"

[station.grid]
county = "141029"
township = "141029100"
community = "141029100001"

[upstream]
url = %q
token_file = "upstream.token"
timeout = "2s"
retry_max = "2s"
batch_size = 25

[storage]
dir = %q

[admin]
listen = %q
%s`, stationID, hubURL, s.data, s.admin, extra)
	if err := os.WriteFile(s.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "config", "check", "--config", s.config).CombinedOutput(); err != nil {
		t.Fatalf("soak: the generated config does not pass gridkiosk config check: %v\n%s", err, out)
	}
	var err error
	if s.logf, err = os.Create(filepath.Join(dir, "station.log")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.running() {
			s.cmd.Process.Kill()
			<-s.exited
		}
		s.logf.Close()
	})
	return s
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs gridkiosk serve; it does not wait for it to be ready.
func (s *station) start() {
	s.t.Helper()
	s.runs++
	fmt.Fprintf(s.logf, "===== soak: start %d at %s\n", s.runs, time.Now().Format(time.RFC3339Nano))
	s.cmd = exec.Command(s.bin, "serve", "--config", s.config)
	s.cmd.Stdout, s.cmd.Stderr = s.logf, s.logf
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("soak: start gridkiosk: %v", err)
	}
	s.exited = make(chan struct{})
	cmd, exited := s.cmd, s.exited
	go func() {
		s.waitErr = cmd.Wait()
		close(exited)
	}()
}

func (s *station) running() bool {
	if s.cmd == nil {
		return false
	}
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// waitReady waits until the admin API answers /healthz.
func (s *station) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if !s.running() {
			s.t.Fatalf("soak: station run %d exited before it was ready: %v\n%s", s.runs, s.waitErr, s.logTail())
		}
		if resp, err := s.hc.Get("http://" + s.admin + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("soak: station run %d not ready after 30s\n%s", s.runs, s.logTail())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// kill SIGKILLs the station, which must still be running: a station that
// died on its own is a failure.
func (s *station) kill() {
	s.t.Helper()
	if !s.running() {
		s.t.Fatalf("soak: station run %d exited on its own: %v\n%s", s.runs, s.waitErr, s.logTail())
	}
	s.cmd.Process.Kill()
	<-s.exited
}

// stop asks the station to stop with SIGTERM; it must exit cleanly.
func (s *station) stop() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		s.t.Fatalf("soak: station did not stop within 15s of SIGTERM\n%s", s.logTail())
	}
	if s.waitErr != nil {
		s.t.Fatalf("soak: station did not stop cleanly on SIGTERM: %v\n%s", s.waitErr, s.logTail())
	}
}

// token reads the admin API's bearer token, made at the first start.
func (s *station) token() string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.data, "admin.token"))
	if err != nil {
		s.t.Fatalf("soak: admin token: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// health is the part of /healthz the soak reads.
type health struct {
	Outbox struct {
		Queued    int    `json:"queued"`
		Delivered int    `json:"delivered"`
		Rejected  int    `json:"rejected"`
		LastSeq   uint64 `json:"last_seq"`
	} `json:"outbox"`
	Upstream struct {
		Online    bool   `json:"online"`
		LastError string `json:"last_error"`
		Sent      uint64 `json:"sent"`
	} `json:"upstream"`
	RefData struct {
		ETag string `json:"etag"`
	} `json:"refdata"`
}

func (s *station) health() (health, error) {
	var h health
	resp, err := s.hc.Get("http://" + s.admin + "/healthz")
	if err != nil {
		return h, fmt.Errorf("healthz: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return h, fmt.Errorf("healthz: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		return h, fmt.Errorf("healthz: %w", err)
	}
	return h, nil
}

// waitDrained waits until the outbox queue is empty and returns the
// station's health at that point.
func (s *station) waitDrained(limit time.Duration) health {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		h, err := s.health()
		if err == nil && h.Outbox.Queued == 0 {
			return h
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("soak: outbox not drained within %v after healing: %+v (err %v)\n%s", limit, h, err, s.logTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// state returns a record's state at the station (queued, delivered,
// rejected).
func (s *station) state(token, id string) (string, error) {
	req, err := http.NewRequest("GET", "http://"+s.admin+"/v1/records/"+id, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("look up %s: %w", id, err)
	}
	defer resp.Body.Close()
	var e struct{ State string }
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("look up %s: %s (%v)", id, resp.Status, err)
	}
	return e.State, nil
}

// logTail is the end of the station's log, for failure messages.
func (s *station) logTail() string {
	b, _ := os.ReadFile(s.logf.Name())
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 80 {
		lines = lines[len(lines)-80:]
	}
	return "station log (" + s.logf.Name() + "), last lines:\n" + strings.Join(lines, "\n")
}
