package staff

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// volunteerTab lists the volunteers checked in, checks them in and out.
type volunteerTab struct {
	*picker[station.CheckIn] // by name

	s      *Screen
	saving bool // a check-out is being stored

	empty    *widget.Label
	checkIn  *touch.Button
	who      *canvas.Text
	info     *widget.Label
	checkOut *touch.Button
	result   *widget.Label
	content  fyne.CanvasObject
	form     *checkInForm
}

func newVolunteerTab(s *Screen) *volunteerTab {
	v := &volunteerTab{s: s}
	v.picker = newPicker(s, listRow, func(c station.CheckIn) string { return c.Name }, v.rowText)
	v.chose = func(changed bool) {
		if changed {
			v.result.SetText("")
		}
		v.detail()
	}
	v.empty = touch.NewLabel(s.tr("现在没有志愿者签到。", "No volunteer is checked in."), true)
	v.who = touch.NewText("", 32, touch.Ink, true)
	v.info = touch.NewLabel("", true)
	v.checkOut = touch.NewButton(s.tr("签退并记录", "Check out and record"), widget.HighImportance, s.act(v.checkOutTapped))
	v.result = touch.NewLabel("", true)
	v.form = newCheckInForm(v)
	v.checkIn = touch.NewButton(s.tr("志愿者签到", "Check a volunteer in"), widget.HighImportance, s.act(v.form.open))

	list := container.NewStack(pagedList(v.list, s.act), container.NewVBox(v.empty))
	detail := container.NewVBox(v.checkIn, v.who, v.info, v.checkOut, v.result, layout.NewSpacer())
	v.content = container.New(columns{55, 45}, list, detail)
	return v
}

func (v *volunteerTab) rowText(c station.CheckIn) rowText {
	tag := ""
	if c.PartyMember {
		tag = " " + v.s.tr("党员", "Party member")
	}
	return rowText{title: c.Name, tag: tag, sub: v.s.serviceWord(c.Service) + "  " + v.since(c)}
}

// since says when a volunteer came and for how long they have served.
func (v *volunteerTab) since(c station.CheckIn) string {
	now := v.s.now()
	m, _ := station.ServiceMinutes(c.Since, now)
	return fmt.Sprintf(v.s.tr("%s 起，%d 分钟", "since %s, %d min"), c.Since.In(now.Location()).Format("15:04"), m)
}

func (v *volunteerTab) show(items []station.CheckIn) {
	v.set(items)
	showIf(v.empty, len(items) == 0)
	v.detail()
}

func (v *volunteerTab) detail() {
	c, ok := v.chosen()
	if !ok {
		v.who.Text = ""
		v.who.Refresh()
		v.info.SetText(v.s.tr("签到后，服务结束时在左边选中志愿者，再按签退。", "Check volunteers in when they start; when they finish, choose them on the left and check them out."))
		v.checkOut.Disable()
		return
	}
	v.who.Text = c.Name
	v.who.Refresh()
	party := v.s.tr("志愿者", "Volunteer")
	if c.PartyMember {
		party = v.s.tr("党员志愿者", "Party member")
	}
	v.info.SetText(party + " · " + v.s.serviceWord(c.Service) + "\n" + v.since(c))
	if v.saving {
		v.checkOut.Disable()
	} else {
		v.checkOut.Enable()
	}
}

// checkOutTapped has the station end the check-in and record the
// service, both in one step on its disk.
func (v *volunteerTab) checkOutTapped() {
	c, ok := v.chosen()
	if !ok {
		return
	}
	v.saving = true
	v.checkOut.Disable()
	v.s.background(func() func() {
		sv, err := v.s.st.CheckOut(context.Background(), c.Name)
		return func() { v.checkedOut(sv, err) }
	})
}

func (v *volunteerTab) checkedOut(sv station.Service, err error) {
	v.saving = false
	if err != nil {
		var fe *record.FieldError
		switch {
		case errors.Is(err, station.ErrNotCheckedIn):
			v.result.SetText(v.s.tr("这位志愿者已经签退了。", "This volunteer was already checked out."))
			v.s.reload()
		case errors.As(err, &fe):
			v.result.SetText(v.s.tr("没有记录，请检查：", "Not recorded; check: ") + fe.Error())
		default:
			v.result.SetText(v.s.tr("没有记录：", "Not recorded: ") + ui.Pick(v.s.lang, err.Error()))
		}
		v.detail()
		return
	}
	msg := fmt.Sprintf(v.s.tr("已记录 %s：%s，%s，%d 分钟。", "Recorded %s: %s, %s, %d min."), sv.Ack.Ticket, sv.Name, v.s.serviceWord(sv.Service), sv.Minutes)
	if sv.Capped {
		msg += v.s.tr("\n超过一天，只记一天（1440 分钟）。", "\nOver a day: one day (1440 min) recorded.")
	}
	if sv.PartyMember {
		msg += v.s.tr("\n党员积分由县平台按这条记录计算，本机暂不显示积分。",
			"\nThe county hub works out party members' points from this record; the station cannot show them yet.")
	}
	v.result.SetText(msg)
	v.s.reload()
}
