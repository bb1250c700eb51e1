package simpanel

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/gridkiosk/gridkiosk/appliance"
)

// qrAIM is the AIM prefix a scanner puts before a QR code's data.
const qrAIM = "]Q1"

func (p *Panel) cardKeys() []fyne.CanvasObject {
	var keys []fyne.CanvasObject
	for _, c := range [][3]string{
		{"resident", "王秀兰 居民", "Resident"},
		{"resident-hui", "马建军 回族", "Hui resident"},
		{"hmt", "台湾居民", "Taiwan permit"},
		{"foreign2017", "外国人 2017", "Foreign 2017"},
		{"foreign2023", "外国人 2023", "Foreign 2023"},
	} {
		keys = append(keys, p.key("card:"+c[0], p.tr(c[1], c[2]), func() (string, error) {
			return p.tr("已放卡：", "Card laid: ") + c[0], p.sim.LayCard(c[0])
		}))
	}
	return append(keys, p.key("lift", p.tr("取走卡片", "Lift card"), func() (string, error) {
		p.sim.LiftCard()
		return p.tr("卡片已取走", "Card lifted"), nil
	}))
}

func (p *Panel) codeKeys() []fyne.CanvasObject {
	issued := func(kind string, change func(string) string) func() (string, error) {
		return func() (string, error) {
			code, err := p.sim.IssueCode(kind)
			if err != nil {
				return "", err
			}
			if change != nil {
				code = change(code)
			}
			return p.scan(code, qrAIM)
		}
	}
	return []fyne.CanvasObject{
		p.key("code:appointment", p.tr("预约码", "Appointment"), issued("appointment", nil)),
		p.key("code:expired", p.tr("过期预约", "Expired"), issued("appointment-expired", nil)),
		p.key("code:forged", p.tr("伪造预约", "Forged"), issued("appointment", forge)),
		p.key("code:receipt", p.tr("回执码", "Receipt"), p.receiptCode),
		p.key("code:staff", p.tr("工作证码", "Staff code"), issued("staff", nil)),
		p.key("code:other", p.tr("其他二维码", "Other QR"), p.otherCode),
	}
}

// scan has the emulated scanner read a code.
func (p *Panel) scan(code, aim string) (string, error) {
	shown := code
	if len(shown) > 40 {
		shown = shown[:40] + "…"
	}
	return p.tr("已扫码：", "Scanned: ") + shown, p.sim.ScanCode(code, aim)
}

// forge alters one character of a signed code's signature, the part after
// the dot: the code still decodes, and the station must find the
// signature wrong rather than the code damaged.
func forge(code string) string {
	i := strings.LastIndexByte(code, '.') + 1
	if i == 0 || i >= len(code) {
		i = len(code) - 1
	}
	if i < 0 {
		return code
	}
	c := byte('A')
	if code[i] == 'A' {
		c = 'B'
	}
	return code[:i] + string(c) + code[i+1:]
}

// errNoRecord is a receipt code asked of a station with no records.
var errNoRecord = errors.New("no record at the station yet: register a resident first")

// receiptCode scans the QR code printed on the receipt of the newest record.
func (p *Panel) receiptCode() (string, error) {
	recs, err := p.st.Records(time.Time{}, 1)
	if err != nil {
		return "", err
	}
	if len(recs) == 0 {
		return "", errNoRecord
	}
	return p.scan(appliance.ReceiptCodePrefix+recs[0].ID, qrAIM)
}

// otherCodes are codes of other issuers a resident may hold up to the
// scanner, taken in turn: a web address, a Wi-Fi login, a product's
// EAN-13.
func otherCodes() [][2]string {
	return [][2]string{
		{"https://www.xiangning.gov.cn/", qrAIM},
		{"WIFI:T:WPA;S:XFW-Guest;P:88886666;;", qrAIM},
		{"6901234567892", "]E0"},
	}
}

