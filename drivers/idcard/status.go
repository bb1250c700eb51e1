package idcard

import "fmt"

// Status is SW3, the result code a reader puts in every reply.
type Status byte

// The result codes of GA 467. StatusCommFault is never sent by a reader: the
// driver reports it when the line itself failed, so that one type describes
// every way a command can end.
const (
	StatusOK              Status = 0x90 // success
	StatusFound           Status = 0x9F // find card: a card is on the reader
	StatusEmpty           Status = 0x91 // the item asked for is empty on the card
	StatusChecksum        Status = 0x10 // the reader saw a bad checksum
	StatusLength          Status = 0x11 // the reader saw a bad length
	StatusBadCommand      Status = 0x21 // unknown command or parameter
	StatusUnauthorised    Status = 0x23 // operation not permitted
	StatusUnrecognised    Status = 0x24 // error the reader cannot classify
	StatusCardAuthSAM     Status = 0x31 // the card could not authenticate the SAM
	StatusSAMAuthCard     Status = 0x32 // the SAM could not authenticate the card
	StatusVerify          Status = 0x33 // verification error
	StatusUnknownCard     Status = 0x40 // card type not known to the SAM
	StatusReadFailed      Status = 0x41 // read failed
	StatusRandom          Status = 0x47 // random-number failure
	StatusSelfTest        Status = 0x60 // SAM self-test failed
	StatusSAMUnauthorised Status = 0x66 // SAM not authorised
	StatusNoCard          Status = 0x80 // find card failed: no card on the reader
	StatusSelectFailed    Status = 0x81 // select card failed
	StatusCommFault       Status = 0xFF // driver side: no usable reply
)

func (s Status) describe() string {
	switch s {
	case StatusOK:
		return "success"
	case StatusFound:
		return "card found"
	case StatusEmpty:
		return "item empty on the card"
	case StatusChecksum:
		return "checksum error"
	case StatusLength:
		return "length error"
	case StatusBadCommand:
		return "bad command or parameter"
	case StatusUnauthorised:
		return "operation not authorised"
	case StatusUnrecognised:
		return "unrecognised error"
	case StatusCardAuthSAM:
		return "card could not authenticate the SAM"
	case StatusSAMAuthCard:
		return "SAM could not authenticate the card"
	case StatusVerify:
		return "verification error"
	case StatusUnknownCard:
		return "unknown card type"
	case StatusReadFailed:
		return "read failed"
	case StatusRandom:
		return "random-number failure"
	case StatusSelfTest:
		return "SAM self-test failed"
	case StatusSAMUnauthorised:
		return "SAM not authorised"
	case StatusNoCard:
		return "find failed: no card on the reader"
	case StatusSelectFailed:
		return "select failed"
	case StatusCommFault:
		return "communication fault"
	}
	return "unknown status"
}

// String gives the code and what it means, as in
// "0x80 find failed: no card on the reader". The code comes first because
// vendors' manuals and support staff quote it.
func (s Status) String() string {
	return fmt.Sprintf("0x%02X %s", byte(s), s.describe())
}

// OK reports whether s ends a command successfully: 0x90, or 0x9F, which is
// how find card says yes.
func (s Status) OK() bool { return s == StatusOK || s == StatusFound }

// StatusError is a reply whose status is not OK.
type StatusError struct {
	Cmd    Command
	Status Status
}

func (e *StatusError) Error() string {
	return "idcard: " + e.Cmd.String() + ": " + e.Status.String()
}
