package station

import (
	"errors"
	"time"
)

// Print job states, as staff see them.
const (
	JobQueued      = "queued"      // next in line, or printing
	JobWaiting     = "waiting"     // the printer stopped during it; it goes on once the printer is ready
	JobHeld        = "held"        // waits for staff: print now or cancel
	JobPrinted     = "printed"     // confirmed by the printer (a result, never listed)
	JobUnconfirmed = "unconfirmed" // sent to a printer that cannot confirm (a result, never listed)
)

// ErrNoPrintJob is returned for a print job that is not waiting (printed
// or cancelled meanwhile, perhaps on another screen).
var ErrNoPrintJob = errors.New("appliance: no such print job waiting / 没有这个待打印的任务")

// ErrNotHeld is returned by PrintJobNow for a job that is not held: it is
// printing, or goes on by itself once the printer is ready.
var ErrNotHeld = errors.New("appliance: this print job is not waiting for a decision; it goes on by itself once the printer is ready / 这个任务不需要决定，打印机就绪后会自动打完")

// PrintJob is a print job not printed yet, for staff.
type PrintJob struct {
	ID      string    `json:"id"`
	Ticket  string    `json:"ticket"`
	Created time.Time `json:"created"`
	State   string    `json:"state"` // queued, waiting, held
	Reason  string    `json:"reason,omitempty"`
}

// ErrNoPrinter is returned when the station has no printer configured.
var ErrNoPrinter = errors.New("appliance: this station has no receipt printer (devices.printer)")

// ReceiptRequest asks for a service receipt for one record.
type ReceiptRequest struct {
	RecordID string `json:"-"`
	Staff    string `json:"staff"`
	NextStep string `json:"next_step,omitempty"`
}

// PrintResult says what became of a print job: a service receipt's, or
// the technician's test page.
type PrintResult struct {
	// printed (confirmed by the printer); waiting (it stopped part way and
	// goes on once ready); held (staff must decide: print now or cancel);
	// unconfirmed (sent, but the printer cannot say); queued (not done
	// when the request ended).
	State     string `json:"state"`
	Reason    string `json:"reason,omitempty"`
	ReceiptID string `json:"receipt_id,omitempty"` // the receipt record
	Ticket    string `json:"ticket"`
	JobID     string `json:"job_id"` // the print job, until it is printed
}
