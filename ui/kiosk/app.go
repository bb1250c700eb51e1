package kiosk

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/pinyin"
)

// defaultIdle is the idle timeout when neither the options nor the
// config set one.
const defaultIdle = 90 * time.Second

// Screens builds the screens of the other modes. Each gets a context that
// ends when the kiosk leaves the mode, the language the resident screens
// were showing, and back, which returns to the resident flow; call back
// on Fyne's goroutine. A nil hook leaves its mode out.
type Screens struct {
	// Staff is shown while a staff member is logged in (Station.Staff).
	// The kiosk also leaves it by itself once nobody is.
	Staff func(ctx context.Context, lang string, back func()) fyne.CanvasObject
	// StaffLogin, if set, puts a 工作人员 (staff) button on the attract
	// screen for staff without their code at hand; the kiosk moves on to
	// Staff once the station has logged them in.
	StaffLogin func(ctx context.Context, lang string, back func()) fyne.CanvasObject
	// Tech is shown when the technician button is held (Panel().TechAt
	// changes) or the station's name on the attract screen is held for
	// HoldForTech, to a staff member with the technician role
	// (StaffSession.Technician): logs and configuration are not for
	// whoever stands at the kiosk. With nobody logged in, the log-in
	// screen (StaffLogin) comes first, and Tech once a technician has
	// logged in with their PIN or code; without StaffLogin, only a
	// technician already logged in gets it.
	Tech func(ctx context.Context, lang string, back func()) fyne.CanvasObject
}

// HoldForTech is how long the station's name must be held to open the
// technician's screen: long enough that nobody does it by chance.
const HoldForTech = 3 * time.Second

// Options are what an App may be given besides the station and window.
// The zero value is usable.
type Options struct {
	// Lang is the language shown first: "zh-CN" or "en". Default: the
	// config's ui.language. Residents can switch.
	Lang string
	// Now is the screens' clock for intervals (idle, notices); default
	// time.Now.
	Now func() time.Time
	// Wall is the time of day shown; default the station's clock, which
	// the hub corrects on a board whose own clock is off (Now does not
	// jump when the station learns its offset, so intervals stay on it).
	Wall func() time.Time
	// Ticks drives the clock on screen, the idle countdown and the return
	// from the done screen; default a timer set for the next thing due
	// (see wake.go): the next minute while the start screen waits, every
	// second while a countdown runs. Tests pass a channel they never send
	// on and call Tick themselves.
	Ticks <-chan time.Time
	// IdleTimeout is how long an untouched registration stays on screen;
	// default the config's ui.idle_timeout, else 90s.
	IdleTimeout time.Duration
	// Do runs a function on Fyne's goroutine; default fyne.Do. Tests
	// queue the functions and run them on the test's goroutine.
	Do func(func())
	// Screens are the other modes' screens.
	Screens Screens
	// Pinyin converts names as they are typed; nil builds an engine.
	Pinyin *pinyin.Engine
	// Speaker says each resident screen's instruction, the idle
	// countdown, errors and the ticket aloud; nil keeps the kiosk silent.
	Speaker Speaker
	// Handwriting, if set, offers 手写 beside pinyin for a name typed in
	// (a *handwriting.Lazy on the installed model); nil offers pinyin
	// only.
	Handwriting Handwriting
	// Log is for the screens' own faults (a prompt the catalogue lacks);
	// nil discards them.
	Log *slog.Logger
}

// mode is who the screen is for.
type mode int

const (
	resident mode = iota
	staffMode
	staffLogin
	techMode
)

// App is the kiosk's window content: the resident flow by default, staff
// or technician mode when the station says so.
type App struct {
	st     Station
	win    fyne.Window
	opt    Options
	idle   time.Duration
	pinyin *pinyin.Engine
	jobs   sync.WaitGroup // work off Fyne's goroutine

	// The rest belongs to Fyne's goroutine.
	ctx      context.Context // Run's, parent of the other modes'
	lang     string
	sz       sizes           // of the screen shown, from the theme when it was built
	compact  bool            // the screen shown is in its compact form (cramped)
	tiles    tilePage        // the page of matters shown (compact.go)
	built    fyne.Size       // the window's size when the screen shown was built
	root     *fyne.Container // the screen, and the idle question over it
	mode     mode
	gen      int // counts mode changes: a back of a mode already left is ignored
	leave    context.CancelFunc
	health   station.Health
	f        flow
	ended    sessionKey // the session the screens last ended
	screen   string     // of the resident flow
	notice   notice
	lastScan time.Time
	lastTech time.Time
	wantTech bool      // the log-in screen is up for the technician's screen
	help     bool      // the help banner is up
	helpSeen bool      // the station's help request, as Sync last saw it
	touched  time.Time // last tap
	pressed  time.Time // when the station's name was pressed; zero when it is not
	doneAt   time.Time
	busy     bool // a registration is being stored
	// helpFolded says the resident gave the help banner's room on the
	// compact start screen to the tiles (moreTile), for this call.
	helpFolded bool
	// handWaiting says a job waits for the handwriting model to be read.
	handWaiting bool
	live        live
	voice       spoken // what was last announced
	wake        wake   // when Run next calls Tick
}

