package kiosk

import (
	"errors"
	"log/slog"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// Speaker says the kiosk's prompts aloud (ui/voiceprompt's IDs). Every
// method is called on Fyne's goroutine and must return at once: the
// playing happens elsewhere. drivers/voice's Player is one; voicesim's
// Recorder stands in for it in tests.
type Speaker interface {
	// Say says the prompts in order, cutting short what was being said:
	// the screen that asks is the one on show.
	Say(ids ...string)
	// Again says the latest request once more (再听一遍).
	Again()
	// Stop cuts short what is being said.
	Stop()
}

// Chimer is a Speaker that can sound a short reminder only when nothing
// is being said: the beep while a card lies forgotten on the reader must
// not cut short the ticket number. drivers/voice's Player and voicesim's
// Recorder are Chimers; a Speaker that is not gets no beeps.
type Chimer interface {
	Chime(id string)
}

// cardBeepEvery is how often the done screen beeps while the stored
// registration's card lies on the reader, as the panel's buzzer does.
const cardBeepEvery = 3 * time.Second

// beepForCard beeps through the speaker every cardBeepEvery while the
// done screen reminds the resident to take the card: from when the
// screen came up (its own prompts are said first) until the reader
// reports the card lifted or the session ends, when the screen stops
// asking.
func (a *App) beepForCard(now time.Time) {
	if !a.f.cardOn || now.Sub(a.doneAt) < cardBeepEvery || now.Sub(a.f.beepAt) < cardBeepEvery {
		return
	}
	a.f.beepAt = now
	if c, ok := a.speaker().(Chimer); ok {
		c.Chime(voiceprompt.CardBeep)
	}
}

// silent is the Speaker of a kiosk without voice.
type silent struct{}

func (silent) Say(...string) {}
func (silent) Again()        {}
func (silent) Stop()         {}

// spokenCountdown is from how many seconds left the idle question's
// countdown is said aloud: before that, the question itself is (it comes
// up with 10 seconds left, and takes under 6 to say).
const spokenCountdown = 3

// spoken is what the kiosk last said of the screens, so that a screen
// drawn again (the hub came back, the language changed, a key was typed)
// is not said again: only a new screen, or news on it, is.
type spoken struct {
	screen string // the resident screen last announced; "" to announce the next
	help   bool   // the help banner was announced
	notice string // the attract screen's notice last said
}

// speaker is the Options' Speaker, or silence.
func (a *App) speaker() Speaker {
	if a.opt.Speaker == nil {
		return silent{}
	}
	return a.opt.Speaker
}

// say hands prompts to the speaker. An ID the catalogue lacks is a bug
// of the screens (a pack cannot have audio for it): it is logged, not
// said, so the rest of the request is not lost with it.
func (a *App) say(ids ...string) {
	ok := ids[:0:0]
	for _, id := range ids {
		if _, known := voiceprompt.Lookup(id); !known {
			a.log().Error("kiosk: no such voice prompt", "id", id, "screen", a.screen)
			continue
		}
		ok = append(ok, id)
	}
	if len(ok) > 0 {
		a.speaker().Say(ok...)
	}
}

func (a *App) log() *slog.Logger {
	if a.opt.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.opt.Log
}

// announce is called by show once a resident screen is up: it says the
// screen's instruction when the screen is new, that staff are called when
// the help banner has just come up, and a notice (a code refused, the
// notice declined) when one has just appeared. Anything else is a screen
// drawn again and says nothing.
func (a *App) announce() {
	name := a.screen
	if a.mode != resident || name == "" {
		return
	}
	n := a.notice.msg
	switch {
	case name != a.voice.screen:
		a.voice = spoken{screen: name, help: a.help, notice: n}
		a.say(a.screenPrompts(name)...)
	case a.help && !a.voice.help:
		a.voice.help = true
		a.say(voiceprompt.HelpCalled)
	case n != "" && n != a.voice.notice:
		a.voice.notice = n
		if id := a.noticePrompt(); id != "" {
			a.say(id)
		}
	default:
		a.voice.help = a.help
		a.voice.notice = n
	}
}

// screenPrompts is what the screen says when it comes up.
func (a *App) screenPrompts(name string) []string {
	var ids []string
	if a.help {
		ids = append(ids, voiceprompt.HelpCalled)
	}
	switch {
	case name == scrDone:
		ids = append(ids, a.finishPrompts()...)
		return ids
	case name == scrProgress:
		return append(ids, a.progressPrompts()...)
	case name == scrAttract && a.notice.msg != "":
		if id := a.noticePrompt(); id != "" {
			ids = append(ids, id)
		}
	case name == scrPhone && a.f.kind == kindMatter:
		// The only detail of a matter without a card, and what it is for.
		name = "matter-phone"
	case name == scrPurpose && len(a.st.Categories()) == 0:
		// The screen says so in red instead of showing the matters.
		return append(ids, voiceprompt.ErrNoMatters)
	}
	own, _ := voiceprompt.Screen(name)
	return append(ids, own...)
}

// finishPrompts says the ticket digit by digit, the receipt and, when
// the details came from a card, the reminder to take it, last.
func (a *App) finishPrompts() []string {
	ticket := ""
	if a.f.ack != nil {
		ticket = a.f.ack.Ticket
	}
	receipt := voiceprompt.NoPrinter
	switch a.health.Peripherals["printer"].State {
	case "", "absent":
	case "present", "configured", "ready":
		receipt = voiceprompt.Printing
	default:
		receipt = voiceprompt.CannotPrint
	}
	ids, err := voiceprompt.Finish(ticket, receipt, a.f.sess.Source == "idcard")
	if err != nil {
		// A ticket the catalogue cannot read out is still on screen.
		a.log().Error("kiosk: the ticket cannot be said", "err", err)
		ids = []string{voiceprompt.Done}
		if a.f.sess.Source == "idcard" {
			ids = append(ids, voiceprompt.TakeCard)
		}
	}
	return ids
}

// noticePrompt is the prompt of the attract screen's notice: the notice
// declined, the registration timed out, or what the station made of a
// code scanned; "" for a notice with none.
func (a *App) noticePrompt() string { return a.notice.say }

// scanPrompt is what is said of a code the station refused or did not
// know.
func scanPrompt(r *station.ScanResult) string {
	if r.Kind == "unknown" {
		return voiceprompt.ScanUnknown
	}
	if r.Kind != "refused" {
		return ""
	}
	return map[string]string{
		"malformed":     voiceprompt.ScanUnreadable,
		"unknown_key":   voiceprompt.ScanUnknownKey,
		"forged":        voiceprompt.ScanForged,
		"expired":       voiceprompt.ScanExpired,
		"not_yet":       voiceprompt.ScanNotYet,
		"wrong_station": voiceprompt.ScanWrongStation,
		"used":          voiceprompt.ScanUsed,
		"revoked":       voiceprompt.ScanRevoked,
	}[r.Reason]
}

// sayCountdown says the idle question when it comes up, then the last
// seconds.
func (a *App) sayCountdown(left int, first bool) {
	if first {
		a.say(voiceprompt.IdleAsk)
		return
	}
	if left <= spokenCountdown {
		if id, ok := voiceprompt.Countdown(left); ok {
			a.say(id)
		}
	}
}

// sayProblem says what went wrong with a step, on the screen where the
// resident puts it right.
func (a *App) sayProblem(p problem) {
	if p.say != "" {
		a.say(p.say)
	}
}

// sayAgain is the 再听一遍 button.
func (a *App) sayAgain() { a.speaker().Again() }

// quiet stops the voice and forgets what was announced, so the next
// resident screen is said in full: when the kiosk leaves the resident
// flow.
func (a *App) quiet() {
	a.voice = spoken{}
	a.speaker().Stop()
}

// idPrompt is what is said when OK is tapped on an ID number that is not
// right, as idHint words it on screen (never which character to change).
func idPrompt(typed string) string {
	if len(typed) < citizenid.Length {
		return voiceprompt.ErrIDShort
	}
	num, err := citizenid.Parse(typed)
	var ce *citizenid.Error
	switch {
	case err == nil && num.Kind != citizenid.Resident:
		return voiceprompt.ErrIDNotResident
	case errors.As(err, &ce) && ce.Reason == citizenid.BadCheck:
		return voiceprompt.ErrIDCheck
	case errors.As(err, &ce) && ce.Reason == citizenid.BadDivision:
		return voiceprompt.ErrIDProvince
	case errors.As(err, &ce) && ce.Reason == citizenid.BadBirth:
		return voiceprompt.ErrIDBirth
	}
	return voiceprompt.ErrID
}

// againButton says the screen's prompt again. Its label is Chinese, as
// the voice is, on the English screens too: with "Hear it again" under
// it, the age-friendly audit finds that line under the 5 mm of body text
// and, at 800×480 in large type, the rows it shares drawn over each other.
func (a *App) againButton() *button {
	a.live.again = true
	b := a.newButton("再听一遍", plain, a.act(a.sayAgain))
	// Body size: it shares crowded rows, and is read, not searched for.
	b.size = a.sz.body
	return b
}
