package appliance

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
	"github.com/gridkiosk/gridkiosk/drivers/qrscan"
	"github.com/gridkiosk/gridkiosk/drivers/serialport"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// hubStatusTimeout bounds a status look-up at the hub while the resident
// waits at the screen; offline, the local state is shown instead.
const hubStatusTimeout = 3 * time.Second

// runScanner reads codes from the scanner and interprets each.
func (s *Station) runScanner(ctx context.Context, d config.Scanner) {
	// The config was validated: an unknown suffix is not possible here,
	// and learning it is the safe reading of one anyway.
	ending, _ := qrscan.ParseEnding(d.Suffix)
	sc := qrscan.NewScanner(func() (qrscan.Port, error) { return serialport.Open(d.Port, d.Baud) },
		qrscan.Options{Log: s.log.With("device", "scanner"), Trigger: d.Trigger, Ending: ending})
	s.dev.mu.Lock()
	s.dev.scanDrv = sc
	s.dev.mu.Unlock()
	follow(ctx, s, sc.Run, func(ev qrscan.Event) { s.scanEvent(ctx, ev) })
}

// TriggerScan has a command-triggered scanner read for a few seconds: the
// resident pressed "scan" or stepped up to the kiosk.
func (s *Station) TriggerScan() error {
	s.dev.mu.Lock()
	sc := s.dev.scanDrv
	s.dev.mu.Unlock()
	if sc == nil || s.cfg.Devices.Scanner.Trigger == "" {
		return station.ErrNoTrigger
	}
	return sc.Trigger()
}

func (s *Station) scanEvent(ctx context.Context, ev qrscan.Event) {
	switch ev.Kind {
	case qrscan.ScannerBack:
		s.setScanner("ready", "")
	case qrscan.ScannerLost:
		note := "scanner does not answer"
		if ev.Err != nil {
			note = ev.Err.Error()
		}
		s.setScanner("lost", note)
	case qrscan.ReadTimeout:
		s.log.Debug("appliance: triggered read ended without a code")
	case qrscan.CodeRead:
		r := s.interpret(ctx, ev.Code)
		if r.Kind == "refused" || r.Kind == "unknown" {
			s.pnl.beep(panel.BeepError)
		} else {
			s.pnl.beep(panel.BeepOK)
		}
		s.dev.mu.Lock()
		s.dev.lastScan = &r
		s.dev.mu.Unlock()
		s.log.Info("appliance: code scanned", "kind", r.Kind, "symbology", ev.Code.Symbology, "record", r.RecordID)
	}
}

// interpret says what a code means to this station.
func (s *Station) interpret(ctx context.Context, c qrscan.Code) station.ScanResult {
	r := station.ScanResult{At: s.Now(), Symbology: c.Symbology}
	if text := strings.TrimSpace(c.Data); signedcode.Looks(text) {
		return s.signedCode(text, r)
	}
	// A receipt's code is a link to the hub's status page or, on older
	// receipts, GK1:R:; both name the record. A link is ours only when it
	// points at this station's hub (receiptcode.Parse).
	rc, err := receiptcode.Parse(c.Data, s.RefData().LinkBase())
	switch {
	case errors.Is(err, receiptcode.ErrOtherHub):
		r.Kind, r.Message = "unknown", "这是其他平台的回执二维码，本站无法查询，请用手机扫码 / a receipt of another hub: this station cannot look it up; open it on a phone"
		return r
	case err != nil || !validRecordID(strings.ToLower(rc.ID)):
		r.Kind, r.Message = "unknown", "不是本站能识别的二维码 / not a code this station knows"
		return r
	}
	id := strings.ToLower(rc.ID)
	r.Kind, r.RecordID = "receipt", id
	// One look-up, here and at the hub, for the scan's message and the
	// look-up screen both.
	if p, local, hub, err := s.progress(ctx, id); err == nil {
		r.State, r.Progress = local, &p
		if hub != nil {
			r.Remote, r.HubState, r.HubNote = true, hub.State, hub.Note
		}
	}
	switch {
	case r.Remote:
		r.Message = "上级平台已受理，状态：" + r.HubState + " / the county hub has it: " + r.HubState
	case r.State != "":
		r.Message = "本站记录状态：" + r.State + "（暂时无法连接上级平台） / at this station: " + r.State + " (hub not reachable)"
	default:
		r.Message = "本站没有这条记录，联网后可查询 / not at this station; ask again when online"
	}
	return r
}

// signedCode checks an appointment or staff code against the hub's keys
// from the reference data and acts on it.
func (s *Station) signedCode(text string, r station.ScanResult) station.ScanResult {
	rd := s.RefData()
	v := signedcode.Verifier{Station: s.cfg.Station.ID, Revoked: rd.revoked, Used: s.appointmentUsed}
	if rd != nil {
		v.Keys = rd.CodeKeys
	}
	c, err := v.Check(text, s.Now())
	if err != nil {
		ref := &signedcode.Refusal{Reason: signedcode.Malformed, Detail: err.Error()}
		errors.As(err, &ref)
		r.Kind, r.Reason, r.Message = "refused", string(ref.Reason), ref.Message()
		s.log.Warn("appliance: signed code refused", "reason", ref.Reason, "detail", ref.Detail, "clock_trusted", s.clock.state().Trusted)
		return r
	}
	switch c.Kind {
	case signedcode.KindAppointment:
		// The resident may have laid their card first: it confirms the
		// appointment at once (session.appointment).
		s.sess.appointment(c.Appointment, s.local())
		r.Kind = "appointment"
		r.Message = "预约码有效，请核对您的信息 / appointment accepted: please check your details"
		s.log.Info("appliance: appointment code accepted", "code", c.Appointment.ID, "date", c.Appointment.Date)
	case signedcode.KindStaff:
		s.staffLogin(c.Staff)
		r.Kind = "staff"
		r.Message = "工作人员已登录：" + c.Staff.Name + " / staff logged in: " + c.Staff.Name
	}
	return r
}

// appointmentUsed asks the outbox whether an appointment made its
// registration. A read error counts as unused: storing the registration
// checks again, in the transaction that would spend it.
func (s *Station) appointmentUsed(id string) bool {
	used, err := s.box.Used(id)
	if err != nil {
		s.log.Error("appliance: look up appointment", "err", err)
	}
	return used
}

// LastScan returns what the last scanned code meant, or nil.
func (s *Station) LastScan() *station.ScanResult {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	if s.dev.lastScan == nil {
		return nil
	}
	r := *s.dev.lastScan
	return &r
}

func (s *Station) setScanner(state, note string) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	s.dev.scanner = readerState{state: state, note: note}
}

func validRecordID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, c := range id {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
