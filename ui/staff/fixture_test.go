package staff

import (
	"context"
	"fmt"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/sim/demo"
)

// The golden images draw fixed data at a fixed time: a real station's
// temporary paths, IDs and delivery times differ from run to run. The
// walks through the screens use a real station.
var cst = time.FixedZone("CST", 8*3600)

func fixedNow() time.Time { return time.Date(2026, 11, 26, 9, 30, 0, 0, cst) }

func at(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, cst) }

// fixture is a station frozen in the middle of a morning at Xingfuwan.
type fixture struct {
	cfg      *config.Config
	help     *time.Time
	loginErr error
	checkIns []station.CheckIn
	voice    station.VoiceSettings
}

func newFixture() *fixture {
	return &fixture{cfg: demo.Config("/var/lib/gridkiosk", "https://hub.xiangning.gov.cn", "/etc/gridkiosk/upstream.token"),
		voice: station.VoiceSettings{Volume: 80}}
}

func (f *fixture) Voice() station.Voice {
	return station.Voice{Present: true, Speaker: "espeak-ng 1.51 cmn", Synthetic: true, VoiceSettings: f.voice}
}

func (f *fixture) SetVoice(v station.VoiceSettings) (station.Voice, error) {
	f.voice = v
	return f.Voice(), nil
}

func (f *fixture) Config() *config.Config { return f.cfg }
func (f *fixture) Health() station.Health {
	return station.Health{Station: station.StationInfo{ID: demo.StationID, Name: f.cfg.Station.Name}}
}
func (f *fixture) Categories() []station.Category { return nil }
func (f *fixture) StaffIDs() []string             { return nil }
func (f *fixture) Now() time.Time                 { return time.Now() }
func (f *fixture) Session() station.SessionView {
	return station.SessionView{State: station.SessionIdle}
}
func (f *fixture) SessionChanged() <-chan struct{}    { return make(chan struct{}) }
func (f *fixture) TouchSession()                      {}
func (f *fixture) StartManual(name, id string) error  { return nil }
func (f *fixture) CancelSession()                     {}
func (f *fixture) PlaceOf(string) station.Place       { return station.Place{} }
func (f *fixture) LastScan() *station.ScanResult      { return nil }
func (f *fixture) TriggerScan() error                 { return nil }
func (f *fixture) TouchStaff()                        {}
func (f *fixture) StaffLogout()                       {}
func (f *fixture) StaffLoginPIN(id, pin string) error { return f.loginErr }
func (f *fixture) ClearHelp()                         { f.help = nil }
func (f *fixture) LastCardRead() station.ReadStats    { return station.ReadStats{} }

func (f *fixture) SubmitSession(context.Context, station.SessionSubmit) (station.Ack, error) {
	return station.Ack{}, nil
}

func (f *fixture) Staff() *station.StaffSession {
	return &station.StaffSession{ID: "s-0007", Name: "李建国", Role: "micro_grid_leader", Since: at(8, 2)}
}

func (f *fixture) Submit(context.Context, station.Submission) (station.Ack, error) {
	return station.Ack{Ticket: "V0047", Seq: 47, CreatedAt: fixedNow()}, nil
}

func (f *fixture) Records(time.Time, int) ([]station.Row, error) {
	// Names come masked from the station; matters named as its
	// reference data names them, the longest English one among them.
	e := func(seq uint64, kind string, state station.RowState, h, m int, name, matter, matterEN string) station.Row {
		return station.Row{ID: "0190f5e6-0000-7000-8000-0000000000" + string(rune('0'+seq/10)) + string(rune('0'+seq%10)),
			Kind: kind, Seq: seq, State: state, CreatedAt: at(h, m), UpdatedAt: at(h, m),
			Ticket:   fmt.Sprintf("%s%04d", map[string]string{"registration": "R", "matter": "M", "receipt": "C", "volunteer": "V"}[kind], seq),
			Resident: kind == "registration" || kind == "matter", Name: name, Matter: matter, MatterEN: matterEN}
	}
	return []station.Row{
		e(46, "matter", station.Queued, 9, 26, "", "公共设施报修", "Shared facility repair"),
		e(45, "registration", station.Queued, 9, 21, "王*兰", "证明开具", "Certificate"),
		e(44, "receipt", station.Delivered, 9, 12, "欧**明", "民生诉求", "Help for the elderly or disabled"),
		e(43, "matter", station.Rejected, 9, 5, "张*", "stray_dogs", ""),
		e(42, "registration", station.Delivered, 8, 47, "J*** S****", "返乡人员登记", "Returnee registration"),
		e(41, "volunteer", station.Delivered, 8, 40, "李*国", "政策宣传", ""),
		e(40, "registration", station.Delivered, 8, 31, "赵*娟", "政策咨询", "Policy question"),
	}, nil
}

