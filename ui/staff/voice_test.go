package staff

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// Staff open the voice page from the top bar, turn the kiosk down and
// mute it; the station has each setting before the page shows it.
func TestVoiceControls(t *testing.T) {
	r := newRig(t, nil)
	s, _ := staffScreen(t, r, "zh-CN", nil, Options{})
	test.Tap(s.vb.open)
	simui.WantOnScreen(t, s.Content(), "居民屏幕的语音提示", "100%", "小声", "大声", "静音")
	if !s.vb.up.Disabled() {
		t.Error("大声 is enabled at full volume")
	}
	test.Tap(s.vb.down)
	s.jobs.Wait()
	simui.WaitFor(t, "the volume shown", func() bool { return simui.OnScreen(s.Content(), "90%") })
	if v := r.Station.Voice(); v.Volume != 90 || v.Muted {
		t.Fatalf("station after 小声: %+v", v)
	}
	test.Tap(s.vb.mute)
	s.jobs.Wait()
	simui.WaitFor(t, "muted", func() bool { return simui.OnScreen(s.Content(), "已静音") })
	if v := r.Station.Voice(); v.Volume != 90 || !v.Muted {
		t.Fatalf("station after 静音: %+v", v)
	}
	simui.WantOnScreen(t, s.Content(), "取消静音")
	test.Tap(s.vb.mute)
	s.jobs.Wait()
	simui.WaitFor(t, "unmuted", func() bool { return simui.OnScreen(s.Content(), "90%") })
	if v := r.Station.Voice(); v.Muted {
		t.Fatalf("station after 取消静音: %+v", v)
	}
}
