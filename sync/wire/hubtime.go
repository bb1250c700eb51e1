package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
// it, and the nonce ties it to one request. Both sides compute it here,
// so the hub's MAC and the station's check cannot drift apart.
func TimeProof(token, stationID, nonce, hubTime string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("gridhub-time\x00" + stationID + "\x00" + nonce + "\x00" + hubTime))
	return hex.EncodeToString(m.Sum(nil))
}