func (f *fixture) Rejected() ([]station.Row, error) {
	return []station.Row{
		{ID: "0190f5e6-0000-7000-8000-000000000043", Kind: "matter", Seq: 43, State: station.Rejected, CreatedAt: at(9, 5),
			Ticket: "M0043", Resident: true, Name: "张*", Matter: "stray_dogs", Reason: "payload.category: \"stray_dogs\" is not a category the county knows yet"},
		{ID: "0190f5e6-0000-7000-8000-000000000038", Kind: "registration", Seq: 38, State: station.Rejected, CreatedAt: time.Date(2026, 11, 25, 16, 40, 0, 0, cst),
			Ticket: "R0038", Resident: true, Name: "刘*华", Matter: "返乡人员登记", MatterEN: "Returnee registration", Reason: "grid.micro: \"c09-m01\" is not in community 141029100001"},
	}, nil
}

func (f *fixture) Resend(ids []string) (int, error) { return len(ids), nil }

func (f *fixture) CheckIn(c station.CheckIn) (station.CheckIn, error) {
	c.Since = fixedNow()
	f.checkIns = append(f.checkIns, c)
	return c, nil
}

func (f *fixture) CheckIns() ([]station.CheckIn, error) { return f.checkIns, nil }

func (f *fixture) CheckOut(_ context.Context, name string) (station.Service, error) {
	return station.Service{}, station.ErrNotCheckedIn
}

func (f *fixture) PrintReceipt(_ context.Context, req station.ReceiptRequest) (station.PrintResult, error) {
	return station.PrintResult{State: "printed", Ticket: "R0045", ReceiptID: "0190f5e6-0000-7000-8000-000000000047"}, nil
}

func (f *fixture) Panel() station.PanelState {
	return station.PanelState{Present: true, HelpSince: f.help}
}

// ReceiptJob lays the receipt out as the station does.
func (f *fixture) ReceiptJob(req station.ReceiptRequest) ([]byte, error) {
	d := &printer.Doc{}
	d.Text(f.cfg.Station.Name, printer.Style{Align: printer.Center, Bold: true, Tall: true}).
		Text("办事回执 Service receipt", printer.Style{Align: printer.Center}).
		Separator('=').
		KV("票号 Ticket", "R0045").
		KV("事项 Matter", "证明开具").
		KV("姓名 Name", "王*兰").
		KV("证件 ID", "1410**********122X").
		KV("时间 Time", "2026-11-26 09:21").
		KV("经办人 Staff", req.Staff).Separator('-').
		QR(appliance.ReceiptCodePrefix+req.RecordID, 6).
		Text("扫码查询办理进度", printer.Style{Align: printer.Center}).
		Text("Scan to see progress", printer.Style{Align: printer.Center}).
		Feed(1).Cut(false)
	return printer.Encode(d, printer.Profile58())
}

func (f *fixture) PrintJobs() []station.PrintJob {
	return []station.PrintJob{
		{ID: "0190f5e6-0000-7000-8000-0000000000a1", Ticket: "R0044", Created: at(9, 12), State: station.JobWaiting,
			Reason: "打印纸用完，请装纸 / out of paper: load a new roll"},
		{ID: "0190f5e6-0000-7000-8000-0000000000a0", Ticket: "R0039", Created: time.Date(2026, 11, 25, 17, 2, 0, 0, cst), State: station.JobHeld,
			Reason: "本机重启前未打印完，请确认后重新打印或取消 / not printed before the station restarted: print it now or cancel it"},
	}
}
func (f *fixture) PrintJobNow(id string) error    { return nil }
func (f *fixture) CancelPrintJob(id string) error { return nil }
