package upstream

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"time"
)

// The hub's time, proved. A station with a wrong clock corrects it by the
// hub's, so the time must come from the hub itself: not from a proxy's or
// a captive portal's Date header, nor from an error page. The station
// sends a fresh nonce with every request; a hub that knows the station's
// token answers with its own clock and a MAC over both. See PROTOCOL.md.
const (
	HeaderTimeNonce = "Gridhub-Time-Nonce" // request: random, hex
	HeaderHubTime   = "Gridhub-Time"       // answer: the hub's clock, RFC 3339
	HeaderTimeProof = "Gridhub-Time-Proof" // answer: TimeProof, hex
)

// TimeProof is the MAC a hub puts on its time: HMAC-SHA256 keyed with the
// station's bearer token over the station ID, the request's nonce and the
// Gridhub-Time value, hex-encoded. Only the holder of the token can make
// it, and the nonce ties it to one request.
func TimeProof(token, stationID, nonce, hubTime string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("gridhub-time\x00" + stationID + "\x00" + nonce + "\x00" + hubTime))
	return hex.EncodeToString(m.Sum(nil))
}

// provedTime is the hub's time from an answer to a request carrying token
// and nonce, if the answer proves it came from the hub.
func provedTime(resp *http.Response, token, stationID, nonce string) (time.Time, bool) {
	if !success(resp) {
		return time.Time{}, false
	}
	v, proof := resp.Header.Get(HeaderHubTime), resp.Header.Get(HeaderTimeProof)
	if v == "" || proof == "" {
		return time.Time{}, false
	}
	want := TimeProof(token, stationID, nonce, v)
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
	if resp.StatusCode/100 != 2 || resp.Header.Get(HeaderTimeProof) != "" {
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
