//go:build !race

package kiosk

// raceDetector is set when the tests run under the race detector, which
// slows Fyne's software painter about tenfold.
const raceDetector = false
