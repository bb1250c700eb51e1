package wire

// Reason codes a hub may give in the body of an error answer (see
// PROTOCOL.md). A hub that gives none is understood by its status alone.
const (
	// CodeUnknownToken (401): the hub knows no station with this token.
	CodeUnknownToken = "unknown_token"
	// CodeStationMismatch (403): the token is valid but belongs to
	// another station than the one the request speaks for.
	CodeStationMismatch = "station_mismatch"
)

// ErrorReply is the body of a hub's error answer. Code and TokenStation
// are optional, so that older hubs, which send only error, still comply.
type ErrorReply struct {
	Code         string `json:"code,omitempty"`
	TokenStation string `json:"token_station,omitempty"`
	Error        string `json:"error"`
}
