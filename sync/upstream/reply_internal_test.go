package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// A connection that breaks while the hub's answer arrives is the
// network's fault; a complete answer in the wrong shape is the hub's.
func TestReplyErrorCause(t *testing.T) {
	tests := []struct {
		name  string
		serve func(w http.ResponseWriter)
		want  string
	}{
		{"cut mid-answer", func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			w.Write([]byte(`{"acked":["0190`))
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, CauseNetwork},
		{"not the contract", func(w http.ResponseWriter) {
			w.WriteHeader(200)
			w.Write([]byte(`<html>captive portal</html>`))
		}, CauseReply},
		{"wrong types", func(w http.ResponseWriter) {
			w.WriteHeader(200)
			w.Write([]byte(`{"acked": 5}`))
		}, CauseReply},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { tc.serve(w) }))
			defer ts.Close()
			c := &Client{BaseURL: ts.URL, StationID: "141029-xfw-01", Token: func() (string, error) { return "t", nil }}
			_, err := c.Send(context.Background(), []wire.Record{{ID: "0190f5e6-0000-7000-8000-000000000001"}})
			if err == nil || cause(err) != tc.want {
				t.Fatalf("err %v counted as %q, want %q", err, cause(err), tc.want)
			}
		})
	}
}
