package upstream

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// StationMismatch reports whether err is the hub's 403 saying that the
// token belongs to another station, and which one.
func StationMismatch(err error) (tokenStation string, ok bool) {
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusForbidden {
		return "", false
	}
	var r wire.ErrorReply
	if json.Unmarshal([]byte(he.Body), &r) != nil || r.Code != wire.CodeStationMismatch {
		return "", false
	}
	return r.TokenStation, true
}
