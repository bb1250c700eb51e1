package staff

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// rejectedTab is the dead-letter list: records the county hub refused,
// each with the hub's reason, and a way to send them again once the
// reason is dealt with (the hub learnt a new category, say).
type rejectedTab struct {
	*picker[station.Row] // by ID

	s       *Screen
	sending bool // a resend is under way

	empty     *widget.Label
	ticket    *canvas.Text
	info      *widget.Label
	reason    *widget.Label
	resend    *touch.Button
	resendAll *touch.Button
	result    *widget.Label
	content   fyne.CanvasObject
}

func newRejectedTab(s *Screen) *rejectedTab {
	r := &rejectedTab{s: s}
	r.picker = newPicker(s, listRow, func(e station.Row) string { return e.ID }, r.rowText)
	r.chose = func(changed bool) {
		if changed {
			r.result.SetText("")
		}
		r.detail()
	}
	r.empty = touch.NewLabel(s.tr("没有被退回的记录。", "No records were returned."), true)
	r.ticket = touch.NewText("", 36, touch.Ink, true)
	r.info = touch.NewLabel("", true)
	r.reason = touch.NewLabel("", true)
	r.resend = touch.NewButton(s.tr("重新发送", "Send again"), widget.HighImportance, s.act(func() { r.send(false) }))
	r.resendAll = touch.NewButton(s.tr("全部重新发送", "Send all again"), widget.MediumImportance, s.act(func() { r.send(true) }))
	r.result = touch.NewLabel("", true)
	list := container.NewStack(pagedList(r.list, s.act), container.NewVBox(r.empty))
	keys := container.NewGridWithColumns(2, r.resend, r.resendAll)
	detail := container.NewBorder(container.NewVBox(r.ticket, r.info), container.NewVBox(keys, r.result), nil, nil,
		container.NewVBox(r.reason, layout.NewSpacer()))
	r.content = container.New(columns{55, 45}, list, detail)
	return r
}

func (r *rejectedTab) rowText(e station.Row) rowText {
	when := kindWord(r.s.lang, e.Kind) + "  " + e.CreatedAt.In(r.s.now().Location()).Format("01-02 15:04")
	return rowText{title: e.Ticket, tag: "  " + when, tagColour: touch.Grey, sub: ui.Pick(r.s.lang, e.Reason)}
}

func (r *rejectedTab) show(items []station.Row) {
	r.set(items)
	showIf(r.empty, len(items) == 0)
	r.detail()
}

func (r *rejectedTab) detail() {
	if len(r.items) == 0 || r.sending {
		r.resendAll.Disable()
	} else {
		r.resendAll.Enable()
	}
	e, ok := r.chosen()
	if !ok {
		r.ticket.Text = ""
		r.ticket.Refresh()
		r.info.SetText(r.s.tr("上级平台退回了这些记录。选中一条看原因，处理后重新发送。",
			"The county hub returned these records. Choose one to see why; deal with the reason, then send it again."))
		r.reason.SetText("")
		r.resend.Disable()
		return
	}
	if r.sending {
		r.resend.Disable()
	} else {
		r.resend.Enable()
	}
	r.ticket.Text = e.Ticket
	r.ticket.Refresh()
	r.info.SetText(joinWords(kindWord(r.s.lang, e.Kind), e.Name) + "\n" + matterWord(r.s.lang, e, false) + "\n" +
		e.CreatedAt.In(r.s.now().Location()).Format("2006-01-02 15:04"))
	r.reason.SetText(r.s.tr("退回原因：", "Reason: ") + ui.Pick(r.s.lang, e.Reason))
}

// send puts the chosen record, or all of them, back in the queue.
func (r *rejectedTab) send(all bool) {
	var ids []string
	for _, e := range r.items {
		if all || e.ID == r.sel {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	r.sending = true
	r.resend.Disable()
	r.resendAll.Disable()
	r.s.background(func() func() {
		n, err := r.s.st.Resend(ids)
		return func() {
			r.sending = false
			if err != nil {
				r.result.SetText(r.s.tr("没有重新发送：", "Not sent again: ") + err.Error())
			} else {
				r.result.SetText(fmt.Sprintf(r.s.tr("已重新排队 %d 条，联网后自动发送。", "%d queued again; they go out when the hub can be reached."), n))
			}
			r.s.reload()
		}
	})
}
