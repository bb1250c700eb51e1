package wire_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func fullHealth() wire.Health {
	at := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	return wire.Health{
		StationID: "141029-xfw-01", Community: "141029100001", At: at, IntervalS: 300,
		Version: "1.4.0", UptimeS: 86400, Clock: wire.HealthClock{Trusted: true, Source: "hub", OffsetMS: -1200},
		Devices: wire.Devices{
			Reader:  wire.Device{State: wire.DeviceReady, Note: "SAM 05.01-20231120-0012345678"},
			Scanner: wire.Device{State: wire.DeviceMissing, Note: strings.Repeat("扫码枪不在了 ", 40)},
			Printer: wire.Printer{Device: wire.Device{State: wire.DeviceError, Note: strings.Repeat("paper out ", 40)}, Paper: wire.PaperOut, Cover: wire.CoverOK, Cutter: wire.CutterOK},
			Panel:   wire.Device{State: wire.DeviceAbsent},
		},
		Queue:      wire.HealthQueue{Depth: 123456, OldestAgeS: 90000, Rejected: 3},
		DiskFreeMB: 12345, LastSync: &at,
	}
}

// A report with long notes still fits in MaxHealthBytes, its states and
// counts intact and its notes cut on a character boundary.
func TestHealthFit(t *testing.T) {
	h := fullHealth()
	b, err := h.Fit()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > wire.MaxHealthBytes {
		t.Fatalf("%d bytes", len(b))
	}
	var back wire.Health
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Devices.Printer.Paper != wire.PaperOut || back.Queue.Depth != 123456 || back.Clock.OffsetMS != -1200 || !back.Clock.Trusted {
		t.Fatalf("lost in fitting: %+v", back)
	}
	if !json.Valid(b) || strings.ContainsRune(back.Devices.Scanner.Note, '\uFFFD') {
		t.Fatalf("note cut inside a character: %q", back.Devices.Scanner.Note)
	}
	if err := back.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestHealthCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*wire.Health)
		want string
	}{
		{"no station", func(h *wire.Health) { h.StationID = "" }, "station_id"},
		{"community", func(h *wire.Health) { h.Community = "1410291" }, "community"},
		{"no time", func(h *wire.Health) { h.At = time.Time{} }, "at is missing"},
		{"interval", func(h *wire.Health) { h.IntervalS = 0 }, "interval_s"},
		{"negative", func(h *wire.Health) { h.Queue.Depth = -1 }, "negative"},
		{"device", func(h *wire.Health) { h.Devices.Printer.State = "on fire" }, "devices.printer.state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := fullHealth()
			tc.mod(&h)
			err := h.Check()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

func FuzzHealth(f *testing.F) {
	b, _ := json.Marshal(fullHealth())
	f.Add(b)
	f.Add([]byte(`{"station_id":"x","at":"2026-12-07T02:00:00Z","interval_s":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var h wire.Health
		if json.Unmarshal(data, &h) != nil || h.Check() != nil {
			return
		}
		out, err := h.Fit()
		if err != nil {
			return // a station ID or version too long to fit: refused, not sent
		}
		if len(out) > wire.MaxHealthBytes {
			t.Fatalf("Fit gave %d bytes", len(out))
		}
	})
}