func (p *Panel) otherCode() (string, error) {
	p.mu.Lock()
	codes := otherCodes()
	c := codes[p.others%len(codes)]
	p.others++
	p.mu.Unlock()
	return p.scan(c[0], c[1])
}

// midReceipt is about half a receipt's bytes.
const midReceipt = 300

func (p *Panel) printerKeys() []fyne.CanvasObject {
	set := func(label string, paperOut, coverOpen bool) func() (string, error) {
		return func() (string, error) {
			p.sim.SetPrinter(paperOut, false, coverOpen, false)
			return label, nil
		}
	}
	return []fyne.CanvasObject{
		p.key("printer:paper", p.tr("缺纸", "No paper"), set(p.tr("打印机缺纸", "Printer out of paper"), true, false)),
		p.key("printer:midjob", p.tr("下张中途缺纸", "Out mid-receipt"), func() (string, error) {
			// About half a receipt: the paper ends while it prints.
			p.sim.SetPrinter(false, false, false, false)
			p.sim.PrinterRunOutAfter(midReceipt)
			return p.tr("下一张回执打到一半时缺纸", "Paper runs out half way through the next receipt"), nil
		}),
		p.key("printer:cover", p.tr("开盖", "Open cover"), set(p.tr("打印机盖已打开", "Printer cover open"), false, true)),
		p.key("printer:ok", p.tr("装纸合盖", "Load paper"), set(p.tr("已装纸、合盖：打印机接着打印", "Paper loaded, cover closed: the printer goes on"), false, false)),
	}
}

func (p *Panel) networkKeys() []fyne.CanvasObject {
	set := func(up bool, label string) func() (string, error) {
		return func() (string, error) { return label, p.sim.SetNetwork(up) }
	}
	return []fyne.CanvasObject{
		p.key("net:down", p.tr("断网", "Cut"), set(false, p.tr("网络已断开", "Network cut"))),
		p.key("net:up", p.tr("联网", "Restore"), set(true, p.tr("网络已恢复", "Network restored"))),
	}
}

// clockKeys set the simulated board's clock against the hub's, as boards
// come up in the field: an RTC kept in local time (+8 h), one that lost
// its battery days ago, one set a year ahead by hand.
func (p *Panel) clockKeys() []fyne.CanvasObject {
	const day = 24 * time.Hour
	set := func(id, zh, en string, skew time.Duration) fyne.CanvasObject {
		return p.key("clock:"+id, p.tr(zh, en), func() (string, error) {
			return p.tr("站点时钟：", "Station clock: ") + p.tr(zh, en), p.sim.SetClockSkew(skew)
		})
	}
	return []fyne.CanvasObject{
		set("0", "准确", "Right", 0),
		set("+8h", "快8小时", "+8 h", 8*time.Hour),
		set("-3d", "慢3天", "−3 days", -3*day),
		set("+1y", "快1年", "+1 year", 365*day),
	}
}

func (p *Panel) panelKeys() []fyne.CanvasObject {
	return []fyne.CanvasObject{
		p.key("help", p.tr("按求助按钮", "Press help"), func() (string, error) {
			return p.tr("求助按钮已按下", "Help pressed"), p.sim.PressButton("help", press)
		}),
		p.key("tech", p.tr("长按技术员键", "Hold technician"), func() (string, error) {
			return p.tr("技术员键已长按", "Technician button held"), p.sim.PressButton("tech", hold)
		}),
		p.key("presence", p.tr("有人 / 无人", "Someone / nobody"), p.togglePresence),
	}
}

func (p *Panel) togglePresence() (string, error) {
	p.mu.Lock()
	p.presence = !p.presence
	on := p.presence
	p.mu.Unlock()
	p.sim.SetPresence(on)
	if on {
		return p.tr("感应器：有人", "Sensor: someone there"), nil
	}
	return p.tr("感应器：无人", "Sensor: nobody"), nil
}
