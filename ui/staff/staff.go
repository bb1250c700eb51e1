package staff

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/pinyin"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// maxRecords bounds the day's list; a busy station makes a few hundred.
const maxRecords = 500

// Options are what the staff screen may be given besides the station.
// The zero value is usable.
type Options struct {
	// Every is how often the screen reads the station again when it has
	// announced nothing (a new day, a record kept aside): the station
	// tells of records stored, delivered or refused, of print jobs and of
	// staff logging in or out (SessionChanged), so this is a backstop,
	// not a poll. Default 1 min.
	Every time.Duration
	// LastJob returns the ESC/POS job the printer was sent last, or nil.
	// It is the preview after printing when the station cannot render a
	// receipt before (ReceiptPreviewer); the simulation passes its
	// emulated printer's.
	LastJob func() []byte
	// Pinyin converts the volunteer's name as it is typed; nil builds an
	// engine (a few milliseconds). One engine may serve every screen.
	Pinyin *pinyin.Engine
}

// Screen is staff mode for the staff member logged in. It serves one staff
// session: once the station says nobody is logged in (they logged out, or
// the station logged them out when idle), it calls back and is done.
type Screen struct {
	st      Station
	lang    string
	now     func() time.Time
	back    func()
	opt     Options
	preview ReceiptPreviewer // nil when the station cannot render receipts

	jobs sync.WaitGroup // work off Fyne's goroutine, waited for by tests
	// ui is held while a background result is applied. Fyne's own driver
	// runs every fyne.Do on its one goroutine and never contends for it;
	// its test driver runs fyne.Do on the caller's goroutine, where two
	// jobs ending together would touch the widgets at once.
	ui    sync.Mutex
	ended bool
	staff station.StaffSession

	who       *canvas.Text
	logoutBtn *touch.Button
	tabs      [4]*touch.Button
	banner    *fyne.Container
	help      *widget.Label
	body      *fyne.Container
	main      fyne.CanvasObject
	root      *fyne.Container
	view      fyne.CanvasObject // root in the staff colours

	rec *recordsTab
	rej *rejectedTab
	vol *volunteerTab
	job *jobsTab
	vb  *voiceBar
}

// snapshot is what the screen shows, read from the station in one go.
type snapshot struct {
	staff    *station.StaffSession
	panel    station.PanelState
	records  []station.Row
	rejected []station.Row
	checkIns []station.CheckIn
	jobs     []station.PrintJob
	voice    station.Voice
	err      error
}

// alert is the help banner's ground.
const alert = touch.Colour(0xfdecea)

// New builds staff mode; Run or Refresh fills it. lang is "zh-CN" or
// "en"; now is the clock of the day's list and the volunteers' minutes;
// back is called on Fyne's goroutine when staff mode ends. If st also
// implements ReceiptPreviewer, a receipt is previewed before it is
// printed.
func New(st Station, lang string, now func() time.Time, back func(), opt Options) *Screen {
	if now == nil {
		now = time.Now
	}
	if opt.Every <= 0 {
		opt.Every = time.Minute
	}
	if opt.Pinyin == nil {
		opt.Pinyin = pinyin.New()
	}
	s := &Screen{st: st, lang: lang, now: now, back: back, opt: opt}
	s.preview, _ = st.(ReceiptPreviewer)
	s.rec = newRecordsTab(s)
	s.rej = newRejectedTab(s)
	s.vol = newVolunteerTab(s)
	s.job = newJobsTab(s)
	s.vb = newVoiceBar(s)
	s.build()
	return s
}

func (s *Screen) tr(zh, en string) string { return ui.Tr(s.lang, zh, en) }

func (s *Screen) build() {
	s.who = touch.NewText("", 22, touch.Ink, true)
	s.logoutBtn = touch.NewButton(s.tr("退出登录", "Log out"), widget.DangerImportance, s.logout)
	for i, name := range [][2]string{{"今日记录", "Today"}, {"被退回", "Returned"}, {"志愿服务", "Volunteers"}, {"待打印", "To print"}} {
		s.tabs[i] = touch.NewButton(s.tr(name[0], name[1]), widget.MediumImportance, s.act(func() { s.showTab(i) }))
	}
	top := container.NewBorder(nil, nil, container.NewCenter(s.who), container.NewHBox(s.vb.open, s.logoutBtn),
		container.NewGridWithColumns(4, s.tabs[0], s.tabs[1], s.tabs[2], s.tabs[3]))

	s.help = touch.NewLabel("", false)
	s.help.TextStyle.Bold = true
	clear := touch.NewButton(s.tr("已处理", "Done"), widget.HighImportance, s.act(s.clearHelp))
	s.banner = container.NewStack(canvas.NewRectangle(alert), container.NewBorder(nil, nil, nil, clear,
		container.NewVBox(layout.NewSpacer(), s.help, layout.NewSpacer())))
	s.banner.Hide()

	s.body = container.NewStack(s.rec.content, s.rej.content, s.vol.content, s.job.content)
	s.main = container.NewBorder(container.NewVBox(top, s.banner), nil, nil, nil, s.body)
	s.root = container.NewStack(s.main)
	s.view = ui.StaffColours(s.root)
	s.showTab(0)
}

