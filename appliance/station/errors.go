package station

import "errors"

// The storage's refusals, as the screens and the admin API tell them. The
// station's errors are these (errors.Is) and keep the storage's message.
var (
	// ErrFull means the record was NOT stored: the station's storage is
	// full (storage.max_mb, or the disk's free space), and nothing stored
	// is evicted to make room.
	ErrFull = errors.New("station: storage full")
	// ErrNotFound means the station has no such record: never stored, or
	// delivered and purged after its retention.
	ErrNotFound = errors.New("station: no such record")
	// ErrStorageUnknown means storing a record failed after the commit
	// reached the disk: it may be stored or not. Look it up by
	// StorageUnknown's ID before retrying, and retry with that ID
	// (Submission.ID).
	ErrStorageUnknown = errors.New("station: the outcome of storing the record is unknown")
)

// A NotReadyError says why a print cannot start: the printer's state,
// which staff can put right.
type NotReadyError struct {
	Reason string // "paper out", "cover open", "offline", "cutter error" or "error"
	Msg    string // for staff, in Chinese and English
}

func (e *NotReadyError) Error() string { return "printer: not ready: " + e.Reason }
