package upstream_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func TestUpdateOffer(t *testing.T) {
	offer := wire.UpdateOffer{Version: "2026.12.7.1", Arch: "amd64", URL: "/v1/releases/2026.12.7.1/amd64/bundle.raucb", Size: 3, SHA256: strings.Repeat("a", 64)}
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/stations/st-1/update" || r.URL.Query().Get("arch") != "amd64" || r.URL.Query().Get("version") != "2026.12.1" ||
			r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("request %s %v", r.URL, r.Header)
		}
		if status != http.StatusOK {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(offer)
	}))
	defer srv.Close()
	c := &upstream.Client{BaseURL: srv.URL, StationID: "st-1", HTTP: srv.Client(), Token: func() (string, error) { return "tok", nil }}
	got, err := c.UpdateOffer(t.Context(), "amd64", "2026.12.1")
	if err != nil || got == nil || *got != offer {
		t.Errorf("200: %+v, %v", got, err)
	}
	status = http.StatusNoContent
	if got, err := c.UpdateOffer(t.Context(), "amd64", "2026.12.1"); err != nil || got != nil {
		t.Errorf("204: %+v, %v", got, err)
	}
	status = http.StatusNotFound
	_, err = c.UpdateOffer(t.Context(), "amd64", "2026.12.1")
	if he, ok := err.(*upstream.HTTPError); !ok || he.Status != 404 {
		t.Errorf("404: %v", err)
	}
}

func TestBundleRanges(t *testing.T) {
	const body = "0123456789abcdefghij"
	var gotRange, gotIfRange, gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotRange, gotIfRange, gotAuth = r.Header.Get("Range"), r.Header.Get("If-Range"), r.Header.Get("Authorization")
		w.Header().Set("ETag", `"abc"`)
		http.ServeContent(w, r, "b", time.Time{}, strings.NewReader(body))
	}))
	defer srv.Close()
	c := &upstream.Client{BaseURL: srv.URL, StationID: "st-1", HTTP: srv.Client(), Token: func() (string, error) { return "tok", nil }}
	for _, tt := range []struct {
		name             string
		from             int64
		etag             string
		wantOff, wantTot int64
		want             string
	}{
		{"whole", 0, "", 0, int64(len(body)), body},
		{"resumed", 7, `"abc"`, 7, int64(len(body)), body[7:]},
		{"bundle changed", 7, `"other"`, 0, int64(len(body)), body},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := c.Bundle(t.Context(), "/v1/releases/1/amd64/bundle.raucb", tt.from, tt.etag)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Body.Close()
			b, _ := io.ReadAll(d.Body)
			if d.Offset != tt.wantOff || d.Total != tt.wantTot || string(b) != tt.want {
				t.Errorf("offset %d total %d body %q; want %d %d %q", d.Offset, d.Total, b, tt.wantOff, tt.wantTot, tt.want)
			}
			if gotAuth != "Bearer tok" || (tt.from > 0) != (gotRange != "") || gotIfRange != tt.etag {
				t.Errorf("sent auth %q range %q if-range %q", gotAuth, gotRange, gotIfRange)
			}
		})
	}
	t.Run("mirror gets no token", func(t *testing.T) {
		other := &upstream.Client{BaseURL: "https://hub.invalid", StationID: "st-1", HTTP: srv.Client(), Token: func() (string, error) { return "tok", nil }}
		d, err := other.Bundle(t.Context(), srv.URL+"/mirror/bundle.raucb", 0, "")
		if err != nil {
			t.Fatal(err)
		}
		d.Body.Close()
		if gotAuth != "" {
			t.Errorf("the mirror was sent the station's token %q", gotAuth)
		}
	})
}
