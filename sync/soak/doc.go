// Package soak holds the kill/restart soak test of the station and the hub
// (go test ./sync/soak/, longer with -soak.cycles=250 -timeout 15m). It has
// no code of its own outside the test.
//
// TestSoak runs a real hub in the test process behind a faulty network
// (package faultnet), and the real station as a separate gridkiosk serve
// process that it SIGKILLs and restarts over and over while a submitter
// posts records to the station's admin API. At the end the network is
// healed, the station drains its outbox one last time, and the test checks
// the station's promise: every record it answered 201 for is at the hub
// exactly once, with the payload that was submitted, and nothing is left
// queued or set aside. Meanwhile a print desk asks for receipts on an
// emulated printer whose paper runs out in each, so the station keeps the
// jobs; after every restart each job answered 202 must be listed, whole
// and held, unless staff cancelled it. TestPowerCutSoak does all this with
// power cuts instead of kills.
//
// A run prints its seed; -soak.seed replays the same kill timings, network
// weather and proxy decisions (the scheduler's interleaving aside).
package soak
