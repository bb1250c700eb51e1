// Package simui is what the tests of the kiosk's screens (ui/kiosk,
// ui/staff, ui/tech, sim/simpanel) share, as net/http/httptest is for
// handlers: the test app with the kiosk's theme, a county hub that can be
// taken down or made to refuse records, a real demo station on the
// simulation's emulated devices (sim.Devices), and helpers that read,
// wait for and compare what a screen draws.
//
// It is for tests only: nothing in the kiosk imports it, and its helpers
// fail the test they are given rather than return errors.
package simui
