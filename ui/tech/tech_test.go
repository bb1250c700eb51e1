package tech

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer/escposview"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sim/simui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// Each emulated device shows its state as the station reports it, and a
// printer out of paper says so.
func TestDevices(t *testing.T) {
	r := newRig(t)
	s := New(r.Station, "zh-CN", nil, nil, Options{})
	simui.Show(t, s.Content(), fyne.NewSize(1280, 800))
	tests := []struct {
		device string
		act    func()
		want   string
	}{
		{"idcard", nil, "身份证阅读器就绪"},
		{"scanner", nil, "扫码器就绪"},
		{"printer", nil, "回执打印机就绪"},
		{"panel", nil, "按钮与指示灯面板已连接"},
		{"printer", func() { r.Printer.Set(printersim.State{PaperOut: true}) }, "回执打印机缺纸"},
		{"printer", nil, "打印纸用完，请装纸"},
		{"panel", func() { r.Station.Panel(); r.Panel.Presence(true) }, "感应器：有人在机前"},
	}
	for _, tc := range tests {
		if tc.act != nil {
			tc.act()
		}
		s.refreshUntil(t, tc.want)
	}
}

// A test print goes to the printer: through PrintReceipt of the latest
// registration or matter when no PrinterTester is given.
func TestTestPrint(t *testing.T) {
	r := newRig(t)
	s := New(r.Station, "en", nil, nil, Options{})
	simui.Show(t, s.Content(), fyne.NewSize(800, 480))
	s.Refresh()
	test.Tap(s.dev.print)
	s.jobs.Wait()
	simui.WantOnScreen(t, s.Content(), "No registration or matter here yet")

	raw, _ := json.Marshal(map[string]any{"category": "repair", "description": "7号楼楼道灯不亮"})
	if _, err := r.Station.Submit(t.Context(), station.Submission{Kind: "matter", Payload: raw}); err != nil {
		t.Fatal(err)
	}
	test.Tap(s.dev.print)
	s.jobs.Wait()
	simui.WantOnScreen(t, s.Content(), "Test page printed.")
	if len(r.Printer.Jobs()) != 1 {
		t.Fatalf("%d jobs at the printer", len(r.Printer.Jobs()))
	}
	paper, _ := escposview.Parse(r.Printer.Jobs()[0], escposview.Options{})
	if !strings.Contains(paper.Text, "设备测试") || !strings.Contains(paper.Text, "打印机测试") {
		t.Errorf("the test receipt does not say it is a test:\n%s", paper.Text)
	}
}

// A PrinterTester and a PanelTester are used when given; without a panel
// tester there are no keys for it.
func TestTesters(t *testing.T) {
	r := newRig(t)
	rec := &testers{}
	s := New(r.Station, "zh-CN", nil, nil, Options{Panel: rec, Printer: rec})
	simui.Show(t, s.Content(), fyne.NewSize(800, 480))
	for _, b := range []*touch.Button{s.dev.print, s.dev.beep, s.dev.leds} {
		test.Tap(b)
		s.jobs.Wait()
	}
	if got := strings.Join(rec.calls, " "); got != "print beep leds" {
		t.Errorf("calls %q", got)
	}
	if s := New(r.Station, "zh-CN", nil, nil, Options{}); s.dev.beep != nil || s.dev.leds != nil || s.log != nil {
		t.Error("keys or the log page without their sources")
	}
}

// testers records the tests asked of it.
type testers struct {
	mu    sync.Mutex
	calls []string
}

func (t *testers) note(c string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls = append(t.calls, c)
}

func (t *testers) TestBeep() { t.note("beep") }
func (t *testers) TestLEDs() { t.note("leds") }
func (t *testers) TestPrint(context.Context) (station.PrintResult, error) {
	t.note("print")
	return station.PrintResult{State: "printed"}, nil
}

