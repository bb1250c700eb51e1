package upstream_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// observations records what a client passed to ObserveDate.
type observations struct {
	mu  sync.Mutex
	hub []time.Time
}

func (o *observations) observe(h, _ time.Time) { o.mu.Lock(); o.hub = append(o.hub, h); o.mu.Unlock() }

func (o *observations) list() []time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]time.Time(nil), o.hub...)
}

// fakeAnswer is a server that is not the hub, or a hub older than the
// time proof, answering with its own (wrong) Date.
func fakeAnswer(status int, ctype, body string, hdr map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", wrongDate.Format(http.TimeFormat))
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

var wrongDate = time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)

// forgedProof answers like a hub but proves its time with a token that is
// not the station's.
func forgedProof(w http.ResponseWriter, r *http.Request) {
	at := wrongDate.Format(time.RFC3339Nano)
	w.Header().Set(wire.HeaderHubTime, at)
	w.Header().Set(wire.HeaderTimeProof, wire.TimeProof("not-the-token", "st-1", r.Header.Get(wire.HeaderTimeNonce), at))
	w.Header().Set("Date", wrongDate.Format(http.TimeFormat))
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"acked": [], "rejected": []}`)
}

// Only an answer that comes from the configured hub sets the station's
// clock: a proxy's error, a captive portal's page, a forged proof and a
// 304 nobody proved are all ignored, and an old hub's JSON answer still
// counts by its Date.
func TestHubTimeOnlyFromTheHub(t *testing.T) {
	hubSkew := 8 * time.Hour // the real hub's clock against the test's
	store, err := hub.OpenBolt(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := &hub.Server{Store: store, Tokens: hub.Tokens{"tok": "st-1"}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:     func() time.Time { return time.Now().Add(hubSkew) },
		RefData: func(string) ([]byte, error) { return []byte(`{"grid": {}}`), nil }}
	realHub := h.Handler()

	tests := []struct {
		name    string
		handler http.Handler
		token   string
		call    string // send, refdata, refdata-etag
		want    string // "hub": the hub's proved clock; "date": the Date header; "": nothing
	}{
		{"hub's batch reply", realHub, "tok", "send", "hub"},
		{"hub's reference data", realHub, "tok", "refdata", "hub"},
		{"hub's 304", realHub, "tok", "refdata-etag", "hub"},
		{"hub refusing the token", realHub, "wrong", "refdata", ""},
		{"proxy's 502", fakeAnswer(502, "text/html", "<html>Bad Gateway</html>", nil), "tok", "send", ""},
		{"proxy's 503 in JSON", fakeAnswer(503, "application/json", `{"error": "down"}`, nil), "tok", "refdata", ""},
		{"captive portal's login page", fakeAnswer(200, "text/html; charset=utf-8", "<html>请登录</html>", nil), "tok", "refdata", ""},
		{"portal's page labelled JSON", fakeAnswer(200, "application/json", "<html>请登录</html>", nil), "tok", "send", ""},
		{"forged proof", http.HandlerFunc(forgedProof), "tok", "send", ""},
		{"old hub's batch reply", fakeAnswer(200, "application/json", `{"acked": [], "rejected": []}`, nil), "tok", "send", "date"},
		{"old hub's reference data", fakeAnswer(200, "application/json; charset=utf-8", `{"grid": {}}`, nil), "tok", "refdata", "date"},
		{"unproved 304", fakeAnswer(304, "", "", map[string]string{"ETag": `"x"`}), "tok", "refdata-etag", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(tc.handler)
			defer ts.Close()
			var obs observations
			c := &upstream.Client{BaseURL: ts.URL, StationID: "st-1", HTTP: ts.Client(),
				Token: func() (string, error) { return tc.token, nil }, ObserveDate: obs.observe}
			ctx := context.Background()
			switch tc.call {
			case "send":
				c.Send(ctx, nil)
			case "refdata":
				c.RefData(ctx, "")
			case "refdata-etag":
				etag := `"x"`
				if tc.handler == realHub {
					// The hub's ETag, learnt from a first fetch; only the
					// answer to the second counts here.
					_, etag, _, _ = c.RefData(ctx, "")
					obs = observations{}
				}
				if _, _, nm, err := c.RefData(ctx, etag); err != nil || !nm {
					t.Fatalf("conditional fetch: not modified %v, err %v", nm, err)
				}
			}
			got := obs.list()
			switch tc.want {
			case "":
				if len(got) != 0 {
					t.Fatalf("observed %v from an answer that is not the hub's", got)
				}
			case "date":
				if len(got) != 1 || !got[0].Equal(wrongDate) {
					t.Fatalf("observed %v, want the old hub's Date %v", got, wrongDate)
				}
			case "hub":
				want := time.Now().Add(hubSkew)
				if len(got) != 1 || got[0].Sub(want).Abs() > time.Minute {
					t.Fatalf("observed %v, want the hub's clock about %v (not its Date header)", got, want)
				}
			}
		})
	}
}

// A Retry-After date is read against the answer's own Date: the station's
// clock may be a year off, the answerer's wait is still 90 s.
func TestRetryAfterOnTheAnswerersClock(t *testing.T) {
	ts := httptest.NewServer(fakeAnswer(503, "application/json", `{"error": "busy"}`,
		map[string]string{"Retry-After": wrongDate.Add(90 * time.Second).Format(http.TimeFormat)}))
	defer ts.Close()
	c := &upstream.Client{BaseURL: ts.URL, StationID: "st-1", HTTP: ts.Client(), Token: func() (string, error) { return "tok", nil }}
	_, err := c.Send(context.Background(), nil)
	var he *upstream.HTTPError
	if !errors.As(err, &he) || he.Status != 503 || he.RetryAfter != 90*time.Second {
		t.Fatalf("Send: %v; want 503 with Retry-After 90s", err)
	}
}
