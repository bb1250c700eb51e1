// Package upstream is the station's side of the sync contract: an HTTP
// client for the hub's v1 API and a Forwarder that drains a durable queue
// into the hub with batching and backoff. The contract itself — the
// messages, kinds, codes and the hub's proved time — is package
// sync/wire; PROTOCOL.md there is the contract in prose.
//
// The package moves records; it does not know what a registration is.
package upstream
