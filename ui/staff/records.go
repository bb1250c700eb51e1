package staff

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer/escposview"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// printWait bounds a print: the station itself gives up waiting after 30
// seconds and keeps the job queued.
const printWait = 45 * time.Second

// ReceiptPreviewer renders a receipt without printing it: the ESC/POS job
// PrintReceipt would send for req, and no receipt record stored. A station
// that has it gets a preview before printing.
type ReceiptPreviewer interface {
	ReceiptJob(req station.ReceiptRequest) ([]byte, error)
}

// recordsTab is the day's records: a list, the chosen record with its
// print key, and the receipt's preview.
type recordsTab struct {
	*picker[station.Row] // by ID

	s        *Screen
	printing bool            // a print is under way: one at a time
	printed  map[string]bool // records this screen printed a receipt for

	empty   *widget.Label
	ticket  *canvas.Text
	when    *canvas.Text // the time of day it was made, beside the ticket
	info    *widget.Label
	state   *canvas.Text
	print   *touch.Button
	result  *widget.Label
	img     *canvas.Image
	note    *widget.Label
	content fyne.CanvasObject
}

func newRecordsTab(s *Screen) *recordsTab {
	r := &recordsTab{s: s, printed: map[string]bool{}}
	r.picker = newPicker(s, fullRow, func(e station.Row) string { return e.ID }, r.rowText)
	r.chose = func(changed bool) {
		if changed {
			r.result.SetText("")
			r.loadPreview()
		}
		r.detail()
	}
	r.cleared = r.clearPreview
	r.empty = touch.NewLabel("", true)
	r.ticket = touch.NewText("", 36, touch.Ink, true)
	r.when = touch.NewText("", 24, touch.Grey, true)
	r.info = touch.NewLabel("", true)
	r.state = touch.NewText("", 24, touch.Ink, true)
	r.print = touch.NewButton("", widget.HighImportance, s.act(r.printTapped))
	r.result = touch.NewLabel("", true)
	r.img = canvas.NewImageFromImage(nil)
	r.img.FillMode = canvas.ImageFillContain
	r.note = touch.NewLabel("", true)
	r.note.Alignment = fyne.TextAlignCenter

	list := container.NewStack(pagedList(r.list, s.act), container.NewVBox(r.empty))
	detail := container.NewVBox(container.NewHBox(r.ticket, container.NewCenter(r.when)), r.info, r.state, r.print, r.result, layout.NewSpacer())
	preview := container.NewStack(container.NewVBox(layout.NewSpacer(), r.note, layout.NewSpacer()), r.img)
	r.content = container.New(columns{45, 30, 25}, list, detail, preview)
	return r
}

func (r *recordsTab) rowText(e station.Row) rowText {
	word, c := stateWord(r.s.lang, e.State)
	return rowText{title: e.Ticket, tag: "  " + e.CreatedAt.In(r.s.now().Location()).Format("15:04"), tagColour: touch.Grey,
		sub: joinWords(kindWord(r.s.lang, e.Kind), e.Name), more: matterWord(r.s.lang, e, true),
		state: word, stateColour: c}
}

func (r *recordsTab) show(items []station.Row, err error) {
	// New records come first, so the chosen one moves down the list.
	r.set(items)
	switch {
	case err != nil:
		r.empty.SetText(r.s.tr("无法读取本机记录：", "Cannot read the records: ") + err.Error())
		r.empty.Show()
	case len(items) == 0:
		r.empty.SetText(r.s.tr("今天还没有记录。", "No records yet today."))
		r.empty.Show()
	default:
		r.empty.Hide()
	}
	r.detail()
}

func (r *recordsTab) detail() {
	e, ok := r.chosen()
	if !ok {
		r.ticket.Text, r.when.Text = "", ""
		r.when.Refresh()
		r.info.SetText(r.s.tr("请在左边选一条记录，再打印回执。", "Choose a record on the left to print its receipt."))
		r.state.Text = ""
		r.print.SetText(r.s.tr("打印回执", "Print receipt"))
		r.print.Disable()
		r.ticket.Refresh()
		r.state.Refresh()
		return
	}
	loc := r.s.now().Location()
	// The list is the day's: the time of day says when.
	r.ticket.Text, r.when.Text = e.Ticket, "  "+e.CreatedAt.In(loc).Format("15:04")
	r.ticket.Refresh()
	r.when.Refresh()
	r.info.SetText(joinWords(kindWord(r.s.lang, e.Kind), e.Name) + "\n" + matterWord(r.s.lang, e, false))
	word, c := stateWord(r.s.lang, e.State)
	r.state.Text, r.state.Color = word, c
	r.state.Refresh()
	if r.printed[e.ID] {
		r.print.SetText(r.s.tr("重新打印", "Reprint"))
	} else {
		r.print.SetText(r.s.tr("打印回执", "Print receipt"))
	}
	if e.Resident && !r.printing {
		r.print.Enable()
	} else {
		r.print.Disable()
	}
}

