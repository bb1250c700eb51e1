// Package staff is the kiosk's staff mode: a log-in screen with the staff
// ID and PIN typed on the numeric keypad, and, for a staff member logged
// in, the day's records with their sync state, service receipts printed
// and reprinted with a preview, the records the county hub returned with
// their reasons and a way to send them again, and the check-in and
// check-out of volunteers whose service is recorded for the hub.
//
// The screens hold no rules of their own: they show what the station
// (Station) returns and pass on what staff tap. Every tap tells the
// station the staff member is still there (TouchStaff); the station, not
// the screen, logs an idle staff member out, and the screen leaves when it
// sees that. Work that may wait on a disk or a printer runs off Fyne's
// goroutine and comes back through fyne.Do.
package staff
