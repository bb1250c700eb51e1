package staff

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/printer/printersim"
	"github.com/gridkiosk/gridkiosk/sim/simui"
)

// Paper runs out half way through a receipt printed from the records:
// staff are told, the job is on the To print list, and once paper is
// loaded the printer finishes it and the list empties.
func TestPaperOutMidReceipt(t *testing.T) {
	r := newRig(t, nil)
	submit(t, r, station.KindMatter, matter())
	s, _ := staffScreen(t, r, "zh-CN", nil, Options{})
	r.Printer.SetSpeed(1000)
	r.Printer.RunOutAfter(200)
	s.rec.list.Select(0)
	s.jobs.Wait()
	test.Tap(s.rec.print)
	s.jobs.Wait()
	simui.WantOnScreen(t, s.Content(), "打印机中途停了", "打印纸用完，请装纸")
	if len(r.Printer.Jobs()) != 0 {
		t.Fatal("a receipt printed whole without paper")
	}
	s.Refresh()
	test.Tap(s.tabs[3])
	if s.tabs[3].Text != "待打印 (1)" || len(s.job.items) != 1 {
		t.Fatalf("To print tab %q with %d jobs", s.tabs[3].Text, len(s.job.items))
	}
	s.job.list.Select(0)
	if !s.job.printNow.Disabled() || s.job.cancel.Disabled() {
		t.Fatal("a job the printer goes on with by itself may be printed again, or not cancelled")
	}
	simui.WantOnScreen(t, s.Content(), "等打印机")

	r.Printer.Set(printersim.State{}) // paper loaded
	s.refreshUntil(t, "the job done", func() bool { return len(s.job.items) == 0 })
	if len(r.Printer.Jobs()) != 1 || s.tabs[3].Text != "待打印" {
		t.Fatalf("%d jobs printed; tab %q", len(r.Printer.Jobs()), s.tabs[3].Text)
	}
}

// recordingFixture notes what staff decided.
type recordingFixture struct {
	*fixture
	printed, cancelled []string
}

func (f *recordingFixture) PrintJobNow(id string) error {
	f.printed = append(f.printed, id)
	return nil
}

func (f *recordingFixture) CancelPrintJob(id string) error {
	f.cancelled = append(f.cancelled, id)
	return nil
}

// A held job prints only when staff tap Print now, or goes when they
// cancel it.
func TestHeldJobDecisions(t *testing.T) {
	f := &recordingFixture{fixture: newFixture()}
	s := New(f, "en", fixedNow, nil, Options{})
	s.Refresh()
	test.Tap(s.tabs[3])
	if s.tabs[3].Text != "To print (2)" {
		t.Fatalf("tab %q", s.tabs[3].Text)
	}
	s.job.list.Select(1) // the held one
	if s.job.printNow.Disabled() || s.job.cancel.Disabled() {
		t.Fatal("a held job cannot be decided on")
	}
	test.Tap(s.job.printNow)
	s.jobs.Wait()
	s.job.list.Select(1)
	test.Tap(s.job.cancel)
	s.jobs.Wait()
	held := f.PrintJobs()[1].ID
	if len(f.printed) != 1 || f.printed[0] != held || len(f.cancelled) != 1 || f.cancelled[0] != held {
		t.Fatalf("printed %v, cancelled %v", f.printed, f.cancelled)
	}
	if len(f.PrintJobs()) == 0 || f.PrintJobs()[1].State != station.JobHeld {
		t.Fatal("fixture changed")
	}
}