func (r *recordsTab) clearPreview() {
	r.img.Image = nil
	r.img.Refresh()
	r.note.SetText("")
}

// loadPreview shows the chosen record's receipt as it would print, when
// the station can render one; else it says when a preview appears.
func (r *recordsTab) loadPreview() {
	r.clearPreview()
	e, ok := r.chosen()
	switch {
	case !ok:
		return
	case !e.Resident:
		r.note.SetText(r.s.tr("这类记录不打印回执。", "Records of this kind get no receipt."))
		return
	case r.s.preview == nil && r.s.opt.LastJob != nil:
		r.note.SetText(r.s.tr("打印后在这里显示回执。", "The receipt shows here once printed."))
		return
	case r.s.preview == nil:
		r.note.SetText(r.s.tr("本机暂不能预览回执。", "This station cannot preview receipts yet."))
		return
	}
	id, req := e.ID, station.ReceiptRequest{RecordID: e.ID, Staff: r.s.staff.Name}
	r.note.SetText(r.s.tr("正在生成预览…", "Rendering the preview…"))
	r.s.background(func() func() {
		img, err := r.render(r.s.preview.ReceiptJob(req))
		return func() { r.showPreview(id, img, err) }
	})
}

// render draws an ESC/POS job as the printer's paper.
func (r *recordsTab) render(job []byte, err error) (image.Image, error) {
	if err != nil {
		return nil, err
	}
	dots := 384
	if r.s.st.Config().Devices.Printer.Paper == "80mm" {
		dots = 576
	}
	rc, err := escposview.Parse(job, escposview.Options{Dots: dots})
	if err != nil {
		return nil, err
	}
	return rc.Image(), nil
}

func (r *recordsTab) showPreview(id string, img image.Image, err error) {
	if id != r.sel {
		return // staff chose another record meanwhile
	}
	if err != nil {
		r.note.SetText(r.s.tr("无法预览：", "No preview: ") + err.Error())
		return
	}
	r.note.SetText("")
	r.img.Image = img
	r.img.Refresh()
}

func (r *recordsTab) printTapped() {
	e, ok := r.chosen()
	if !ok {
		return
	}
	req := station.ReceiptRequest{RecordID: e.ID, Staff: r.s.staff.Name}
	r.printing = true
	r.print.Disable()
	r.result.SetText(r.s.tr("正在打印…", "Printing…"))
	r.s.background(func() func() {
		ctx, cancel := context.WithTimeout(context.Background(), printWait)
		defer cancel()
		res, err := r.s.st.PrintReceipt(ctx, req)
		var img image.Image
		var imgErr error
		if err == nil && res.State == "printed" && r.s.opt.LastJob != nil {
			if job := r.s.opt.LastJob(); job != nil {
				img, imgErr = r.render(job, nil)
			}
		}
		return func() {
			r.printDone(e.ID, res, err)
			if img != nil || imgErr != nil {
				r.showPreview(e.ID, img, imgErr)
			}
			r.s.reload()
		}
	})
}

func (r *recordsTab) printDone(id string, res station.PrintResult, err error) {
	r.printing = false
	if err == nil {
		r.printed[id] = true
	}
	r.result.SetText(printWords(r.s.lang, res, err))
	r.detail()
}

// printWords says what became of a receipt, in words staff can act on.
func printWords(lang string, res station.PrintResult, err error) string {
	var nr *station.NotReadyError
	var fe *record.FieldError
	switch {
	case err == nil && res.State == station.JobPrinted:
		return fmt.Sprintf(ui.Tr(lang, "回执已打印（%s）", "Receipt printed (%s)"), res.Ticket)
	case err == nil && res.State == station.JobUnconfirmed:
		return ui.Pick(lang, res.Reason)
	case err == nil && res.State == station.JobHeld:
		return ui.Tr(lang, "回执没有确认打印完，见“待打印”：", "The receipt was not confirmed; see To print: ") + ui.Pick(lang, res.Reason)
	case err == nil && res.State == station.JobWaiting:
		return ui.Tr(lang, "打印机中途停了，处理后自动打完：", "The printer stopped part way; it finishes once this is dealt with: ") + ui.Pick(lang, res.Reason)
	case err == nil:
		return ui.Tr(lang, "回执已排队，打印机就绪后自动打印。", "The receipt is queued and prints once the printer is ready.")
	case errors.Is(err, station.ErrNoPrinter):
		return ui.Tr(lang, "本站没有配置回执打印机。", "This station has no receipt printer.")
	case errors.As(err, &nr):
		return ui.Tr(lang, "没有打印：", "Not printed: ") + ui.Pick(lang, nr.Msg)
	case errors.As(err, &fe):
		return ui.Tr(lang, "没有打印：", "Not printed: ") + fe.Error()
	}
	return ui.Tr(lang, "打印失败：", "Printing failed: ") + err.Error()
}
