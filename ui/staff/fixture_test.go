package staff

import (
	"context"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/drivers/idcard"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/sim/demo"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
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
	checkIns []appliance.CheckIn
}

func newFixture() *fixture {
	return &fixture{cfg: demo.Config("/var/lib/gridkiosk", "https://hub.xiangning.gov.cn", "/etc/gridkiosk/upstream.token")}
}

func (f *fixture) Config() *config.Config { return f.cfg }
func (f *fixture) Health() appliance.Health {
	return appliance.Health{Station: appliance.StationInfo{ID: demo.StationID, Name: f.cfg.Station.Name}}
}
func (f *fixture) RefData() *appliance.RefData { return nil }
func (f *fixture) Now() time.Time              { return time.Now() }
func (f *fixture) Session() appliance.SessionView {
	return appliance.SessionView{State: appliance.SessionIdle}
}
func (f *fixture) SessionChanged() <-chan struct{}    { return make(chan struct{}) }
func (f *fixture) TouchSession()                      {}
func (f *fixture) StartManual(name, id string) error  { return nil }
func (f *fixture) CancelSession()                     {}
func (f *fixture) PlaceOf(string) appliance.Place     { return appliance.Place{} }
func (f *fixture) LastScan() *appliance.ScanResult    { return nil }
func (f *fixture) TriggerScan() error                 { return nil }
func (f *fixture) TouchStaff()                        {}
func (f *fixture) StaffLogout()                       {}
func (f *fixture) StaffLoginPIN(id, pin string) error { return f.loginErr }
func (f *fixture) ClearHelp()                         { f.help = nil }
func (f *fixture) LastCardRead() idcard.Phases        { return idcard.Phases{} }

func (f *fixture) SubmitSession(context.Context, appliance.SessionSubmit) (appliance.Receipt, error) {
	return appliance.Receipt{}, nil
}

func (f *fixture) Staff() *appliance.StaffSession {
	return &appliance.StaffSession{ID: "s-0007", Name: "李建国", Role: "micro_grid_leader", Since: at(8, 2)}
}

func (f *fixture) Submit(context.Context, appliance.Submission) (appliance.Receipt, error) {
	return appliance.Receipt{Ticket: "V0047", Seq: 47, CreatedAt: fixedNow()}, nil
}

func (f *fixture) Records(time.Time, int) ([]outbox.Entry, error) {
	e := func(seq uint64, kind, state string, h, m int) outbox.Entry {
		return outbox.Entry{ID: "0190f5e6-0000-7000-8000-0000000000" + string(rune('0'+seq/10)) + string(rune('0'+seq%10)),
			Kind: kind, Seq: seq, State: state, CreatedAt: at(h, m), UpdatedAt: at(h, m)}
	}
	return []outbox.Entry{
		e(46, "matter", outbox.Queued, 9, 26),
		e(45, "registration", outbox.Queued, 9, 21),
		e(44, "receipt", outbox.Delivered, 9, 12),
		e(43, "matter", outbox.Rejected, 9, 5),
		e(42, "registration", outbox.Delivered, 8, 47),
		e(41, "volunteer", outbox.Delivered, 8, 40),
		e(40, "registration", outbox.Delivered, 8, 31),
	}, nil
}

func (f *fixture) Rejected() ([]outbox.Entry, error) {
	return []outbox.Entry{
		{ID: "0190f5e6-0000-7000-8000-000000000043", Kind: "matter", Seq: 43, State: outbox.Rejected, CreatedAt: at(9, 5),
			Reason: "payload.category: \"stray_dogs\" is not a category the county knows yet"},
		{ID: "0190f5e6-0000-7000-8000-000000000038", Kind: "registration", Seq: 38, State: outbox.Rejected, CreatedAt: time.Date(2026, 11, 25, 16, 40, 0, 0, cst),
			Reason: "grid.micro: \"c09-m01\" is not in community 141029100001"},
	}, nil
}

func (f *fixture) Resend(ids []string) (int, error) { return len(ids), nil }

func (f *fixture) CheckIn(c appliance.CheckIn) (appliance.CheckIn, error) {
	c.Since = fixedNow()
	f.checkIns = append(f.checkIns, c)
	return c, nil
}

func (f *fixture) CheckIns() ([]appliance.CheckIn, error) { return f.checkIns, nil }

func (f *fixture) CheckOut(_ context.Context, name string) (appliance.Service, error) {
	return appliance.Service{}, appliance.ErrNotCheckedIn
}

func (f *fixture) PrintReceipt(_ context.Context, req appliance.ReceiptRequest) (appliance.PrintResult, error) {
	return appliance.PrintResult{State: "printed", Ticket: "R0045", ReceiptID: "0190f5e6-0000-7000-8000-000000000047"}, nil
}

func (f *fixture) Panel() appliance.PanelState {
	return appliance.PanelState{Present: true, HelpSince: f.help}
}

// ReceiptJob lays the receipt out as the station does.
func (f *fixture) ReceiptJob(req appliance.ReceiptRequest) ([]byte, error) {
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

func (f *fixture) PrintJobs() []appliance.PrintJob {
	return []appliance.PrintJob{
		{ID: "0190f5e6-0000-7000-8000-0000000000a1", Ticket: "R0044", Created: at(9, 12), State: appliance.JobWaiting,
			Reason: "打印纸用完，请装纸 / out of paper: load a new roll"},
		{ID: "0190f5e6-0000-7000-8000-0000000000a0", Ticket: "R0039", Created: time.Date(2026, 11, 25, 17, 2, 0, 0, cst), State: appliance.JobHeld,
			Reason: "本机重启前未打印完，请确认后重新打印或取消 / not printed before the station restarted: print it now or cancel it"},
	}
}
func (f *fixture) PrintJobNow(id string) error    { return nil }
func (f *fixture) CancelPrintJob(id string) error { return nil }
