// Package kiosk is the resident's side of the station's touchscreen and the
// shell that switches it to staff and technician mode.
//
// A resident lays an ID card on the reader (or scans an appointment code,
// or types name and ID number on the screen), checks what was read, says
// what they came for, may leave a mobile number, answers the
// personal-information notice and gets a ticket. Each step is a screen
// built afresh from the flow's state, so nothing a resident saw survives
// on a hidden widget once the flow ends.
//
// The screens hold no business rules: they show what Station returns
// and pass on what residents tap, and the station's field errors come back
// in plain words on the screen they concern. The one check done here is
// the ID number's check character while it is typed, as a hint; the
// station checks it again.
//
// Everything that touches widgets runs on Fyne's goroutine: App.Run
// watches the station from its own goroutine and hands every update over
// with fyne.Do (or Options.Do in tests). Time comes from Options.Now and
// the ticks of Options.Ticks, so tests run the idle timeout without
// sleeping.
package kiosk
