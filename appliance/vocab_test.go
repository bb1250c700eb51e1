package appliance

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// The storage's and the printer's errors reach the screens as the
// station's own, with their messages as they were.
func TestVocabErrors(t *testing.T) {
	paperOut := printer.Status{PaperOut: true}.Ready()
	for _, tc := range []struct {
		name string
		err  error
		is   error
	}{
		{"full", fmt.Errorf("appliance: %w", outbox.ErrFull), station.ErrFull},
		{"not found", outbox.ErrNotFound, station.ErrNotFound},
		{"unknown", &station.StorageUnknown{ID: "x", Err: outbox.ErrUnknown}, station.ErrStorageUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := vocab(tc.err)
			if !errors.Is(got, tc.is) {
				t.Errorf("vocab(%v) is not %v", tc.err, tc.is)
			}
			if got.Error() != tc.err.Error() {
				t.Errorf("message %q, want %q", got.Error(), tc.err.Error())
			}
			if vocab(got) != got {
				t.Error("told twice")
			}
		})
	}
	got := vocab(fmt.Errorf("print: %w", paperOut))
	var nr *station.NotReadyError
	if !errors.As(got, &nr) || nr.Reason != "paper out" || nr.Msg == "" {
		t.Fatalf("vocab(paper out) = %v, want a *station.NotReadyError for paper out", got)
	}
	if nr.Error() != paperOut.Error() {
		t.Errorf("NotReadyError says %q, the printer %q", nr.Error(), paperOut.Error())
	}
	if vocab(nil) != nil {
		t.Error("vocab(nil) is not nil")
	}
}

func TestRow(t *testing.T) {
	for _, tc := range []struct {
		kind     string
		ticket   string
		resident bool
	}{
		{wire.KindRegistration, "R0042", true},
		{wire.KindMatter, "M0042", true},
		{wire.KindReceipt, "C0042", false},
		{wire.KindVolunteer, "V0042", false},
	} {
		r := row(outbox.Entry{ID: "id", Kind: tc.kind, Seq: 42, State: outbox.Rejected, Reason: "why"})
		if r.Ticket != tc.ticket || r.Resident != tc.resident || r.State != station.Rejected || r.Reason != "why" {
			t.Errorf("row(%s) = %+v", tc.kind, r)
		}
	}
}
