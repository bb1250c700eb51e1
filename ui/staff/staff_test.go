package staff

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer"
	"github.com/gridkiosk/gridkiosk/drivers/printer/escposview"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sim/simui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// staffScreen logs the demo staff member in and opens staff mode in a
// 1280×800 window; ended counts the calls of back.
func staffScreen(t *testing.T, r *simui.Station, lang string, now func() time.Time, opt Options) (s *Screen, ended *int) {
	t.Helper()
	login(t, r)
	ended = new(int)
	if opt.LastJob == nil {
		opt.LastJob = func() []byte { return lastJob(r.Printer) }
	}
	s = New(r.Station, lang, now, func() { *ended++ }, opt)
	simui.Show(t, s.Content(), fyne.NewSize(1280, 800))
	s.Refresh()
	return s, ended
}

// refreshUntil reads the station again until cond holds.
func (s *Screen) refreshUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	simui.WaitFor(t, what, func() bool { s.Refresh(); return cond() })
}

// A record shows waiting, then delivered; its receipt prints with a
// preview, and again as a reprint.
func TestRecordsAndReceipts(t *testing.T) {
	r := newRig(t, nil)
	r.Hub.Set(simui.HubDown)
	rc := submit(t, r, station.KindRegistration, registration())
	s, _ := staffScreen(t, r, "zh-CN", nil, Options{})
	simui.WantOnScreen(t, s.Content(), "李建国", rc.Ticket, "登记", "待发送")

	r.Hub.Set(simui.HubAccept)
	s.refreshUntil(t, "delivery", func() bool { return strings.Contains(simui.Texts(s.Content()), "已送达") })

	s.rec.list.Select(0)
	s.jobs.Wait()
	// The real station renders the receipt before it is printed.
	if s.rec.img.Image == nil || len(r.Printer.Jobs()) != 0 {
		t.Fatalf("no preview before printing, or the preview printed (%d jobs)", len(r.Printer.Jobs()))
	}
	for i, label := range []string{"打印回执", "重新打印"} {
		if s.rec.print.Text != label || s.rec.print.Disabled() {
			t.Fatalf("print %d: key %q (disabled %v), want %q", i, s.rec.print.Text, s.rec.print.Disabled(), label)
		}
		test.Tap(s.rec.print)
		s.jobs.Wait()
		if n := len(r.Printer.Jobs()); n != i+1 {
			t.Fatalf("print %d: the printer has %d jobs", i, n)
		}
		simui.WantOnScreen(t, s.Content(), "回执已打印（"+rc.Ticket+"）")
		if s.rec.img.Image == nil {
			t.Fatalf("print %d: no preview", i)
		}
	}
	paper, _ := escposview.Parse(lastJob(r.Printer), escposview.Options{})
	if !strings.Contains(paper.Text, "李建国") || !strings.Contains(paper.Text, rc.Ticket) {
		t.Errorf("the receipt is not signed by the staff member or lacks the ticket:\n%s", paper.Text)
	}
	// The two receipts are records of the day too.
	simui.WantOnScreen(t, s.Content(), "C0002", "C0003")
}

// A receipt that cannot print says why, in the staff's language.
func TestPrintRefused(t *testing.T) {
	r := newRig(t, nil)
	submit(t, r, station.KindMatter, matter())
	s, _ := staffScreen(t, r, "en", nil, Options{})
	r.Printer.Set(printersim.State{PaperOut: true})
	s.rec.list.Select(0)
	s.jobs.Wait() // the preview the selection started, before the tap
	test.Tap(s.rec.print)
	s.jobs.Wait()
	simui.WantOnScreen(t, s.Content(), "Not printed: out of paper: load a new roll")
}

// With a station that renders receipts, the preview shows before printing.
func TestPreviewBeforePrinting(t *testing.T) {
	r := newRig(t, nil)
	submit(t, r, station.KindMatter, matter())
	d := (&printer.Doc{}).Text("预览 PREVIEW", printer.Style{}).Cut(false)
	job, err := printer.Encode(d, printer.Profile58())
	if err != nil {
		t.Fatal(err)
	}
	st := previewing{Station: r.Station, job: job, asked: new(station.ReceiptRequest)}
	login(t, r)
	s := New(st, "zh-CN", nil, nil, Options{})
	simui.Show(t, s.Content(), fyne.NewSize(800, 480))
	s.Refresh()
	s.rec.list.Select(0)
	s.jobs.Wait()
	if s.rec.img.Image == nil || st.asked.Staff != "李建国" {
		t.Fatalf("no preview before printing (asked %+v)", st.asked)
	}
	if len(r.Printer.Jobs()) != 0 {
		t.Fatal("previewing printed")
	}
}

type previewing struct {
	Station
	job   []byte
	asked *station.ReceiptRequest
}

func (p previewing) ReceiptJob(req station.ReceiptRequest) ([]byte, error) {
	*p.asked = req
	return p.job, nil
}

