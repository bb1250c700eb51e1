//go:build !race

package simpanel

// raceDetector says the tests run under the race detector.
const raceDetector = false
