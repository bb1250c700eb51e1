package hub

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// BenchmarkBoltPutHealth stores reports of 1,000 stations in turn, each
// with 20 kept already, on a real bbolt file with fsync: what one hub
// process takes per report. (A province's 20,000 stations at 5 min send
// 67 reports/s.)
func BenchmarkBoltPutHealth(b *testing.B) {
	s, err := OpenBolt(filepath.Join(b.TempDir(), "hub.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const stations = 1000
	h := wire.Health{At: time.Now(), IntervalS: 300, Version: "1.4.0",
		Devices: wire.Devices{Reader: wire.Device{State: wire.DeviceReady}, Scanner: wire.Device{State: wire.DeviceReady},
			Printer: wire.Printer{Device: wire.Device{State: wire.DeviceReady}, Paper: wire.PaperOK}, Panel: wire.Device{State: wire.DeviceAbsent}}}
	ids := make([]string, stations)
	for i := range ids {
		ids[i] = fmt.Sprintf("141029-st-%04d", i)
	}
	for i := range stations * 20 {
		h.StationID = ids[i%stations]
		if err := s.PutHealth(h, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; b.Loop(); i++ {
		h.StationID = ids[i%stations]
		if err := s.PutHealth(h, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}
