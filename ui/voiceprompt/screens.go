package voiceprompt

import "fmt"

// Screen returns the prompts spoken when the resident screen of ui/kiosk
// with that name comes up (kiosk.Names), in order, or false for a name
// the catalogue does not know. The done screen's ticket, receipt and card
// depend on the registration: see Finish.
func Screen(name string) ([]string, bool) {
	switch name {
	case "attract":
		return []string{Attract}, true
	case "card":
		return []string{Card}, true
	case "scan":
		return []string{Scan}, true
	case "matter":
		return []string{Matter}, true
	case "matter-phone":
		return []string{MatterPhone}, true
	case "done-card":
		return []string{Done, TakeCard}, true
	case "declined":
		return []string{Declined, Attract}, true
	case "confirm":
		return []string{Confirm}, true
	case "appointment-card":
		return []string{AppointmentCard}, true
	case "purpose":
		return []string{Purpose}, true
	case "phone":
		return []string{Phone}, true
	case "consent":
		return []string{Consent}, true
	case "done":
		return []string{Done}, true
	case "manual-id":
		return []string{ManualID}, true
	case "manual-name":
		return []string{ManualName}, true
	case "idle":
		return []string{IdleAsk}, true
	case "help":
		return []string{HelpCalled, Attract}, true
	case "help-phone":
		return []string{HelpCalled, Phone}, true
	case "lookup":
		return []string{LookUp}, true
	case "lookup-unknown":
		return []string{LookUp, ErrLookupNotFound}, true
	case "progress":
		return Progress("in_progress", true), true
	case "progress-offline":
		return Progress("received", false), true
	}
	return nil, false
}

// Progress returns what the look-up screen says of a matter in state
// (appliance/station's Progress states: received, in_progress, done,
// returned; any other reads as received): the state, and when the hub
// was not reached (remote false), that this is the station's own record.
func Progress(state string, remote bool) []string {
	id := map[string]string{"in_progress": StatusInProgress, "done": StatusDone, "returned": StatusReturned}[state]
	if id == "" {
		id = StatusReceived
	}
	if remote {
		return []string{id}
	}
	return []string{id, StatusLocal}
}

// Receipt is what becomes of the resident's receipt, as the done screen
// says it.
type Receipt int

const (
	NoPrinter   Receipt = iota // nothing is said: the ticket on screen is all there is
	Printing                   // 您的回执正在打印，请取走
	CannotPrint                // 回执暂时打印不了……
)

// Finish returns what the done screen says: that the resident is
// registered, the ticket character by character, the receipt, and, when
// the details came from an ID card, the reminder to take it back, last,
// so it is what stays in the ear.
func Finish(ticket string, receipt Receipt, cardRead bool) ([]string, error) {
	t, err := Ticket(ticket)
	if err != nil {
		return nil, err
	}
	ids := append([]string{Done}, t...)
	switch receipt {
	case NoPrinter:
	case Printing:
		ids = append(ids, ReceiptPrinting)
	case CannotPrint:
		ids = append(ids, ReceiptUnavailable)
	default:
		return nil, fmt.Errorf("voiceprompt: unknown receipt state %d", receipt)
	}
	if cardRead {
		ids = append(ids, TakeCard)
	}
	return ids, nil
}