// A record the hub refused is listed with the hub's reason, and goes back
// to the queue, then to the hub, when sent again.
func TestReturnedRecords(t *testing.T) {
	r := newRig(t, nil)
	r.Hub.Set(simui.HubReject)
	rc := submit(t, r, station.KindMatter, matter())
	simui.WaitFor(t, "the record returned", func() bool { rej, _ := r.Station.Rejected(); return len(rej) == 1 })
	s, _ := staffScreen(t, r, "zh-CN", nil, Options{})
	test.Tap(s.tabs[1])
	simui.WantOnScreen(t, s.Content(), "被退回 (1)", rc.Ticket, "unknown category code")

	r.Hub.Set(simui.HubAccept)
	s.rej.list.Select(0)
	test.Tap(s.rej.resend)
	s.jobs.Wait()
	simui.WantOnScreen(t, s.Content(), "已重新排队 1 条")
	if e, err := r.Station.Lookup(rc.ID); err != nil || e.State == station.Rejected {
		t.Fatalf("after sending again: %+v %v", e, err)
	}
	simui.WaitFor(t, "delivery", func() bool { e, _ := r.Station.Lookup(rc.ID); return e.State == station.Delivered })
	s.Refresh()
	simui.WantOnScreen(t, s.Content(), "没有被退回的记录")
}

// A volunteer checked in for 45 minutes is recorded as such.
func TestVolunteerService(t *testing.T) {
	clk := &clock{}
	r := newRig(t, clk.Now)
	s, _ := staffScreen(t, r, "zh-CN", clk.Now, Options{})
	test.Tap(s.tabs[2])
	test.Tap(s.vol.checkIn)
	f := s.vol.form
	for _, c := range []string{"李", "建", "国"} {
		f.kb.OnCommit(c)
	}
	f.kb.OnDone()
	test.Tap(f.partyBtn)
	test.Tap(f.presets[0])
	test.Tap(f.ok)
	s.jobs.Wait()
	simui.WantOnScreen(t, s.Content(), "已签到：李建国", "党员", "政策宣传")

	// The minutes are counted on the station's clock.
	for range 5 { // staff log out after 15 idle minutes
		clk.advance(9 * time.Minute)
		r.Station.TouchStaff()
	}
	s.Refresh()
	s.jobs.Wait()
	simui.WantOnScreen(t, s.Content(), "45 分钟")
	test.Tap(s.vol.checkOut)
	s.jobs.Wait()
	simui.WantOnScreen(t, s.Content(), "已记录 V0001", "现在没有志愿者签到")

	simui.WaitFor(t, "the record at the hub", func() bool { return len(r.Hub.Taken()) == 1 })
	var got map[string]any
	json.Unmarshal(r.Hub.Taken()[0].Payload, &got)
	want := map[string]any{"volunteer": map[string]any{"name": "李建国", "party_member": true},
		"service": "政策宣传", "minutes": 45.0, "date": time.Now().Format(time.DateOnly)}
	if g, w := mustJSON(got), mustJSON(want); g != w {
		t.Errorf("volunteer record\n got %s\nwant %s", g, w)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A resident's call for help shows on the staff screen until cleared.
func TestHelpBanner(t *testing.T) {
	r := newRig(t, nil)
	s, _ := staffScreen(t, r, "en", nil, Options{})
	if s.banner.Visible() {
		t.Fatal("a help banner before anyone asked")
	}
	r.Panel.Press("help", 150*time.Millisecond)
	s.refreshUntil(t, "the help banner", s.banner.Visible)
	simui.WantOnScreen(t, s.Content(), "A resident asked for help")
	test.Tap(s.banner.Objects[1].(*fyne.Container).Objects[1].(*touch.Button))
	s.jobs.Wait()
	if r.Station.Panel().HelpSince != nil || s.banner.Visible() {
		t.Fatal("help not cleared")
	}
}

// Taps keep the staff member logged in; idle, the station logs them out
// and the screen leaves. Logging out leaves at once.
func TestStaffSessionEnds(t *testing.T) {
	clk := &clock{}
	r := newRig(t, clk.Now)
	s, ended := staffScreen(t, r, "zh-CN", clk.Now, Options{})
	clk.advance(10 * time.Minute)
	test.Tap(s.tabs[2])
	clk.advance(10 * time.Minute)
	s.Refresh()
	if r.Station.Staff() == nil || *ended != 0 {
		t.Fatal("logged out 10 minutes after a tap")
	}
	clk.advance(6 * time.Minute)
	s.Refresh()
	if *ended != 1 {
		t.Fatalf("still in staff mode after 16 idle minutes (back called %d times)", *ended)
	}

	s, ended = staffScreen(t, r, "zh-CN", clk.Now, Options{})
	test.Tap(s.logoutBtn)
	if r.Station.Staff() != nil || *ended != 1 {
		t.Fatalf("log out: staff %+v, back called %d times", r.Station.Staff(), *ended)
	}
}
