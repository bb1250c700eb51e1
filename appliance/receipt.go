package appliance

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/sync/wire"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// ReceiptCodePrefix starts the older form of a receipt's QR code; the
// rest is the record ID. Any station's scanner can look the record up by
// it. Receipts print a link a phone opens instead once the hub's public
// URL is known (package receiptcode).
const ReceiptCodePrefix = receiptcode.Prefix

// categoryNames are the matter categories a station knows without its
// reference data, so a receipt never shows a bare code.
var categoryNames = map[string]string{
	"dispute": "矛盾纠纷", "hazard": "安全隐患", "sanitation": "环境卫生", "repair": "公共设施报修",
	"livelihood": "民生诉求", "policy": "政策咨询", "certificate": "证明开具", "returnee": "返乡人员登记",
}

// receiptFields is what a receipt shows of a record.
type receiptFields struct {
	ticket, category, name, idNumber string
	created                          time.Time
	trusted                          bool
}

func (s *Station) receiptFields(rec wire.Record) (receiptFields, error) {
	f := receiptFields{ticket: ticket(rec.Kind, rec.Seq), created: rec.CreatedAt, trusted: rec.ClockTrusted}
	var p struct {
		Purpose  string         `json:"purpose"`
		Category string         `json:"category"`
		Person   *record.Person `json:"person"`
	}
	if err := json.Unmarshal(rec.Payload, &p); err != nil {
		return f, fmt.Errorf("appliance: record %s: %w", rec.ID, err)
	}
	code := p.Category
	if code == "" {
		code = p.Purpose
	}
	f.category = code
	if n, ok := categoryNames[code]; ok {
		f.category = n
	}
	if p.Person != nil {
		f.name, f.idNumber = printable(citizenid.MaskName(p.Person.Name)), printable(citizenid.Mask(p.Person.IDNumber))
	}
	return f, nil
}

// printable replaces what a receipt printer refuses as text (control
// characters; private-use ones, in which some ID cards carry rare
// characters of names) with □, so that a record stored before its text
// was checked, or a name read from such a card, still gets its receipt.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Co, r) || r == utf8.RuneError {
			return '□'
		}
		return r
	}, s)
}

// receiptDoc lays out a service receipt (办事回执).
func (s *Station) receiptDoc(rec wire.Record, f receiptFields, req station.ReceiptRequest) *printer.Doc {
	// Double width only when the name still fits one line: a title broken
	// in the middle of a word is harder to read than a narrower one.
	cols := s.prn.profile.Columns
	title := printer.Style{Align: printer.Center, Bold: true, Tall: true, Wide: 2*printer.Width(s.cfg.Station.Name) <= cols}
	d := &printer.Doc{}
	d.Text(s.cfg.Station.Name, title).
		Text("办事回执 Service receipt", printer.Style{Align: printer.Center}).
		Separator('=').
		Text("票号 Ticket", printer.Style{Align: printer.Center}).
		// The number a resident is called by, read from arm's length:
		// double width and height (GS !), the largest size that keeps
		// R0042 on one line of 58 mm paper.
		Text(f.ticket, printer.Style{Align: printer.Center, Bold: true, Wide: true, Tall: true}).
		KV("事项 Matter", f.category)
	if f.name != "" {
		d.KV("姓名 Name", f.name)
	}
	if f.idNumber != "" {
		d.KV("证件 ID", f.idNumber)
	}
	when := f.created.In(time.Local).Format("2006-01-02 15:04")
	d.KV("时间 Time", when)
	if !f.trusted {
		d.Text("（本机时钟未校准，时间仅供参考）", printer.Style{Align: printer.Right})
	}
	d.KV("经办人 Staff", req.Staff).Separator('-')
	if req.NextStep != "" {
		d.Text("下一步："+req.NextStep, printer.Style{})
	}
	code, phone := s.receiptCode(rec)
	d.QR(code, 6)
	if phone {
		d.Text("手机扫码查询办理进度", printer.Style{Align: printer.Center}).
			Text("Scan with a phone for progress", printer.Style{Align: printer.Center})
	} else {
		d.Text("在服务站扫码查询办理进度", printer.Style{Align: printer.Center}).
			Text("Scan at a station for progress", printer.Style{Align: printer.Center})
	}
	d.Feed(1).Cut(false)
	return d
}

