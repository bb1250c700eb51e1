package appliance_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/internal/sdnotify/sdnotifytest"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// pingPeriod is the watchdog tests' ping period (WatchdogSec=1s).
const pingPeriod = 500 * time.Millisecond

// hubStation is a running station whose hub is at url, with
// upstream.timeout 1s.
func hubStation(t *testing.T, url string, opt appliance.Options) *appliance.Station {
	t.Helper()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("token-xfw-0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opt.Config = demo.Config(filepath.Join(dir, "data"), url, tokenFile)
	opt.Config.Upstream.Timeout.Duration = time.Second
	return runStation(t, opt)
}

func submitMatter(t *testing.T, st *appliance.Station) {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"category": "repair", "description": "路灯不亮"})
	if _, err := st.Submit(t.Context(), station.Submission{Kind: "matter", Payload: raw}); err != nil {
		t.Fatal(err)
	}
}

// silentHub accepts connections and reads requests but never answers.
func silentHub(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				<-done
				c.Close()
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); close(done) })
	return "http://" + ln.Addr().String()
}

// A forwarder stuck in a send past upstream.timeout (a hub that never
// answers, and a client whose timeout does not end the send) stops the
// watchdog's pings, and the check names the forwarder.
func TestWatchdogStopsWhenForwarderStuck(t *testing.T) {
	st := hubStation(t, silentHub(t), appliance.Options{HTTP: &http.Client{}})
	w := sdnotifytest.Start(t, pingPeriod, st.Alive)
	w.WaitPings(t, 2)
	submitMatter(t, st)
	// Each failed check names the forwarder. On a loaded machine a check
	// may also find the committer slower than its third of the period,
	// behind a commit's fsync: that is the machine, not the wedge.
	for _, err := range w.WaitStopped(t) {
		if !strings.Contains(err.Error(), "forwarder stuck") {
			t.Fatalf("check failed with %v, want one naming the forwarder", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), sdnotifytest.Wait)
	defer cancel()
	// The outbox is fine all along: records are still stored, and given
	// time, its committer answers.
	submitMatter(t, st)
	if err := st.Alive(ctx); err == nil || !strings.Contains(err.Error(), "forwarder stuck") || strings.Contains(err.Error(), "committer") {
		t.Fatalf("Alive %v, want the forwarder alone named", err)
	}
}

// A hub that is away for longer than the forwarder may take over one
// batch is no reason to restart the station: the forwarder waits in its
// backoff, and the pings go on.
func TestWatchdogFedWhileHubAway(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close() // connections refused: the hub is away
	st := hubStation(t, url, appliance.Options{Timing: appliance.Timing{MinBackoff: time.Hour, MaxBackoff: time.Hour}})
	submitMatter(t, st)
	w := sdnotifytest.Start(t, pingPeriod, st.Alive)
	// Past upstream.timeout plus the grace (11s) with every ping sent.
	w.WaitPings(t, int((12*time.Second)/pingPeriod))
	if h := st.Health(); h.Upstream.Online || h.Upstream.LastError == "" || h.Outbox.Queued != 1 {
		t.Fatalf("upstream %+v, outbox %+v: want the hub away and the record waiting", h.Upstream, h.Outbox)
	}
}
