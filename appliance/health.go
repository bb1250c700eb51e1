package appliance

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sync/upstream"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// Health reports the station's state.
func (s *Station) Health() station.Health {
	h := station.Health{
		Status:      "ok",
		Station:     station.StationInfo{ID: s.cfg.Station.ID, Name: s.cfg.Station.Name},
		Version:     s.version,
		UptimeSec:   int64(s.local().Sub(s.started).Seconds()),
		Peripherals: s.peripherals(),
		Clock:       s.clock.state(),
		Panel:       s.Panel(),
		RefData:     s.refDataState(),
	}
	if u := s.Update(); u.Enabled {
		h.Update = &u
	}
	st := s.box.Stats()
	h.Outbox = station.OutboxState{Queued: st.Queued, Delivered: st.Delivered, Rejected: st.Rejected, LastSeq: st.LastSeq}
	if !st.OldestQueued.IsZero() {
		h.Outbox.OldestQueued = &st.OldestQueued
	}
	if s.fwd != nil {
		fs := s.fwd.State()
		h.Upstream = station.UpstreamState{Configured: true, TLS: s.cfg.Upstream.TLSMode(), Online: fs.Online, LastError: fs.LastError, Alert: fs.Alert, Sent: fs.Sent, SendRate: fs.SendRate}
		if !fs.LastSuccess.IsZero() {
			h.Upstream.LastSuccess = &fs.LastSuccess
		}
		if fs.Alert != "" {
			h.Problems = append(h.Problems, fs.Alert)
		}
	}
	for name, p := range h.Peripherals {
		if p.State != "absent" && p.State != "present" && p.State != "configured" && p.State != "ready" {
			h.Problems = append(h.Problems, fmt.Sprintf("%s: %s", name, p.Note))
		}
	}
	sort.Strings(h.Problems)
	if len(h.Problems) > 0 {
		h.Status = "degraded"
	}
	return h
}

func (s *Station) peripherals() map[string]station.Peripheral {
	d := s.cfg.Devices
	out := map[string]station.Peripheral{
		"idcard":  devNode(d.IDCard.Port, "devices.idcard.port"),
		"scanner": devNode(d.Scanner.Port, "devices.scanner.port"),
		"voice":   s.voicePeripheral(),
	}
	s.dev.mu.Lock()
	rs, ss := s.dev.reader, s.dev.scanner
	s.dev.mu.Unlock()
	if ss.state == "ready" && out["scanner"].State != "missing" {
		out["scanner"] = station.Peripheral{State: "ready", Where: d.Scanner.Port}
	} else if ss.state == "lost" && out["scanner"].State != "missing" {
		out["scanner"] = station.Peripheral{State: "lost", Where: d.Scanner.Port,
			Note: fmt.Sprintf("the scanner at %s (devices.scanner.port) failed: %s", d.Scanner.Port, ss.note)}
	}
	switch {
	case out["idcard"].State == "missing":
		// The device node is gone, whatever the driver last heard.
	case rs.state == "ready":
		out["idcard"] = station.Peripheral{State: "ready", Where: d.IDCard.Port, Note: "SAM " + rs.samID}
	case rs.state == "lost" && out["idcard"].State != "missing":
		// The node is there but the reader does not answer: a wrong port
		// or baud rate, a dead reader, or a cable in the wrong socket.
		out["idcard"] = station.Peripheral{State: "lost", Where: d.IDCard.Port,
			Note: fmt.Sprintf("the reader at %s (devices.idcard.port, %d baud) does not answer: %s", d.IDCard.Port, d.IDCard.Baud, rs.note)}
	}
	switch {
	case d.Printer.Port != "":
		out["printer"] = devNode(d.Printer.Port, "devices.printer.port")
	case d.Printer.USB != "":
		out["printer"] = devNode(d.Printer.USB, "devices.printer.usb")
	case d.Printer.TCP != "":
		out["printer"] = station.Peripheral{State: "configured", Where: "tcp://" + d.Printer.TCP}
	default:
		out["printer"] = station.Peripheral{State: "absent"}
	}
	if s.prn != nil && out["printer"].State != "missing" {
		state, note, pending, _ := s.prn.snapshot()
		if state != "" {
			p := out["printer"]
			p.State, p.Note, p.Pending = state, note, pending
			out["printer"] = p
		}
	}
	return out
}

