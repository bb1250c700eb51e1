package adminapi

import "net/http"

// The admin API's conventions, for endpoints served beside it on the same
// listener (the simulation's /v1/sim, sim.Handler): the same bearer
// token, the same strict JSON bodies, the same error body.

// RequireToken serves h only to a request bearing token, as every /v1
// endpoint; others get 401 and where to find the token.
func RequireToken(token string, h http.HandlerFunc) http.HandlerFunc {
	return (&api{token: token}).auth(h)
}

// DecodeJSON reads r's JSON body into v as strictly as the /v1 endpoints
// do; when it returns false it has answered (413, or 400 naming the
// field at fault).
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) bool { return decode(w, r, v) }

// WriteError answers code with the API's error body: msg, and the field
// at fault when there is one.
func WriteError(w http.ResponseWriter, code int, msg, field string) {
	writeJSON(w, code, errorBody{Error: msg, Field: field})
}

// WriteJSON answers code with v in JSON, as the API's endpoints do.
func WriteJSON(w http.ResponseWriter, code int, v any) { writeJSON(w, code, v) }
