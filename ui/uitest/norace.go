//go:build !race

package uitest

// raceDetector says the tests run under the race detector.
const raceDetector = false
