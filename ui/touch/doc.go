// Package touch is what the staff's and the technician's screens are built
// of: buttons no smaller than a fingertip, text and labels, and the few
// colours that read on white in a bright hall. The residents' screens
// (ui/kiosk) draw their own, larger still.
package touch
