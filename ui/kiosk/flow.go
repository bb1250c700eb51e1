package kiosk

import (
	"context"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// The resident screens, by the names Show takes.
const (
	scrAttract    = "attract"
	scrConfirm    = "confirm"
	scrPurpose    = "purpose"
	scrPhone      = "phone"
	scrConsent    = "consent"
	scrDone       = "done"
	scrManualID   = "manual-id"
	scrManualName = "manual-name"
)

// Timings of the resident flow.
const (
	// countdown is how long the idle question stands before the wipe.
	countdown = 10 * time.Second
	// doneFor is how long the ticket stays up.
	doneFor = 15 * time.Second
	// noticeFor is how long a notice stays on the attract screen.
	noticeFor = 8 * time.Second
	// submitTimeout bounds the wait for the station to store a record.
	submitTimeout = 15 * time.Second
)

// ConsentVersion is the version of the personal-information notice the
// consent screen shows; records carry it.
const ConsentVersion = "2026-01"

// flow is the registration as the screens hold it. All of it goes at
// once when the flow ends (reset), so nothing typed or read stays behind.
type flow struct {
	kind    string // kindCard, kindManual, kindMatter, kindLookup
	agreed  bool   // to the personal-information notice
	cardOn  bool   // the stored registration's card still lies on the reader
	key     sessionKey
	sess    station.SessionView
	purpose string
	phone   []rune
	id      []rune // typed on the manual entry screen
	name    []rune
	problem string // for the screen shown: what the station said, in words
	hand    bool   // the name is written by hand (手写), not typed in pinyin
	code    []rune // a receipt's ticket digits, typed to look it up
	// progress is the answer of a look-up (查进度).
	progress *station.Progress
	ack      *station.Ack
	place    station.Place
}

// sessionKey tells one session of the station from the next.
type sessionKey struct {
	source  string
	started int64
}

func keyOf(v station.SessionView) sessionKey {
	if v.StartedAt == nil {
		return sessionKey{}
	}
	return sessionKey{v.Source, v.StartedAt.UnixNano()}
}

// notice is a message on the attract screen for a while.
type notice struct {
	msg   string
	bad   bool
	until time.Time
	say   string // its voice prompt, if it has one
}

// live are the parts of the screen shown that change without it being
// rebuilt, mostly with the clock.
type live struct {
	clock     *canvas.Text
	question  fyne.CanvasObject // the idle question, while it is up
	count     *canvas.Text
	doneLeft  *button
	holdLabel *holdable // the station's name, held for the technician
	// composing reads the pinyin keyboard's letters not yet converted:
	// typing them calls none of the screen's callbacks, yet it is
	// activity all the same.
	composing func() string
	lastComp  string
	// again is set once the screen has its 再听一遍 button.
	again bool
}

// followScan shows what the station made of a code just scanned. An
// appointment starts a session and staff codes log staff in: Sync follows
// those through the station's state.
func (a *App) followScan(r *station.ScanResult) {
	if r == nil || r.At.Equal(a.lastScan) {
		return
	}
	a.lastScan = r.At
	if a.followLookupScan(r) {
		return
	}
	switch r.Kind {
	case "refused", "unknown", "receipt":
		a.notice = notice{msg: ui.Pick(a.lang, r.Message), bad: r.Kind != "receipt", until: a.now().Add(noticeFor), say: scanPrompt(r)}
		switch a.screen {
		case scrScan:
			// What the resident asked for: the answer, on the start
			// screen, with nothing of the scan screen's flow kept.
			a.f = flow{}
			a.show(scrAttract)
		case scrAttract:
			a.show(scrAttract)
		}
	}
}

// followSession moves the screens with the station's session.
func (a *App) followSession(v station.SessionView) {
	key := keyOf(v)
	switch v.State {
	case station.SessionIdle:
		// The station ended what the screens were walking: the idle wipe,
		// or a cancel from elsewhere. The done screen keeps its ticket.
		if a.f.key != (sessionKey{}) && a.screen != scrDone {
			a.f = flow{}
			a.show(scrAttract)
		}
	case station.SessionCard, station.SessionAppointment, station.SessionManual:
		if key == a.f.key || key == a.ended {
			return
		}
		// A new resident, whatever was on screen: the one before has left.
		// Only the one who agreed to the notice before their details were
		// read (typing the number; an appointment waiting for the card)
		// is not asked again.
		agreed := a.f.agreed && (a.f.key == sessionKey{} && a.f.kind == kindManual || a.f.sess.NeedsCard)
		kind := kindCard
		if v.Source == "manual" {
			kind = kindManual
		}
		a.f = flow{kind: kind, agreed: agreed, key: key, sess: v, purpose: v.Purpose}
		a.busy = false
		a.touched = a.now()
		a.hideQuestion()
		if agreed {
			a.show(scrConfirm)
		} else {
			a.show(scrConsent)
		}
	case station.SessionSubmitted:
		// The card reminder on the done screen follows the reader.
		if a.screen == scrDone && key == a.f.key && v.CardOnReader != a.f.cardOn {
			a.f.cardOn = v.CardOnReader
			a.doneAt = a.now() // the countdown starts when the card is taken
			a.show(scrDone)
		}
	}
}

// tickResident runs the resident flow's clock.
func (a *App) tickResident(now time.Time) {
	// Drawn again only when the minute turned: a refresh repaints the
	// window.
	if c := a.live.clock; c != nil {
		if w := a.clockWord(a.wallNow()); c.Text != w {
			c.Text = w
			c.Refresh()
		}
	}
	if a.notice.msg != "" && !now.Before(a.notice.until) {
		a.notice = notice{}
		if a.screen == scrAttract {
			a.show(scrAttract)
		}
	}
	switch a.screen {
	case scrAttract:
		return
	case scrDone:
		left := doneFor - now.Sub(a.doneAt)
		if a.f.cardOn {
			// The screen stays while the card is forgotten on the reader,
			// for as long as a registration may stand untouched.
			left = a.idle - now.Sub(a.doneAt)
		}
		if left <= 0 {
			a.finish()
			return
		}
		if b := a.live.doneLeft; b != nil && !a.f.cardOn {
			b.sub = a.backInWord(left)
			b.Refresh()
		}
		return
	}
	if a.busy {
		return
	}
	if a.live.composing != nil {
		if c := a.live.composing(); c != a.live.lastComp {
			a.live.lastComp = c
			a.touch()
		}
	}
	left := a.idle - now.Sub(a.touched)
	switch {
	case left <= 0:
		a.cancel(notice{})
	case left <= countdown:
		a.askStillThere(seconds(left))
	}
}

// seconds rounds a duration up to whole seconds.
func seconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// act wraps what a tap does: every tap is activity, which postpones the
// idle wipe here and in the station.
func (a *App) act(f func()) func() {
	return func() {
		a.touch()
		if f != nil {
			f()
		}
	}
}

func (a *App) touch() {
	a.touched = a.now()
	a.st.TouchSession()
	a.hideQuestion()
}

// cancel ends the registration: the station forgets it and the screens
// are rebuilt from nothing.
func (a *App) cancel(n notice) {
	a.ended = a.f.key
	a.st.CancelSession()
	a.f = flow{}
	a.busy = false
	a.notice = n
	a.hideQuestion()
	a.show(scrAttract)
}

// decline answers the notice with no: the station stores nothing and
// ends the session, and the resident is told where staff will help them
// in person.
func (a *App) decline() {
	a.ended = a.f.key
	if a.f.key != (sessionKey{}) {
		// The error says nothing was stored, which is what declining means.
		_, _ = a.st.SubmitSession(context.Background(), station.SessionSubmit{
			Purpose: a.f.purpose, Consent: station.ConsentIn{Agreed: false, Version: ConsentVersion}})
	}
	a.cancel(notice{msg: a.declinedWord(), until: a.now().Add(noticeFor), say: voiceprompt.Declined})
}

// declinedWord is the start screen's notice after a declined notice.
func (a *App) declinedWord() string {
	return a.tr("已取消，未保存任何信息。工作人员可以当面为您办理，", "Cancelled, nothing was stored. Staff will help you in person. ") + a.staffWhere()
}

// agree answers the notice with yes, and moves on to the first detail.
func (a *App) agree() {
	a.f.agreed, a.f.problem = true, ""
	if a.f.key == (sessionKey{}) && a.f.kind == kindManual {
		a.show(scrManualID)
		return
	}
	a.show(scrConfirm)
}

// submit stores the registration, or the matter, off Fyne's goroutine:
// committing it waits for the disk.
func (a *App) submit() {
	if a.busy {
		return
	}
	if a.f.kind == kindMatter {
		a.submitMatter()
		return
	}
	a.busy = true
	a.f.problem = ""
	in := station.SessionSubmit{Purpose: a.f.purpose, Phone: string(a.f.phone),
		Consent: station.ConsentIn{Agreed: a.f.agreed, Version: ConsentVersion}}
	key, lang, parent, addr := a.f.key, a.lang, a.ctx, a.address()
	a.show(scrPhone)
	a.background(func() func() {
		ctx, cancel := context.WithTimeout(parent, submitTimeout)
		defer cancel()
		// The place before the submission: storing the record ends the
		// session and with it the address.
		place := a.st.PlaceOf(addr)
		ack, err := a.st.SubmitSession(ctx, in)
		cardOn := err == nil && a.st.Session().CardOnReader
		return func() {
			a.f.cardOn = cardOn && key == a.f.key
			a.stored(key, lang, place, ack, err)
		}
	})
}

// submitMatter stores a matter reported without a card: its category
// and the phone number if one was typed, nothing else.
func (a *App) submitMatter() {
	a.busy = true
	a.f.problem = ""
	m := station.MatterReport{Category: a.f.purpose, Phone: string(a.f.phone)}
	lang, parent := a.lang, a.ctx
	a.show(scrPhone)
	a.background(func() func() {
		ctx, cancel := context.WithTimeout(parent, submitTimeout)
		defer cancel()
		ack, err := a.st.ReportMatter(ctx, m)
		return func() {
			if a.f.kind != kindMatter {
				return // the screens moved on meanwhile
			}
			a.stored(sessionKey{}, lang, station.Place{}, ack, err)
		}
	})
}

// stored shows the ticket, or sends the resident to the step to put
// right.
func (a *App) stored(key sessionKey, lang string, place station.Place, ack station.Ack, err error) {
	if key != a.f.key || !a.busy {
		return // the screens moved on to someone else meanwhile
	}
	a.busy = false
	if err != nil {
		p := submitProblem(lang, err)
		if p.screen == scrAttract {
			a.cancel(notice{msg: p.msg, bad: true, until: a.now().Add(noticeFor), say: p.say})
			return
		}
		a.f.problem = p.msg
		a.show(p.screen)
		a.sayProblem(p)
		return
	}
	a.f.ack, a.f.place = &ack, place
	a.doneAt = a.now()
	a.show(scrDone)
}

// address is the resident's address as read from the card, if any.
func (a *App) address() string {
	if p := a.f.sess.Person; p != nil {
		return p.Address
	}
	return ""
}

// finish leaves the done screen.
func (a *App) finish() {
	a.cancel(notice{})
}

// goTo moves to another step of the flow, clearing the last step's
// problem.
func (a *App) goTo(name string) func() {
	return a.act(func() {
		a.f.problem = ""
		a.show(name)
	})
}

// setLang switches the language and shows the screen again in it.
func (a *App) setLang(lang string) {
	a.lang = lang
	a.f.problem = ""
	if a.notice.msg != "" {
		a.notice = notice{} // it was worded in the other language
	}
	a.show(a.screen)
}

// show builds the named resident screen afresh from the flow's state.
func (a *App) show(name string) {
	a.screen = name
	a.live = live{}
	var o fyne.CanvasObject
	switch name {
	case scrConfirm:
		o = a.confirmScreen()
	case scrPurpose:
		o = a.purposeScreen()
	case scrPhone:
		o = a.phoneScreen()
	case scrConsent:
		o = a.consentScreen()
	case scrDone:
		o = a.doneScreen()
	case scrManualID:
		o = a.manualIDScreen()
	case scrManualName:
		o = a.manualNameScreen()
	case scrCard:
		o = a.cardScreen()
	case scrScan:
		o = a.scanScreen()
	case scrMatter:
		o = a.matterScreen()
	case scrLookup:
		o = a.lookupScreen()
	case scrProgress:
		o = a.progressScreen()
	default:
		a.screen = scrAttract
		o = a.attractScreen()
	}
	a.root.Objects = []fyne.CanvasObject{o}
	a.root.Refresh()
	a.announce()
	a.schedule()
}
