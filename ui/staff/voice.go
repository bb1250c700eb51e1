package staff

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// volumeStep is how much one tap of 小声 or 大声 changes the volume.
const volumeStep = 10

// voiceBar is the kiosk's voice as staff set it: quieter, louder, mute.
// The station keeps what they set across restarts.
type voiceBar struct {
	s       *Screen
	cur     station.Voice
	busy    bool
	level   *canvas.Text
	note    *canvas.Text
	down    *touch.Button
	up      *touch.Button
	mute    *touch.Button
	open    *touch.Button // in the top bar: shows the controls
	content fyne.CanvasObject
}

func newVoiceBar(s *Screen) *voiceBar {
	v := &voiceBar{s: s}
	v.level = touch.NewText("", 22, touch.Ink, true)
	v.note = touch.NewText("", 18, touch.Grey, false)
	v.down = touch.NewButton(s.tr("小声", "Quieter"), widget.MediumImportance, s.act(func() { v.change(-volumeStep, v.cur.Muted) }))
	v.up = touch.NewButton(s.tr("大声", "Louder"), widget.MediumImportance, s.act(func() { v.change(volumeStep, v.cur.Muted) }))
	v.mute = touch.NewButton("", widget.MediumImportance, s.act(func() { v.change(0, !v.cur.Muted) }))
	title := touch.NewText(s.tr("居民屏幕的语音提示", "The kiosk's voice"), 28, touch.Ink, true)
	back := touch.NewButton(s.tr("返回", "Back"), widget.HighImportance, s.act(func() { s.overlay(nil) }))
	// A page of its own rather than a bar: the 800×480 panel has no
	// height to spare beside the day's list.
	v.content = container.NewPadded(container.NewBorder(nil, back, nil, nil, container.NewCenter(container.NewVBox(
		container.NewCenter(title),
		container.NewHBox(v.down, container.NewCenter(v.level), v.up, v.mute),
		container.NewCenter(v.note)))))
	v.open = touch.NewButton(s.tr("语音", "Voice"), widget.MediumImportance, s.act(func() { s.overlay(v.content) }))
	return v
}

// show shows the station's voice settings.
func (v *voiceBar) show(cur station.Voice) {
	v.cur = cur
	v.level.Text = fmt.Sprintf("%d%%", cur.Volume)
	if cur.Muted {
		v.level.Text = v.s.tr("已静音", "Muted")
		v.mute.SetText(v.s.tr("取消静音", "Unmute"))
	} else {
		v.mute.SetText(v.s.tr("静音", "Mute"))
	}
	v.level.Refresh()
	switch {
	case !cur.Present:
		v.note.Text = v.s.tr("本机没有语音包，居民屏幕无声（见技术人员页）", "No voice pack: the kiosk is silent (see the technician's screen)")
	case cur.Synthetic:
		v.note.Text = v.s.tr("合成语音", "Synthetic voice")
	default:
		v.note.Text = ""
	}
	v.note.Refresh()
	v.down.Enable()
	v.up.Enable()
	if cur.Volume-volumeStep < station.MinVolume {
		v.down.Disable()
	}
	if cur.Volume >= 100 {
		v.up.Disable()
	}
}

// change sets the volume by step and the mute, off Fyne's goroutine: the
// station keeps them on disk before it answers.
func (v *voiceBar) change(step int, muted bool) {
	if v.busy {
		return
	}
	v.busy = true
	set := station.VoiceSettings{Volume: min(max(v.cur.Volume+step, station.MinVolume), 100), Muted: muted}
	v.s.background(func() func() {
		cur, err := v.s.st.SetVoice(set)
		return func() {
			v.busy = false
			if err != nil {
				v.note.Text = err.Error()
				v.note.Color = touch.Red
				v.note.Refresh()
				return
			}
			v.note.Color = touch.Grey
			v.show(cur)
		}
	})
}
