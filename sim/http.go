package sim

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/adminapi"
)

// Handler serves the admin API's /v1/sim endpoints for s, each needing
// the admin API's bearer token; serve mounts it beside adminapi.Handler
// in simulation:
//
//	POST /v1/sim/idcard/lay {"card"}, POST /v1/sim/idcard/lift
//	POST /v1/sim/printer {"paper_out","near_end","cover_open","offline","paper_out_after"}
//	GET  /v1/sim/printer/last.png, last.txt
//	GET  /v1/sim/screen: the kiosk window's screen and its targets
//	POST /v1/sim/scanner/scan {"data","aim"}
//	POST /v1/sim/hub/issue {"kind","scan"}
//	POST /v1/sim/panel/press {"button","hold_ms"}, POST /v1/sim/panel/presence {"on"}
//	GET  /v1/sim/panel
//	POST /v1/sim/network {"up"}
//	POST /v1/sim/clock {"skew_seconds"}
func Handler(s Simulator, token string) http.Handler {
	h := &handler{sim: s}
	auth := func(f http.HandlerFunc) http.HandlerFunc { return adminapi.RequireToken(token, f) }
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/sim/idcard/lay", auth(h.lay))
	mux.HandleFunc("POST /v1/sim/idcard/lift", auth(h.lift))
	mux.HandleFunc("POST /v1/sim/printer", auth(h.printer))
	mux.HandleFunc("POST /v1/sim/scanner/scan", auth(h.scan))
	mux.HandleFunc("POST /v1/sim/hub/issue", auth(h.issue))
	mux.HandleFunc("POST /v1/sim/panel/press", auth(h.press))
	mux.HandleFunc("POST /v1/sim/panel/presence", auth(h.presence))
	mux.HandleFunc("GET /v1/sim/panel", auth(h.panel))
	mux.HandleFunc("POST /v1/sim/network", auth(h.network))
	mux.HandleFunc("POST /v1/sim/clock", auth(h.clock))
	mux.HandleFunc("GET /v1/sim/printer/{file}", auth(h.lastPrint))
	mux.HandleFunc("GET /v1/sim/screen", auth(h.screen))
	return mux
}

type handler struct{ sim Simulator }

func (h *handler) scan(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Data string `json:"data"`
		AIM  string `json:"aim"`
	}
	if !adminapi.DecodeJSON(w, r, &in) {
		return
	}
	if err := h.sim.ScanCode(in.Data, in.AIM); err != nil {
		adminapi.WriteError(w, http.StatusServiceUnavailable, err.Error(), "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// issue has the simulated hub sign a demo code and, with "scan", shows
// it to the emulated scanner as a resident would.
func (h *handler) issue(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind string `json:"kind"`
		Scan bool   `json:"scan"`
	}
	if !adminapi.DecodeJSON(w, r, &in) {
		return
	}
	code, err := h.sim.IssueCode(in.Kind)
	if err != nil {
		adminapi.WriteError(w, http.StatusBadRequest, err.Error(), "kind")
		return
	}
	if in.Scan {
		if err := h.sim.ScanCode(code, "]Q1"); err != nil {
			adminapi.WriteError(w, http.StatusServiceUnavailable, err.Error(), "")
			return
		}
	}
	adminapi.WriteJSON(w, http.StatusOK, map[string]string{"code": code})
}

func (h *handler) press(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Button string `json:"button"`
		HoldMS int    `json:"hold_ms"`
	}
	if !adminapi.DecodeJSON(w, r, &in) {
		return
	}
	if in.HoldMS <= 0 || in.HoldMS > 10000 {
		in.HoldMS = 100
	}
	if err := h.sim.PressButton(in.Button, time.Duration(in.HoldMS)*time.Millisecond); err != nil {
		adminapi.WriteError(w, http.StatusBadRequest, err.Error(), "button")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) presence(w http.ResponseWriter, r *http.Request) {
	var in struct {
		On bool `json:"on"`
	}
	if !adminapi.DecodeJSON(w, r, &in) {
		return
	}
	h.sim.SetPresence(in.On)
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) network(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Up bool `json:"up"`
	}
	if !adminapi.DecodeJSON(w, r, &in) {
		return
	}
	if err := h.sim.SetNetwork(in.Up); err != nil {
		adminapi.WriteError(w, http.StatusServiceUnavailable, err.Error(), "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// clock sets the simulated board's clock skew_seconds from the host's.
func (h *handler) clock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SkewSeconds int64 `json:"skew_seconds"`
	}
	if !adminapi.DecodeJSON(w, r, &in) {
		return
	}
	if err := h.sim.SetClockSkew(time.Duration(in.SkewSeconds) * time.Second); err != nil {
		adminapi.WriteError(w, http.StatusBadRequest, err.Error(), "skew_seconds")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) panel(w http.ResponseWriter, r *http.Request) {
	adminapi.WriteJSON(w, http.StatusOK, h.sim.PanelOutputs())
}

func (h *handler) printer(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PaperOut  bool `json:"paper_out"`
		NearEnd   bool `json:"near_end"`
		CoverOpen bool `json:"cover_open"`
		Offline   bool `json:"offline"`
		// PaperOutAfter runs the paper out after this many more printed
		// bytes (about half a receipt is 300).
		PaperOutAfter *int `json:"paper_out_after"`
	}
	if !adminapi.DecodeJSON(w, r, &in) {
		return
	}
	h.sim.SetPrinter(in.PaperOut, in.NearEnd, in.CoverOpen, in.Offline)
	if in.PaperOutAfter != nil {
		h.sim.PrinterRunOutAfter(max(*in.PaperOutAfter, 0))
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) lastPrint(w http.ResponseWriter, r *http.Request) {
	format, _ := strings.CutPrefix(r.PathValue("file"), "last.")
	switch format {
	case "png":
		w.Header().Set("Content-Type", "image/png")
	case "txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	default:
		adminapi.WriteError(w, http.StatusNotFound, "want last.png or last.txt", "")
		return
	}
	var buf bytes.Buffer
	ok, err := h.sim.LastPrint(&buf, format)
	switch {
	case err != nil:
		adminapi.WriteError(w, http.StatusInternalServerError, err.Error(), "")
	case !ok:
		adminapi.WriteError(w, http.StatusNotFound, "nothing printed yet", "")
	default:
		w.Write(buf.Bytes())
	}
}

func (h *handler) lay(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Card string `json:"card"`
	}
	if !adminapi.DecodeJSON(w, r, &in) {
		return
	}
	if err := h.sim.LayCard(in.Card); err != nil {
		adminapi.WriteError(w, http.StatusBadRequest, err.Error(), "card")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) lift(w http.ResponseWriter, r *http.Request) {
	h.sim.LiftCard()
	w.WriteHeader(http.StatusNoContent)
}
