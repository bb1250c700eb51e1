//go:build !race

package staff

// raceDetector says the tests run under the race detector.
const raceDetector = false
