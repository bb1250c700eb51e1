package station

import "time"

// Health is the station's state as GET /healthz reports it. It holds no
// personal data.
type Health struct {
	Status      string                `json:"status"` // ok, degraded
	Problems    []string              `json:"problems,omitempty"`
	Station     StationInfo           `json:"station"`
	Version     string                `json:"version"`
	UptimeSec   int64                 `json:"uptime_s"`
	Peripherals map[string]Peripheral `json:"peripherals"`
	Outbox      OutboxState           `json:"outbox"`
	Upstream    UpstreamState         `json:"upstream"`
	Clock       ClockState            `json:"clock"`
	Panel       PanelState            `json:"panel"`
	RefData     RefDataState          `json:"refdata"`
	// Update is the system update's state; nil when update.enabled is
	// false.
	Update *UpdateView `json:"update,omitempty"`
}

// StationInfo names the
type StationInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Peripheral is one device's state. A device with no port in the config
// is "absent"; one whose device node is missing is "missing".
type Peripheral struct {
	State string `json:"state"` // absent, present, missing, configured; ready, lost (a driver's word); paper_out, cover_open, offline, … (the printer's)
	Where string `json:"where,omitempty"`
	Note  string `json:"note,omitempty"`
	// Pending is how many print jobs wait for the printer.
	Pending int `json:"pending,omitempty"`
}

// OutboxState is the queue as /healthz shows it.
type OutboxState struct {
	Queued       int        `json:"queued"`
	Delivered    int        `json:"delivered"`
	Rejected     int        `json:"rejected"`
	OldestQueued *time.Time `json:"oldest_queued,omitempty"`
	LastSeq      uint64     `json:"last_seq"`
}

// UpstreamState is the forwarder as /healthz shows it.
type UpstreamState struct {
	Configured bool `json:"configured"`
	// TLS is how the link is protected: tls, tls+ca_file, pinned,
	// insecure_http or loopback_http (see config.Upstream.TLSMode).
	TLS         string     `json:"tls,omitempty"`
	Online      bool       `json:"online"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	Alert       string     `json:"alert,omitempty"`
	Sent        uint64     `json:"sent"`
	// SendRate is records acknowledged per second over the last minute.
	SendRate float64 `json:"send_rate"`
}

// ClockState is the clock's trust for /healthz.
type ClockState struct {
	Trusted  bool   `json:"trusted"`
	Source   string `json:"source,omitempty"` // ntp, hub
	OffsetMS int64  `json:"hub_offset_ms"`    // hub minus local, last seen
	HubSeen  bool   `json:"hub_seen"`
}

// RefDataState is the reference data as /healthz shows it.
type RefDataState struct {
	ETag      string     `json:"etag,omitempty"`
	FetchedAt *time.Time `json:"fetched_at,omitempty"`
	// LastError is why the last fetch was not taken; the station works
	// on its kept copy meanwhile.
	LastError string `json:"last_error,omitempty"`
}