// New builds the kiosk in win and puts the attract screen up. Call it on
// Fyne's goroutine (before the window is shown will do), then Run.
func New(st Station, win fyne.Window, opt Options) *App {
	cfg := st.Config()
	if opt.Lang == "" {
		opt.Lang = cfg.UI.Language
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Wall == nil {
		opt.Wall = st.Now
	}
	if opt.Do == nil {
		opt.Do = fyne.Do
	}
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = cfg.UI.IdleTimeout.Duration
	}
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = defaultIdle
	}
	if opt.Pinyin == nil {
		opt.Pinyin = pinyin.New()
	}
	a := &App{st: st, win: win, opt: opt, idle: opt.IdleTimeout, pinyin: opt.Pinyin,
		ctx: context.Background(), lang: opt.Lang}
	a.root = container.New(rooted{a})
	if opt.Ticks == nil {
		a.wake.timer = time.NewTimer(time.Minute)
	}
	if r := st.LastScan(); r != nil {
		a.lastScan = r.At // seen before this screen was: not news
	}
	if t := st.Panel().TechAt; t != nil {
		a.lastTech = *t
	}
	a.health = st.Health()
	a.touched = a.now()
	a.resetLarge()
	win.SetPadded(false)
	win.SetContent(a.root)
	a.show(scrAttract)
	a.Sync()
	return a
}

func (a *App) now() time.Time { return a.opt.Now() }

// wallNow is the time of day on screen.
func (a *App) wallNow() time.Time { return a.opt.Wall() }

func (a *App) tr(zh, en string) string { return ui.Tr(a.lang, zh, en) }

// Run follows the station until ctx ends: every change it announces and
// every tick is handed to Fyne's goroutine. The station pushes its
// changes (SessionChanged), so nothing here polls it: an idle start
// screen wakes once a minute, for its clock. The other modes' screens get
// contexts derived from ctx.
func (a *App) Run(ctx context.Context) {
	ticks := a.opt.Ticks
	if t := a.wake.timer; t != nil {
		defer t.Stop()
		ticks = t.C
	}
	a.opt.Do(func() { a.ctx = ctx })
	for {
		changed := a.st.SessionChanged()
		a.opt.Do(a.Sync)
		select {
		case <-ctx.Done():
			return
		case <-changed:
			// The change may be the hub coming or going, which the start
			// screen shows.
			h := a.st.Health()
			a.opt.Do(func() { a.setHealth(h) })
		case <-ticks:
			h := a.st.Health()
			a.opt.Do(func() {
				a.setHealth(h)
				a.Tick()
			})
		}
	}
}

// setHealth takes the station's health. Screens are drawn once, so the
// start screen is drawn again when the hub comes or goes, and the done
// screen when the printer stops during the resident's receipt. Call it on
// Fyne's goroutine.
func (a *App) setHealth(h station.Health) {
	online, _ := a.onlineWord()
	receipt := a.receiptWord()
	a.health = h
	if a.mode != resident {
		return
	}
	nowOnline, _ := a.onlineWord()
	if a.screen == scrAttract && nowOnline != online || a.screen == scrDone && a.receiptWord() != receipt {
		a.show(a.screen)
	}
}

// background runs work off Fyne's goroutine (it may wait on the disk) and
// what it returns on Fyne's goroutine.
func (a *App) background(work func() func()) {
	a.jobs.Add(1)
	go func() {
		defer a.jobs.Done()
		apply := work()
		a.opt.Do(apply)
	}()
}

