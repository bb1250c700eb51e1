package tech

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// The test receipt printed through PrintReceipt says what it is, on paper
// and in the receipt record the hub receives.
const (
	testStaff = "设备测试"
	testNote  = "打印机测试，无需办理 / printer test, nothing to do"
	printWait = 45 * time.Second
)

// errNoRecord is a test print through PrintReceipt on a station that has
// no registration or matter to print a receipt of.
var errNoRecord = errors.New("no registration or matter on this station yet to print a test receipt of")

// devices in the order shown, with their names.
func devices() [][3]string {
	return [][3]string{
		{"idcard", "身份证阅读器", "ID card reader"},
		{"scanner", "扫码器", "QR scanner"},
		{"printer", "回执打印机", "Receipt printer"},
		{"panel", "按钮与指示灯面板", "Buttons and lamps"},
		{"voice", "语音提示", "Voice"},
	}
}

type deviceRow struct {
	dot   *canvas.Circle
	name  *canvas.Text
	state *canvas.Text
	where *canvas.Text
	note  *widget.Label
}

// devicesPage is each peripheral's state, and the tests.
type devicesPage struct {
	s       *Screen
	rows    map[string]*deviceRow
	print   *touch.Button
	beep    *touch.Button
	leds    *touch.Button
	result  *widget.Label
	content fyne.CanvasObject
}

func newDevicesPage(s *Screen) *devicesPage {
	p := &devicesPage{s: s, rows: map[string]*deviceRow{}}
	list := container.NewVBox()
	for _, d := range devices() {
		r := &deviceRow{dot: dot(), name: touch.NewText(s.tr(d[1], d[2]), 24, touch.Ink, true),
			state: touch.NewText("", 24, touch.Grey, true), where: touch.NewText("", 21, touch.Grey, false), note: touch.NewLabel("", true)}
		p.rows[d[0]] = r
		// The lamp stands level with the device's name.
		lamp := container.NewVBox(container.NewGridWrap(fyne.NewSize(24, 34), container.NewCenter(
			container.NewGridWrap(fyne.NewSquareSize(22), r.dot))))
		head := container.NewHBox(r.name, r.state, r.where)
		list.Add(container.NewBorder(nil, nil, lamp, nil, container.NewVBox(head, r.note)))
	}
	p.print = touch.NewButton(s.tr("打印测试页", "Test print"), widget.HighImportance, p.testPrint)
	keys := container.NewGridWithColumns(3, p.print)
	if t := s.opt.Panel; t != nil {
		p.beep = touch.NewButton(s.tr("蜂鸣器测试", "Beep"), widget.MediumImportance, func() { p.panelTest(t.TestBeep, s.tr("蜂鸣器应响两声。", "The buzzer should sound.")) })
		p.leds = touch.NewButton(s.tr("指示灯测试", "Lamps"), widget.MediumImportance, func() {
			p.panelTest(t.TestLEDs, s.tr("各指示灯应依次亮起。", "Each lamp should light in turn."))
		})
		keys.Add(p.beep)
		keys.Add(p.leds)
	}
	p.result = touch.NewLabel("", true)
	// A reader that does not answer has a long note: the list may need
	// paging on the 800×480 panel.
	_, page := paged(list)
	p.content = container.NewBorder(nil, container.NewVBox(p.result, keys), nil, nil, page)
	return p
}

// stateWord is how a technician reads a device's state, and its colour.
func stateWord(lang, state string) (string, color.Color) {
	words := map[string][3]string{
		"absent":       {"未配置", "not configured", ""},
		"present":      {"已连接", "connected", "ok"},
		"configured":   {"已配置", "configured", "ok"},
		"ready":        {"就绪", "ready", "ok"},
		"missing":      {"未找到", "not found", ""},
		"lost":         {"无应答", "not answering", ""},
		"paper_out":    {"缺纸", "out of paper", ""},
		"cover_open":   {"纸仓盖打开", "cover open", ""},
		"offline":      {"离线", "offline", ""},
		"cutter_error": {"切刀卡住", "cutter jammed", ""},
		"error":        {"故障", "fault", ""},
	}
	w, ok := words[state]
	switch {
	case !ok:
		return state, touch.Red
	case w[2] == "ok":
		return ui.Tr(lang, w[0], w[1]), touch.Green
	case state == "absent":
		return ui.Tr(lang, w[0], w[1]), touch.Grey
	}
	return ui.Tr(lang, w[0], w[1]), touch.Red
}

