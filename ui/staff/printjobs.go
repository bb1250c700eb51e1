package staff

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// jobsTab lists the print jobs not printed yet: those the printer stopped
// during (they go on once it is ready) and those that wait for staff to
// decide, such as the ones from before a restart, whose resident may be
// long gone. Nothing on it prints unless staff tap "print now".
type jobsTab struct {
	*picker[station.PrintJob] // by job ID

	s    *Screen
	busy bool // a tap's work is under way

	empty    *widget.Label
	ticket   *canvas.Text
	state    *canvas.Text
	info     *widget.Label
	reason   *widget.Label
	printNow *touch.Button
	cancel   *touch.Button
	result   *widget.Label
	content  fyne.CanvasObject
}

func newJobsTab(s *Screen) *jobsTab {
	j := &jobsTab{s: s}
	j.picker = newPicker(s, listRow, func(p station.PrintJob) string { return p.ID }, j.rowText)
	j.chose = func(changed bool) {
		if changed {
			j.result.SetText("")
		}
		j.detail()
	}
	j.cleared = j.detail
	j.empty = touch.NewLabel(s.tr("没有等待打印的回执。", "No receipts wait to be printed."), true)
	j.ticket = touch.NewText("", 36, touch.Ink, true)
	j.state = touch.NewText("", 24, touch.Ink, true)
	j.info = touch.NewLabel("", true)
	j.reason = touch.NewLabel("", true)
	j.printNow = touch.NewButton(s.tr("现在打印", "Print now"), widget.HighImportance, s.act(func() { j.do(true) }))
	j.cancel = touch.NewButton(s.tr("取消打印", "Cancel it"), widget.DangerImportance, s.act(func() { j.do(false) }))
	j.result = touch.NewLabel("", true)
	list := container.NewStack(pagedList(j.list, s.act), container.NewVBox(j.empty))
	keys := container.NewGridWithColumns(2, j.printNow, j.cancel)
	detail := container.NewBorder(container.NewVBox(container.NewHBox(j.ticket, j.state), j.info), container.NewVBox(keys, j.result), nil, nil,
		container.NewVBox(j.reason, layout.NewSpacer()))
	j.content = container.New(columns{55, 45}, list, detail)
	return j
}

// jobWord is a job's state in a word or two, with its colour.
func jobWord(lang, state string) (string, color.Color) {
	switch state {
	case station.JobHeld:
		return ui.Tr(lang, "待决定", "Decide"), touch.Red
	case station.JobWaiting:
		return ui.Tr(lang, "等打印机", "Waiting"), touch.Amber
	}
	return ui.Tr(lang, "打印中", "Printing"), touch.Green
}

func (j *jobsTab) rowText(p station.PrintJob) rowText {
	word, c := jobWord(j.s.lang, p.State)
	return rowText{title: p.Ticket, tag: "  " + p.Created.In(j.s.now().Location()).Format("01-02 15:04"), tagColour: touch.Grey,
		sub: ui.Pick(j.s.lang, p.Reason), state: word, stateColour: c}
}

func (j *jobsTab) show(items []station.PrintJob) {
	j.set(items)
	showIf(j.empty, len(items) == 0)
	j.detail()
}

func (j *jobsTab) detail() {
	p, ok := j.chosen()
	if !ok {
		j.ticket.Text, j.state.Text = "", ""
		j.ticket.Refresh()
		j.state.Refresh()
		j.info.SetText(j.s.tr("这些回执还没有打印完。选中一条：打印机中途停了的，装纸或合盖后会自动打完；等待决定的，请确认居民还需要后再打印，否则取消。",
			"These receipts have not printed whole yet. Choose one: those the printer stopped during finish by themselves once paper is loaded or the cover closed; for those waiting for a decision, print them if the resident still needs them, or cancel them."))
		j.reason.SetText("")
		j.printNow.Disable()
		j.cancel.Disable()
		return
	}
	word, c := jobWord(j.s.lang, p.State)
	j.ticket.Text, j.state.Text, j.state.Color = p.Ticket, "  "+word, c
	j.ticket.Refresh()
	j.state.Refresh()
	j.info.SetText(j.s.tr("开始打印：", "Started: ") + p.Created.In(j.s.now().Location()).Format("2006-01-02 15:04"))
	j.reason.SetText(ui.Pick(j.s.lang, p.Reason))
	if j.busy || p.State != station.JobHeld {
		j.printNow.Disable()
	} else {
		j.printNow.Enable()
	}
	if j.busy || p.State == station.JobQueued {
		j.cancel.Disable()
	} else {
		j.cancel.Enable()
	}
}

// do prints the chosen job now, or cancels it.
func (j *jobsTab) do(print bool) {
	p, ok := j.chosen()
	if !ok {
		return
	}
	j.busy = true
	j.detail()
	j.s.background(func() func() {
		var err error
		if print {
			err = j.s.st.PrintJobNow(p.ID)
		} else {
			err = j.s.st.CancelPrintJob(p.ID)
		}
		return func() {
			j.busy = false
			switch {
			case err != nil:
				j.result.SetText(j.s.tr("没有完成：", "Not done: ") + ui.Pick(j.s.lang, err.Error()))
			case print:
				j.result.SetText(j.s.tr("已交给打印机：", "Sent to the printer: ") + p.Ticket)
			default:
				j.result.SetText(j.s.tr("已取消：", "Cancelled: ") + p.Ticket)
			}
			j.s.reload()
		}
	})
}
