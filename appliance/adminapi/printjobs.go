package adminapi

import (
	"errors"
	"net/http"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// receipt prints a service receipt: 201 only once the printer confirmed
// it, 409 when the printer cannot start, 202 otherwise.
func (a *api) receipt(w http.ResponseWriter, r *http.Request) {
	var req station.ReceiptRequest
	if !decode(w, r, &req) {
		return
	}
	req.RecordID = r.PathValue("id")
	res, err := a.st.PrintReceipt(r.Context(), req)
	var fe *record.FieldError
	var nr *station.NotReadyError
	switch {
	case errors.Is(err, station.ErrNotFound):
		writeJSON(w, http.StatusNotFound, errorBody{Error: "no such record at this station"})
	case errors.Is(err, station.ErrNoPrinter):
		writeJSON(w, http.StatusConflict, errorBody{Error: err.Error()})
	case errors.As(err, &nr):
		// Staff read this on the screen: the printer's own words.
		writeJSON(w, http.StatusConflict, errorBody{Error: nr.Msg, Field: "printer"})
	case errors.As(err, &fe):
		writeJSON(w, http.StatusBadRequest, errorBody{Error: fe.Error(), Field: fe.Field})
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: err.Error()})
	case res.State == station.JobPrinted:
		// Only when the printer said the receipt is on paper.
		writeJSON(w, http.StatusCreated, res)
	default:
		// Waiting, held for staff, unconfirmed or still printing: the
		// state and reason say which; the job is kept until printed.
		writeJSON(w, http.StatusAccepted, res)
	}
}

// printJobs lists the print jobs not printed yet.
func (a *api) printJobs(w http.ResponseWriter, r *http.Request) {
	jobs := a.st.PrintJobs()
	if jobs == nil {
		jobs = []station.PrintJob{}
	}
	writeJSON(w, http.StatusOK, jobs)
}

// printJobNow prints a held job again: 204; 404 when it is not waiting
// any more, 409 when it is not held (it goes on by itself).
func (a *api) printJobNow(w http.ResponseWriter, r *http.Request) {
	writeJobAction(w, a.st.PrintJobNow(r.PathValue("id")))
}

// cancelPrintJob forgets a job staff do not want printed.
func (a *api) cancelPrintJob(w http.ResponseWriter, r *http.Request) {
	writeJobAction(w, a.st.CancelPrintJob(r.PathValue("id")))
}

func writeJobAction(w http.ResponseWriter, err error) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, station.ErrNoPrintJob):
		writeJSON(w, http.StatusNotFound, errorBody{Error: err.Error()})
	case errors.Is(err, station.ErrNoPrinter), errors.Is(err, station.ErrNotHeld):
		writeJSON(w, http.StatusConflict, errorBody{Error: err.Error()})
	default:
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: err.Error()})
	}
}