func (p *devicesPage) show(h station.Health) {
	for key, r := range p.rows {
		var dev station.Peripheral
		if key == "panel" {
			dev = p.panel(h.Panel)
		} else {
			dev = h.Peripherals[key]
		}
		word, c := stateWord(p.s.lang, dev.State)
		r.dot.FillColor, r.state.Text, r.state.Color = c, word, c
		r.where.Text = dev.Where
		note := ui.Pick(p.s.lang, dev.Note)
		if dev.Pending > 0 {
			note = fmt.Sprintf(p.s.tr("等待打印的回执 %d 张。", "Receipts waiting to print: %d. "), dev.Pending) + note
		}
		r.note.SetText(note)
		if note == "" {
			r.note.Hide()
		} else {
			r.note.Show()
		}
		for _, o := range []fyne.CanvasObject{r.dot, r.state, r.where} {
			o.Refresh()
		}
	}
}

// panel describes the GPIO panel as a peripheral: what its inputs said
// last is what a technician checks a button or the sensor by.
func (p *devicesPage) panel(ps station.PanelState) station.Peripheral {
	if !ps.Present {
		return station.Peripheral{State: "absent"}
	}
	dev := station.Peripheral{State: "present", Where: "GPIO"}
	loc := p.s.now().Location()
	if ps.HelpSince != nil {
		dev.Note += fmt.Sprintf(p.s.tr("求助按钮 %s 按下，尚未处理。", "Help pressed at %s, not yet answered. "), ps.HelpSince.In(loc).Format("15:04"))
	}
	if ps.TechAt != nil {
		dev.Note += fmt.Sprintf(p.s.tr("技术员按钮 %s 按住。", "Technician button held at %s. "), ps.TechAt.In(loc).Format("15:04:05"))
	}
	if ps.Presence {
		dev.Note += p.s.tr("感应器：有人在机前。", "Sensor: someone is at the kiosk.")
	} else {
		dev.Note += p.s.tr("感应器：无人。", "Sensor: nobody.")
	}
	return dev
}

func (p *devicesPage) testPrint() {
	p.print.Disable()
	p.result.SetText(p.s.tr("正在打印测试页…", "Printing a test page…"))
	p.s.background(func() func() {
		ctx, cancel := context.WithTimeout(context.Background(), printWait)
		defer cancel()
		res, err := p.printTest(ctx)
		return func() {
			p.print.Enable()
			p.result.SetText(printWords(p.s.lang, res, err))
		}
	})
}

// printTest prints through the PrinterTester, or else the receipt of the
// latest registration or matter, signed and marked as a test.
func (p *devicesPage) printTest(ctx context.Context) (station.PrintResult, error) {
	if p.s.opt.Printer != nil {
		return p.s.opt.Printer.TestPrint(ctx)
	}
	recs, err := p.s.st.Records(time.Time{}, 100)
	if err != nil {
		return station.PrintResult{}, err
	}
	for _, e := range recs {
		if e.Resident {
			return p.s.st.PrintReceipt(ctx, station.ReceiptRequest{RecordID: e.ID, Staff: testStaff, NextStep: testNote})
		}
	}
	return station.PrintResult{}, errNoRecord
}

func (p *devicesPage) panelTest(test func(), says string) {
	p.s.background(func() func() {
		test()
		return func() { p.result.SetText(says) }
	})
}

// printWords says what became of a test print.
func printWords(lang string, res station.PrintResult, err error) string {
	var nr *station.NotReadyError
	switch {
	case err == nil && res.State == station.JobPrinted:
		return ui.Tr(lang, "测试页已打印。", "Test page printed.")
	case err == nil && res.State == station.JobUnconfirmed:
		return ui.Pick(lang, res.Reason)
	case err == nil:
		return ui.Tr(lang, "测试页等待打印机：", "The test page waits for the printer: ") + ui.Pick(lang, res.Reason)
	case errors.Is(err, station.ErrNoPrinter):
		return ui.Tr(lang, "本站没有配置回执打印机（devices.printer）。", "This station has no receipt printer (devices.printer).")
	case errors.As(err, &nr):
		return ui.Tr(lang, "没有打印：", "Not printed: ") + ui.Pick(lang, nr.Msg)
	case errors.Is(err, errNoRecord):
		return ui.Tr(lang, "本机还没有登记或事项记录，无法用回执测试打印机。", "No registration or matter here yet to print a test receipt of.")
	}
	return ui.Tr(lang, "打印失败：", "Printing failed: ") + err.Error()
}