// The network page follows the forwarder; the config page names the
// devices; the log page shows the latest lines.
func TestNetworkConfigLog(t *testing.T) {
	r := newRig(t)
	lines := []string{"time=09:30:01 level=INFO msg=\"appliance: record stored\" kind=matter"}
	s := New(r.Station, "zh-CN", nil, nil, Options{Logs: func() []string { return lines }})
	simui.Show(t, s.Content(), fyne.NewSize(1280, 800))
	test.Tap(s.tabs[1])
	s.refreshUntil(t, "ETag")
	// The forwarder is online once the hub took a batch.
	raw, _ := json.Marshal(map[string]any{"category": "repair", "description": "7号楼楼道灯不亮"})
	if _, err := r.Station.Submit(t.Context(), station.Submission{Kind: "matter", Payload: raw}); err != nil {
		t.Fatal(err)
	}
	s.refreshUntil(t, "在线：记录正在送往县平台")
	s.refreshUntil(t, "启动以来共 1 条")
	simui.WantOnScreen(t, s.Content(), "0 条（最后序号 1）", "HTTP，仅限本机")

	test.Tap(s.tabs[2])
	s.Refresh()
	cfg := r.Station.Config()
	simui.WantOnScreen(t, s.Content(), "141029-xfw-01", "141029 › 141029100 › 141029100001", cfg.Devices.Printer.Port, cfg.Devices.IDCard.Port, cfg.Upstream.URL)

	test.Tap(s.tabs[3])
	s.Refresh()
	simui.WantOnScreen(t, s.Content(), "appliance: record stored")
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://hub.xiangning.gov.cn/", "https://hub.xiangning.gov.cn/"},
		{"https://station:s3cret@hub.example/v1?token=abc#frag", "https://hub.example/v1"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
	}
	for _, tc := range tests {
		if got := redact(tc.in); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The link's protection names what a technician checks when the hub is
// refused: the CA file and how many pins.
func TestSecurity(t *testing.T) {
	pin := "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="
	tests := []struct {
		mode, lang string
		up         config.Upstream
		want       string
	}{
		{"tls", "zh-CN", config.Upstream{}, "TLS，系统根证书"},
		{"tls", "en", config.Upstream{}, "TLS, the system's CAs"},
		{"tls+ca_file", "zh-CN", config.Upstream{CAFile: "/etc/gridkiosk/county-ca.pem", CAMode: "add"}, "TLS，县级 CA /etc/gridkiosk/county-ca.pem"},
		{"tls+ca_file", "en", config.Upstream{CAFile: "/etc/ca.pem", CAMode: "replace"}, "TLS, county CA /etc/ca.pem (trusted alone)"},
		{"pinned", "en", config.Upstream{CAFile: "/etc/ca.pem", CAMode: "add", PinSHA256: []string{pin, pin}}, "TLS, 2 key pins, county CA /etc/ca.pem"},
		{"pinned", "zh-CN", config.Upstream{PinSHA256: []string{pin}}, "TLS，已固定 1 个密钥"},
		{"insecure_http", "zh-CN", config.Upstream{}, "未加密 HTTP（upstream.insecure_http = true）"},
		{"loopback_http", "en", config.Upstream{}, "HTTP to this machine only"},
		{"", "en", config.Upstream{}, "—"},
	}
	for _, tc := range tests {
		f := newFixture()
		f.cfg.Upstream = tc.up
		p := &networkPage{s: &Screen{lang: tc.lang, st: f}}
		if got := p.security(tc.mode); got != tc.want {
			t.Errorf("%s (%s): %q, want %q", tc.mode, tc.lang, got, tc.want)
		}
	}
}

func TestSendRate(t *testing.T) {
	start := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	p := &networkPage{s: &Screen{lang: "en"}}
	steps := []struct {
		after time.Duration
		sent  uint64
		want  string
	}{
		{0, 100, "measuring…; 100 since start"},
		{30 * time.Second, 130, "60.0 a minute"},
		{60 * time.Second, 160, "60.0 a minute"},
		{120 * time.Second, 160, "0.0 a minute"},
	}
	for _, st := range steps {
		if got := p.rate(start.Add(st.after), st.sent); !strings.HasPrefix(got, st.want) {
			t.Errorf("after %v: %q, want %q…", st.after, got, st.want)
		}
	}
}

// The system update on the config page: off, on trial, failed, each in
// the screen's language.
func TestUpdateRows(t *testing.T) {
	for _, tt := range []struct {
		name           string
		lang           string
		u              *station.UpdateView
		system, update string
		last           string
	}{
		{"off", "zh-CN", nil, "系统更新已关闭（update.enabled）", "-", "-"},
		{"trial", "zh-CN", &station.UpdateView{Enabled: true, Slot: "A", Version: "2026.12.7.1", State: "trial", Pending: "2026.12.7.1", Window: "02:00-05:00"},
			"分区 A，版本 2026.12.7.1", "新系统试运行中 2026.12.7.1\n重启时段 02:00-05:00", "-"},
		{"held", "en", &station.UpdateView{Enabled: true, Slot: "B", State: "waiting", Pending: "2.0", Source: "usb", Busy: true,
			Reason: "rolled_back", Last: "1.9 did not come up healthy; back on 1.8 (slot B)", LastAt: at(2, 14)},
			"slot B, version unknown", "downloaded, waiting to install 2.0 (from USB stick, kiosk in use, goes on later)",
			"rolled back to the old system  11-26 02:14\n1.9 did not come up healthy; back on 1.8 (slot B)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			s := New(f, tt.lang, fixedNow, nil, Options{})
			s.cfg.showUpdate(tt.u)
			for key, want := range map[string]string{"system": tt.system, "update": tt.update, "lastupdate": tt.last} {
				if got := s.cfg.f.values[key].Text; got != want {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
			}
		})
	}
}
