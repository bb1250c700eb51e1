package ui

import (
	"context"
	"image"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 26, 9, 30, 15, 0, time.Local) }

func health(online bool, queued int) appliance.Health {
	last := time.Date(2026, 11, 26, 9, 29, 0, 0, time.Local)
	h := appliance.Health{
		Station:  appliance.StationInfo{ID: "141029-xfw-01", Name: "幸福湾社区党群服务站"},
		Outbox:   appliance.OutboxState{Queued: queued},
		Upstream: appliance.UpstreamState{Configured: true, Online: online},
		Peripherals: map[string]appliance.Peripheral{
			"idcard": {State: "present"}, "printer": {State: "absent"}, "scanner": {State: "missing"},
		},
	}
	if online {
		h.Upstream.LastSuccess = &last
	}
	return h
}

func labels(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

func TestStatusScreen(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme())
	tests := []struct {
		name   string
		h      appliance.Health
		online string
		want   []string
	}{
		{"online", health(true, 0), "在线", []string{"待上传 0 条", "上次同步 2026-11-26 09:29:00", "身份证阅读器 已连接", "扫码器 未找到", "时钟未校准"}},
		{"offline with queue", health(false, 17), "离线 — 记录已安全保存在本机", []string{"待上传 17 条", "Waiting to send: 17", "尚未与上级平台同步"}},
		{"token refused", func() appliance.Health {
			h := health(false, 3)
			h.Upstream.Alert = "hub refused token"
			h.Problems = []string{"hub refused token"}
			return h
		}(), "上传已暂停，请联系技术人员", []string{"hub refused token"}},
		{"no hub", func() appliance.Health { h := health(false, 2); h.Upstream.Configured = false; return h }(), "未连接上级平台", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStatusScreen("zh-CN", fixedNow)
			w := test.NewWindow(s.Content())
			defer w.Close()
			w.Resize(fyne.NewSize(1280, 800))
			s.Show(tc.h)
			if s.title.Text != "幸福湾社区党群服务站" || s.clock.Text != "09:30:15" || s.online.Text != tc.online {
				t.Fatalf("title %q clock %q online %q", s.title.Text, s.clock.Text, s.online.Text)
			}
			text := labels(s.Content())
			for _, want := range tc.want {
				if !strings.Contains(text, want) {
					t.Errorf("screen lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

func TestStatusScreenEnglishFirst(t *testing.T) {
	test.NewTempApp(t)
	s := NewStatusScreen("en", fixedNow)
	s.Show(health(true, 0))
	if !strings.HasPrefix(s.online.Text, "Online") || s.onlineEN.Text != "在线" {
		t.Fatalf("en: %q / %q", s.online.Text, s.onlineEN.Text)
	}
}

// The bundled font must actually draw Chinese: the rendered title must put
// ink on the canvas where a font without CJK glyphs would draw boxes of
// the same shape for every character. Two different titles must therefore
// render differently.
func TestCJKRenders(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme())
	render := func(name string) image.Image {
		s := NewStatusScreen("zh-CN", fixedNow)
		w := test.NewWindow(s.Content())
		defer w.Close()
		w.Resize(fyne.NewSize(800, 480))
		h := health(true, 0)
		h.Station.Name = name
		s.Show(h)
		return w.Canvas().Capture()
	}
	a, b := render("幸福湾"), render("枣岭乡")
	diff := 0
	bounds := a.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				diff++
			}
		}
	}
	if diff < 200 {
		t.Fatalf("two different Chinese titles differ in only %d pixels: glyphs are not drawn", diff)
	}
	if f := NewTheme().Font(fyne.TextStyle{Bold: true}); f.Name() != "DroidSansFallbackFull.ttf" || len(f.Content()) < 1<<20 {
		t.Fatalf("theme font = %s (%d bytes)", f.Name(), len(f.Content()))
	}
}

type fakeSource struct{ n atomic.Int64 }

func (f *fakeSource) Health() appliance.Health {
	return health(true, int(f.n.Add(1)))
}

func TestRunPollsUntilCancelled(t *testing.T) {
	test.NewTempApp(t)
	s := NewStatusScreen("zh-CN", fixedNow)
	src := &fakeSource{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx, src, 5*time.Millisecond); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for src.n.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if src.n.Load() < 3 {
		t.Fatal("Run did not poll")
	}
}