// Sync reads the station and follows it: into staff or technician mode,
// to the confirm screen when a registration begins, back to the attract
// screen when the station ended it. Call it on Fyne's goroutine.
func (a *App) Sync() {
	staff := a.st.Staff()
	switch {
	case staff != nil && a.mode == staffLogin && a.wantTech && staff.Technician:
		a.enter(techMode)
	case a.mode == techMode && (staff == nil || !staff.Technician):
		// Logged out, or timed out: the technician's screen must not
		// stay up for whoever comes next.
		a.enter(resident)
	case staff != nil && a.opt.Screens.Staff != nil && (a.mode == resident || a.mode == staffLogin):
		a.enter(staffMode)
	case staff == nil && a.mode == staffMode:
		// The staff screen ends itself too; this is in case it does not,
		// since it must never stay up for the next resident.
		a.enter(resident)
	}
	pnl := a.st.Panel()
	if t := pnl.TechAt; t != nil && !t.Equal(a.lastTech) {
		a.lastTech = *t
		a.openTech()
	}
	if a.mode != resident {
		return
	}
	// Followed when it changes, so that Show's sample screens keep theirs.
	if help := pnl.HelpSince != nil; help != a.helpSeen {
		a.helpSeen, a.help, a.helpFolded = help, help, false
		a.show(a.screen)
	}
	a.followScan(a.st.LastScan())
	a.followSession(a.st.Session())
}

// Tick moves the screens on by the clock: the time shown, the idle
// question and wipe, the return from the done screen, notices that have
// been up long enough and a held station name. Run calls it every second;
// tests call it after moving their clock. Call it on Fyne's goroutine.
func (a *App) Tick() {
	now := a.now()
	a.Sync()
	if !a.pressed.IsZero() && now.Sub(a.pressed) >= HoldForTech {
		a.pressed = time.Time{}
		a.openTech()
	}
	switch a.mode {
	case resident:
		a.tickResident(now)
	case staffLogin:
		// Nothing personal is on it, but a log-in screen left standing
		// would keep residents out.
		if now.Sub(a.touched) >= a.idle {
			a.enter(resident)
		}
	}
	a.schedule()
}

// openTech opens the technician's screen for a technician, and asks who
// is there when nobody is logged in. A staff member without the role
// gets nothing: they log out first, so the technician logs in.
func (a *App) openTech() {
	if a.opt.Screens.Tech == nil || a.mode == techMode {
		return
	}
	switch staff := a.st.Staff(); {
	case staff != nil && staff.Technician:
		a.enter(techMode)
	case staff == nil && a.opt.Screens.StaffLogin != nil:
		a.enter(staffLogin)
		a.wantTech = true
	}
}

// enter switches mode. Leaving the resident flow wipes what it held;
// coming back rebuilds it from the station's session.
func (a *App) enter(m mode) {
	if a.leave != nil {
		a.leave()
		a.leave = nil
	}
	a.gen++
	gen := a.gen
	a.mode = m
	a.quiet()
	a.wantTech = false
	a.pressed = time.Time{}
	if m != resident {
		// Staff taking over ends the resident's session, and its type.
		a.resetLarge()
	}
	a.f = flow{}
	a.notice = notice{}
	a.touched = a.now()
	if m == resident {
		a.show(scrAttract)
		a.followSession(a.st.Session())
		return
	}
	hook := map[mode]func(context.Context, string, func()) fyne.CanvasObject{
		staffMode: a.opt.Screens.Staff, staffLogin: a.opt.Screens.StaffLogin, techMode: a.opt.Screens.Tech,
	}[m]
	ctx, cancel := context.WithCancel(a.ctx)
	a.leave = cancel
	back := func() {
		if a.gen == gen {
			a.enter(resident)
		}
	}
	a.screen = ""
	a.live = live{}
	a.root.Objects = []fyne.CanvasObject{hook(ctx, a.lang, back)}
	a.root.Refresh()
	a.schedule()
}

// SetLang switches the resident screens to lang ("zh-CN" or "en") and
// shows the current one again in it, as the language buttons do. Call it
// on Fyne's goroutine.
func (a *App) SetLang(lang string) {
	if a.mode == resident {
		a.setLang(lang)
		return
	}
	a.lang = lang
}

// Mode names the mode shown: "resident", "staff", "staff-login" or "tech".
func (a *App) Mode() string {
	return [...]string{"resident", "staff", "staff-login", "tech"}[a.mode]
}

// Screen names the resident screen shown (see Names), or "" in another
// mode.
func (a *App) Screen() string { return a.screen }

// Wait waits for the work the screens started off Fyne's goroutine (a
// registration being stored); tests call it before looking.
func (a *App) Wait() { a.jobs.Wait() }
