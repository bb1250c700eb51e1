// Package sim is the kiosk's simulated world, the one assembly that
// gridkiosk serve --simulate, run --simulate and the tests share: a county
// hub in the same process (sync/hub over bbolt, signing demo codes)
// reached through a network that can be cut (sync/faultnet), the demo
// station's config and records (sim/demo), emulators of the card reader,
// QR scanner and receipt printer on real pseudo-terminals and of the GPIO
// panel, faults to inject into them, and a board clock that can be set
// wrong.
//
// Simulator is the one control of that world; World implements it,
// Handler serves it as the admin API's /v1/sim endpoints, and the control
// panel (sim/simpanel) drives it. sim/simui is the screens' test harness
// built on the same devices.
package sim
