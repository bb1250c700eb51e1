//go:build race

package simui

// RaceDetector says the tests run under the race detector, which slows
// Fyne's software painter about tenfold.
const RaceDetector = true