// receiptCode is what a receipt's QR code says: the link to the
// record's status page when the hub's public URL is known and the record
// has its key (records made before links have none), else GK1:R:, which
// only a station's scanner reads. phone says which.
func (s *Station) receiptCode(rec wire.Record) (code string, phone bool) {
	if base := s.RefData().LinkBase(); base != nil && rec.LinkKey != "" {
		if link, err := receiptcode.Link(base, rec.ID, rec.LinkKey); err == nil {
			return link, true
		}
	}
	return receiptcode.Old(rec.ID), false
}

// PrintReceipt prints a service receipt for a record and stores a receipt
// record for it. It refuses to start when the printer is not ready,
// saying why in words staff can act on. The job is kept on disk until the
// printer confirms it printed: one the printer stops during goes on once
// the printer is ready.
func (s *Station) PrintReceipt(ctx context.Context, req station.ReceiptRequest) (_ station.PrintResult, err error) {
	defer func() { err = vocab(err) }()
	job, rec, f, req, err := s.receiptJob(req)
	if err != nil {
		return station.PrintResult{}, err
	}
	if err := s.prn.ready(ctx); err != nil {
		return station.PrintResult{}, err
	}
	payload := &record.Receipt{Ticket: f.ticket, RecordID: rec.ID, Category: categoryCode(rec), Staff: req.Staff, NextStep: req.NextStep}
	// The job is on disk before the receipt is recorded: a crash between
	// leaves a job staff see, never a receipt recorded with no job.
	j, err := s.prn.add(job, f.ticket)
	if err != nil {
		return station.PrintResult{}, err
	}
	rc, err := s.store(ctx, draft{payload: payload})
	if err != nil {
		s.prn.discard(j)
		return station.PrintResult{}, err
	}
	res := station.PrintResult{ReceiptID: rc.ID, Ticket: f.ticket, JobID: j.ID}
	res.State, res.Reason = s.prn.start(ctx, j)
	return res, nil
}

// ReceiptJob returns the ESC/POS job PrintReceipt would send for req,
// printing nothing and storing nothing: the staff's preview.
func (s *Station) ReceiptJob(req station.ReceiptRequest) ([]byte, error) {
	job, _, _, _, err := s.receiptJob(req)
	return job, err
}

// receiptJob builds a receipt's job, with what PrintReceipt goes on to
// store: the record it is for, its fields and the request as completed.
func (s *Station) receiptJob(req station.ReceiptRequest) ([]byte, wire.Record, receiptFields, station.ReceiptRequest, error) {
	var none wire.Record
	if s.prn == nil {
		return nil, none, receiptFields{}, req, station.ErrNoPrinter
	}
	if strings.TrimSpace(req.Staff) == "" {
		// The staff member logged in with their code signs by default.
		if st := s.Staff(); st != nil {
			req.Staff = st.Name
		}
	}
	if strings.TrimSpace(req.Staff) == "" {
		return nil, none, receiptFields{}, req, &record.FieldError{Field: "staff", Msg: "is required: who hands the receipt over (or log in with a staff code)"}
	}
	// Checked here, by the rules the receipt record will be stored under,
	// so that text the printer would refuse is the caller's mistake (400)
	// and not a printer that seems broken.
	if err := record.CheckText("staff", req.Staff, 1, 30); err != nil {
		return nil, none, receiptFields{}, req, err
	}
	if err := record.CheckLines("next_step", req.NextStep, 0, 200); err != nil {
		return nil, none, receiptFields{}, req, err
	}
	rec, _, err := s.box.Get(req.RecordID)
	if err != nil {
		return nil, none, receiptFields{}, req, fmt.Errorf("appliance: receipt for %s: %w", req.RecordID, err)
	}
	f, err := s.receiptFields(rec)
	if err != nil {
		return nil, none, receiptFields{}, req, err
	}
	job, err := printer.Encode(s.receiptDoc(rec, f, req), s.prn.profile)
	if err != nil {
		return nil, none, receiptFields{}, req, err
	}
	return job, rec, f, req, nil
}

func categoryCode(rec wire.Record) string {
	var p struct{ Purpose, Category string }
	json.Unmarshal(rec.Payload, &p)
	if p.Category != "" {
		return p.Category
	}
	return p.Purpose
}