// Content is the screen's root object.
func (s *Screen) Content() fyne.CanvasObject { return s.view }

// Run reads the station whenever it says something changed, and every
// Options.Every in case it said nothing, until ctx ends.
func (s *Screen) Run(ctx context.Context) {
	t := time.NewTicker(s.opt.Every)
	defer t.Stop()
	for {
		changed := s.st.SessionChanged()
		sn := s.load()
		fyne.Do(func() { s.apply(func() { s.show(sn) }) })
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-t.C:
		}
	}
}

// Refresh reads the station and shows what it says. Call it on Fyne's
// goroutine.
func (s *Screen) Refresh() { s.show(s.load()) }

// act wraps what a tap does: every tap tells the station staff are still
// at the kiosk, which postpones the idle log-out.
func (s *Screen) act(f func()) func() {
	return func() {
		s.st.TouchStaff()
		f()
	}
}

// background runs work off Fyne's goroutine (it may wait on the disk or the
// printer) and applies what it returns on Fyne's goroutine.
func (s *Screen) background(work func() func()) {
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		apply := work()
		fyne.Do(func() { s.apply(apply) })
	}()
}

// apply runs f, a result for the widgets, one at a time (see ui).
func (s *Screen) apply(f func()) {
	s.ui.Lock()
	defer s.ui.Unlock()
	f()
}

// reload reads the station again once a tap changed it.
func (s *Screen) reload() {
	s.background(func() func() {
		sn := s.load()
		return func() { s.show(sn) }
	})
}

func (s *Screen) load() snapshot {
	sn := snapshot{staff: s.st.Staff(), panel: s.st.Panel()}
	n := s.now()
	y, m, d := n.Date()
	sn.records, sn.err = s.st.Records(time.Date(y, m, d, 0, 0, 0, 0, n.Location()), maxRecords)
	if sn.err == nil {
		sn.rejected, sn.err = s.st.Rejected()
	}
	if sn.err == nil {
		sn.checkIns, sn.err = s.st.CheckIns()
	}
	sn.jobs = s.st.PrintJobs()
	sn.voice = s.st.Voice()
	return sn
}

func (s *Screen) show(sn snapshot) {
	if sn.staff == nil {
		s.end()
		return
	}
	s.staff = *sn.staff
	s.who.Text = sn.staff.Name
	s.who.Refresh()
	if h := sn.panel.HelpSince; h != nil {
		s.help.SetText(fmt.Sprintf("%s（%s）", s.tr("有居民呼叫工作人员", "A resident asked for help"), h.In(s.now().Location()).Format("15:04")))
	}
	s.showBanner(sn.panel.HelpSince != nil)
	s.rec.show(sn.records, sn.err)
	s.rej.show(sn.rejected)
	label := s.tr("被退回", "Returned")
	if n := len(sn.rejected); n > 0 {
		label = fmt.Sprintf("%s (%d)", label, n)
	}
	s.tabs[1].SetText(label)
	s.vol.show(sn.checkIns)
	s.job.show(sn.jobs)
	if !s.vb.busy {
		s.vb.show(sn.voice)
	}
	label = s.tr("待打印", "To print")
	if n := len(sn.jobs); n > 0 {
		label = fmt.Sprintf("%s (%d)", label, n)
	}
	s.tabs[3].SetText(label)
}

func (s *Screen) showTab(i int) {
	for j, o := range s.body.Objects {
		if j == i {
			o.Show()
			s.tabs[j].Importance = widget.HighImportance
		} else {
			o.Hide()
			s.tabs[j].Importance = widget.MediumImportance
		}
		s.tabs[j].Refresh()
	}
}

// overlay puts o in place of the whole screen (a form with a keyboard
// needs the height); nil puts the screen back.
func (s *Screen) overlay(o fyne.CanvasObject) {
	if o == nil {
		o = s.main
	}
	s.root.Objects = []fyne.CanvasObject{o}
	s.root.Refresh()
}

// showBanner shows or hides the help banner, and gives its room to the
// body or takes it.
func (s *Screen) showBanner(on bool) {
	if on == s.banner.Visible() {
		return
	}
	if on {
		s.banner.Show()
	} else {
		s.banner.Hide()
	}
	s.main.Refresh()
}

func (s *Screen) clearHelp() {
	s.st.ClearHelp()
	s.showBanner(false)
	s.reload()
}

func (s *Screen) logout() {
	s.st.StaffLogout()
	s.end()
}

// end leaves staff mode, once.
func (s *Screen) end() {
	if s.ended {
		return
	}
	s.ended = true
	s.overlay(nil)
	call(s.back)
}
