package upstream

import (
	"crypto/hmac"
	"mime"
	"net/http"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// provedTime is the hub's time from an answer to a request carrying token
// and nonce, if the answer proves it came from the hub.
func provedTime(resp *http.Response, token, stationID, nonce string) (time.Time, bool) {
	if !success(resp) {
		return time.Time{}, false
	}
	v, proof := resp.Header.Get(wire.HeaderHubTime), resp.Header.Get(wire.HeaderTimeProof)
	if v == "" || proof == "" {
		return time.Time{}, false
	}
	want := wire.TimeProof(token, stationID, nonce, v)
	if !hmac.Equal([]byte(proof), []byte(want)) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t, err == nil
}

// unprovedDate is the Date header of an answer from a hub that sends no
// proof (one older than the proof): taken only from a 2xx JSON answer
// whose body the caller has decoded as the contract's, which a proxy's
// error page or a captive portal's login page is not. An answer that
// carries a proof header never falls back to its Date, right or wrong.
func unprovedDate(resp *http.Response) (time.Time, bool) {
	if resp.StatusCode/100 != 2 || resp.Header.Get(wire.HeaderTimeProof) != "" {
		return time.Time{}, false
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return time.Time{}, false
	}
	d, err := http.ParseTime(resp.Header.Get("Date"))
	return d, err == nil
}

func success(resp *http.Response) bool {
	return resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusNotModified
}
