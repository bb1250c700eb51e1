//go:build !race

package tech

// raceDetector says the tests run under the race detector.
const raceDetector = false
