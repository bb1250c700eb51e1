package appliance

import (
	"errors"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// The front door speaks the station's vocabulary (package station): what
// the outbox and the drivers say is mapped onto it here, so that a change
// in storage or a driver does not reach the screens or the admin API.

// told is an error of the outbox or a driver as the station tells it: its
// message unchanged, and both the original and the station's own error in
// its chain (errors.Is, errors.As).
type told struct {
	err, as error
}

func (e *told) Error() string   { return e.err.Error() }
func (e *told) Unwrap() []error { return []error{e.err, e.as} }

// vocab gives an error from the outbox or the printer the station's own
// identity: station.ErrFull, station.ErrNotFound, *station.NotReadyError.
func vocab(err error) error {
	if err == nil {
		return nil
	}
	var nr *printer.NotReadyError
	var snr *station.NotReadyError
	switch {
	case errors.Is(err, station.ErrFull), errors.Is(err, station.ErrNotFound), errors.As(err, &snr):
		return err // told already
	case errors.Is(err, outbox.ErrFull):
		return &told{err, station.ErrFull}
	case errors.Is(err, outbox.ErrNotFound):
		return &told{err, station.ErrNotFound}
	case errors.As(err, &nr):
		return &told{err, &station.NotReadyError{Reason: nr.Reason, Msg: nr.Msg}}
	}
	return err
}

// row is a record as the staff's lists and the admin API show it.
func row(e outbox.Entry) station.Row {
	return station.Row{
		ID: e.ID, Kind: e.Kind, Seq: e.Seq, State: station.RowState(e.State),
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Reason: e.Reason,
		Ticket:   ticket(e.Kind, e.Seq),
		Resident: e.Kind == wire.KindRegistration || e.Kind == wire.KindMatter,
	}
}

func rows(list []outbox.Entry, err error) ([]station.Row, error) {
	if list == nil {
		return nil, vocab(err)
	}
	out := make([]station.Row, len(list))
	for i, e := range list {
		out[i] = row(e)
	}
	return out, vocab(err)
}

func readStats(p idcard.Phases) station.ReadStats {
	return station.ReadStats{Find: p.Find, Select: p.Select, Read: p.Read, Bytes: p.Bytes, Attempts: p.Attempts}
}
