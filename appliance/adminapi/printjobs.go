package adminapi

import (
	"errors"
	"net/http"

	"github.com/gridkiosk/gridkiosk/appliance"
)

// printJobs lists the print jobs not printed yet.
func (a *api) printJobs(w http.ResponseWriter, r *http.Request) {
	jobs := a.st.PrintJobs()
	if jobs == nil {
		jobs = []appliance.PrintJob{}
	}
	writeJSON(w, http.StatusOK, jobs)
}

// printJobNow prints a held job again: 204, or 404 when it is not
// waiting any more.
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
	case errors.Is(err, appliance.ErrNoPrintJob):
		writeJSON(w, http.StatusNotFound, errorBody{Error: err.Error()})
	case errors.Is(err, appliance.ErrNoPrinter):
		writeJSON(w, http.StatusConflict, errorBody{Error: err.Error()})
	default:
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: err.Error()})
	}
}
