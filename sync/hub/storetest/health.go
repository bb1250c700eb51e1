package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/gridkiosk/gridkiosk/sync/hub"
	"github.com/gridkiosk/gridkiosk/sync/wire"
)

func report(station string, depth int, at time.Time) wire.Health {
	return wire.Health{StationID: station, Community: "141029100001", At: at, IntervalS: 300, Version: "test",
		Devices: wire.Devices{Reader: wire.Device{State: wire.DeviceReady}, Scanner: wire.Device{State: wire.DeviceAbsent},
			Printer: wire.Printer{Device: wire.Device{State: wire.DeviceError, Note: "缺纸 paper out"}, Paper: wire.PaperOut},
			Panel:   wire.Device{State: wire.DeviceAbsent}},
		Queue: wire.HealthQueue{Depth: depth}}
}

// A station's reports come back newest first, as sent; each station's
// newest is its latest; beyond HealthHistory the oldest go.
func testHealth(t *testing.T, s hub.Store) {
	if got, err := s.LatestHealth(); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v %v", got, err)
	}
	if got, err := s.HealthHistory(stationA, 0); err != nil || len(got) != 0 {
		t.Fatalf("no reports: %v %v", got, err)
	}
	n := hub.HealthHistory + 5
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Minute)
		if err := s.PutHealth(report(stationA, i, at), at); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutHealth(report(stationB, 7, t0), t0); err != nil {
		t.Fatal(err)
	}
	all, err := s.HealthHistory(stationA, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != hub.HealthHistory {
		t.Fatalf("%d reports kept, want %d", len(all), hub.HealthHistory)
	}
	if all[0].Report.Queue.Depth != n-1 || all[len(all)-1].Report.Queue.Depth != n-hub.HealthHistory {
		t.Fatalf("kept depths %d..%d, want %d..%d", all[0].Report.Queue.Depth, all[len(all)-1].Report.Queue.Depth, n-1, n-hub.HealthHistory)
	}
	want := t0.Add(time.Duration(n-1) * time.Minute)
	if !all[0].ReceivedAt.Equal(want) || !all[0].Report.At.Equal(want) {
		t.Fatalf("newest received %v at %v, want %v", all[0].ReceivedAt, all[0].Report.At, want)
	}
	if p := all[0].Report.Devices.Printer; p.Paper != wire.PaperOut || p.Note != "缺纸 paper out" {
		t.Fatalf("printer came back as %+v", p)
	}
	three, err := s.HealthHistory(stationA, 3)
	if err != nil || len(three) != 3 || three[2].Report.Queue.Depth != n-3 {
		t.Fatalf("limit 3: %d reports, %v", len(three), err)
	}
	latest, err := s.LatestHealth()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range latest {
		got = append(got, fmt.Sprintf("%s:%d", r.Report.StationID, r.Report.Queue.Depth))
	}
	if fmt.Sprint(got) != fmt.Sprint([]string{stationA + fmt.Sprintf(":%d", n-1), stationB + ":7"}) {
		t.Fatalf("latest: %v", got)
	}
}
