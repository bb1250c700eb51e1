package tech

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// The golden images draw a fixed morning at Xingfuwan: a real station's
// temporary device paths and timings differ from run to run. The walks
// through the screen use a real station.
var cst = time.FixedZone("CST", 8*3600)

func at(h, m int) *time.Time {
	t := time.Date(2026, 11, 26, h, m, 0, 0, cst)
	return &t
}

func fixedNow() time.Time { return *at(9, 30) }

// fixture answers what the technician screen asks; the rest of
// Station is not called.
type fixture struct {
	Station
	cfg *config.Config
}

func newFixture() *fixture {
	c := demo.Config("/var/lib/gridkiosk", "https://gk-141029-xfw-01:secret@hub.xiangning.gov.cn/?token=x", "/etc/gridkiosk/upstream.token")
	c.Station.Grid.Compound, c.Station.Grid.Micro = "c07", "c07-m03"
	c.Devices.IDCard.Port = "/dev/ttyUSB0"
	c.Devices.Scanner.Port, c.Devices.Scanner.Trigger = "/dev/ttyACM0", "presence"
	c.Devices.Printer.Port = "/dev/ttyS0"
	c.Upstream.CAFile, c.Upstream.CAMode = "/etc/gridkiosk/county-ca.pem", "replace"
	return &fixture{cfg: c}
}

func (f *fixture) Config() *config.Config { return f.cfg }

func (f *fixture) Health() station.Health {
	return station.Health{
		Status:    "degraded",
		Station:   station.StationInfo{ID: demo.StationID, Name: f.cfg.Station.Name},
		Version:   "1.4.0",
		UptimeSec: 8280,
		Peripherals: map[string]station.Peripheral{
			"idcard":  {State: "ready", Where: "/dev/ttyUSB0", Note: "SAM 05.01-20260301-0012345678"},
			"scanner": {State: "ready", Where: "/dev/ttyACM0"},
			"printer": {State: "paper_out", Where: "/dev/ttyS0", Note: "打印纸用完，请装纸 / out of paper: load a new roll", Pending: 1},
			"voice":   {State: "ready", Where: "/usr/share/gridkiosk/voice → ALSA default", Note: "espeak-ng 1.51 cmn (synthetic)"},
		},
		Outbox: station.OutboxState{Queued: 3, Delivered: 41, Rejected: 2, OldestQueued: at(9, 21), LastSeq: 46},
		Upstream: station.UpstreamState{Configured: true, TLS: "tls+ca_file", LastSuccess: at(9, 12), Sent: 43,
			LastError: "POST https://hub.xiangning.gov.cn/v1/records: dial tcp 10.14.0.2:443: connect: network is unreachable"},
		Clock:   station.ClockState{HubSeen: true, OffsetMS: -1200},
		Panel:   station.PanelState{Present: true, HelpSince: at(9, 28), Presence: true},
		RefData: station.RefDataState{ETag: `"sha256-5f0c2a9e71b4d3c8e2"`, FetchedAt: at(7, 2)},
		Update: &station.UpdateView{Enabled: true, Slot: "B", Version: "2026.11.30.020000+g0c1d2e3", State: "downloading",
			Pending: "2026.12.7.140500+g61892aa", Source: "hub", Percent: 42, Reason: "signature", LastAt: at(2, 14),
			Last: "2026.11.28.1+g5e6f7a8 not installed: signature verification failed", Window: "02:00-05:00"},
	}
}

func logLinesFixture() []string {
	return []string{
		`time=09:12:04 level=INFO msg="upstream: batch acknowledged" records=3`,
		`time=09:21:40 level=INFO msg="appliance: record stored" kind=registration seq=45`,
		`time=09:24:13 level=WARN msg="upstream: hub unreachable; retrying" err="dial tcp 10.14.0.2:443: connect: network is unreachable" backoff=8s`,
		`time=09:26:02 level=INFO msg="appliance: record stored" kind=matter seq=46`,
		`time=09:27:30 level=WARN msg="printer: receipt waits for the printer" ticket=R0045 err="printer: not ready: paper out"`,
		`time=09:28:11 level=INFO msg="appliance: a resident pressed the help button"`,
	}
}

// The technician screen at the kiosk's two sizes, in both languages,
// compared with images in testdata (see simui.AssertGolden).
func TestGolden(t *testing.T) {
	simui.SkipGoldenUnderRace(t)
	for page, scene := range []string{"devices", "network", "config", "log"} {
		for _, sz := range simui.GoldenSizes() {
			name := scene + "_" + sz.Name + ".png"
			t.Run(name, func(t *testing.T) {
				s := New(newFixture(), sz.Lang, fixedNow, nil, Options{Panel: &testers{}, Logs: logLinesFixture})
				w := simui.Show(t, s.Content(), sz.Size)
				s.Refresh()
				test.Tap(s.tabs[page])
				simui.AssertGolden(t, name, w)
			})
		}
	}
}
