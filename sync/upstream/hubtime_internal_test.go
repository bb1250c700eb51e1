package upstream

import (
	"net/http"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// Whatever an answer's headers say, its time is taken only with the proof
// that the station's token makes, and then exactly as the hub wrote it.
func FuzzProvedTime(f *testing.F) {
	f.Add(200, "2026-11-26T01:14:03.512Z", "", "application/json", "Thu, 26 Nov 2026 01:14:03 GMT")
	f.Add(304, "2026-11-26T01:14:03Z", "00", "", "")
	f.Add(502, "yesterday", "zz", "text/html", "Mon, 01 Jan 1990 00:00:00 GMT")
	f.Fuzz(func(t *testing.T, status int, hubTime, proof, ctype, date string) {
		const tok, station, nonce = "tok", "st-1", "n1"
		for _, p := range []string{proof, wire.TimeProof(tok, station, nonce, hubTime)} {
			resp := &http.Response{StatusCode: status, Header: http.Header{}}
			resp.Header.Set(wire.HeaderHubTime, hubTime)
			resp.Header.Set(wire.HeaderTimeProof, p)
			resp.Header.Set("Content-Type", ctype)
			resp.Header.Set("Date", date)
			got, ok := provedTime(resp, tok, station, nonce)
			valid := p == wire.TimeProof(tok, station, nonce, resp.Header.Get(wire.HeaderHubTime))
			if ok && (!valid || !success(resp)) {
				t.Fatalf("took %v from status %d with proof %q", got, status, p)
			}
			if want, err := time.Parse(time.RFC3339Nano, resp.Header.Get(wire.HeaderHubTime)); ok && (err != nil || !got.Equal(want)) {
				t.Fatalf("took %v, the header says %q", got, hubTime)
			}
			if _, ok := unprovedDate(resp); ok && p != "" {
				t.Fatalf("fell back to the Date of an answer with a proof header")
			}
		}
	})
}