func devNode(path, key string) station.Peripheral {
	if path == "" {
		return station.Peripheral{State: "absent"}
	}
	if _, err := os.Stat(path); err != nil {
		return station.Peripheral{State: "missing", Where: path, Note: fmt.Sprintf("%s (set by %s) does not exist; is the device plugged in?", path, key)}
	}
	return station.Peripheral{State: "present", Where: path}
}

// WriteMetrics writes the station's metrics in the Prometheus text format.
func (s *Station) WriteMetrics(w io.Writer) {
	h := s.Health()
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", name, help, name, name, v)
	}
	gauge("gridkiosk_outbox_queued", "Records waiting to be sent to the hub.", float64(h.Outbox.Queued))
	gauge("gridkiosk_outbox_delivered", "Delivered records kept until their retention ends.", float64(h.Outbox.Delivered))
	gauge("gridkiosk_outbox_rejected", "Records the hub rejected, kept aside for staff.", float64(h.Outbox.Rejected))
	gauge("gridkiosk_outbox_last_seq", "The station's last sequence number.", float64(h.Outbox.LastSeq))
	age := 0.0
	if h.Outbox.OldestQueued != nil {
		age = s.Now().Sub(*h.Outbox.OldestQueued).Seconds()
	}
	gauge("gridkiosk_outbox_oldest_queued_age_seconds", "Age of the oldest queued record.", age)
	gauge("gridkiosk_clock_trusted", "1 when NTP or the hub confirmed the clock.", b2f(h.Clock.Trusted))
	gauge("gridkiosk_upstream_online", "1 when the last exchange with the hub succeeded.", b2f(h.Upstream.Online))
	if s.fwd != nil {
		fs := s.fwd.State()
		last := 0.0
		if !fs.LastSuccess.IsZero() {
			last = float64(fs.LastSuccess.Unix())
		}
		gauge("gridkiosk_upstream_last_success_timestamp_seconds", "When the hub last answered.", last)
		gauge("gridkiosk_upstream_send_rate", "Records the hub acknowledged per second, over the last minute.", fs.SendRate)
		fmt.Fprintf(w, "# HELP gridkiosk_upstream_sent_total Records the hub acknowledged.\n# TYPE gridkiosk_upstream_sent_total counter\ngridkiosk_upstream_sent_total %d\n", fs.Sent)
		fmt.Fprintf(w, "# HELP gridkiosk_upstream_failures_total Failed exchanges with the hub, by cause.\n# TYPE gridkiosk_upstream_failures_total counter\n")
		for _, c := range []string{upstream.CauseNetwork, upstream.CauseAuth, upstream.CauseThrottled, upstream.CauseServer, upstream.CauseTooLarge, upstream.CauseReply, upstream.CauseQueue, upstream.CauseTLS} {
			fmt.Fprintf(w, "gridkiosk_upstream_failures_total{cause=%q} %d\n", c, fs.Failures[c])
		}
	}
	fmt.Fprintf(w, "# HELP gridkiosk_records_submitted_total Records stored since start, by kind.\n# TYPE gridkiosk_records_submitted_total counter\n")
	for _, k := range wire.Kinds() {
		fmt.Fprintf(w, "gridkiosk_records_submitted_total{kind=%q} %d\n", k, s.count.byKind[k].Load())
	}
	reads := s.count.cardsRead.Load()
	fmt.Fprintf(w, "# HELP gridkiosk_idcard_reads_total ID cards read since start.\n# TYPE gridkiosk_idcard_reads_total counter\ngridkiosk_idcard_reads_total %d\n", reads)
	fmt.Fprintf(w, "# HELP gridkiosk_peripheral_present 1 when the device node exists.\n# TYPE gridkiosk_peripheral_present gauge\n")
	for _, name := range []string{"idcard", "scanner", "printer"} {
		p := h.Peripherals[name]
		fmt.Fprintf(w, "gridkiosk_peripheral_present{device=%q,state=%q} %g\n", name, p.State, b2f(p.State == "present" || p.State == "configured" || p.State == "ready"))
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
