package kiosk

import (
	"fmt"
	"strings"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

// Names lists the screens Show puts up, in the order a resident meets
// them: "lookup-unknown" is the look-up screen after a ticket not
// found, "progress-offline" the progress from the station's own copy;
// "declined" is the attract screen after a declined notice, "done-card"
// the done screen while the card is still on the reader, "matter-phone"
// the phone number of a matter reported without a card, "idle" the
// purpose screen under the idle question.
func Names() []string {
	return []string{scrAttract, scrCard, scrScan, scrMatter, "matter-phone", "declined", scrConsent, scrConfirm,
		scrPurpose, scrPhone, scrDone, "done-card", scrManualID, scrManualName, "idle", "help", "help-phone",
		scrLookup, "lookup-unknown", scrProgress, "progress-offline"}
}

// Show puts up the named screen at once, for tests and screenshots. The
// screens show the station's session if it has one, and otherwise a
// sample resident: 王秀兰 of Building 7, the ID-card emulator's resident,
// masked as the station masks her number. Call it on Fyne's goroutine.
func (a *App) Show(name string) error {
	if a.mode != resident {
		a.enter(resident)
	}
	a.hideQuestion()
	a.busy = false
	a.notice = notice{}
	a.help, a.helpFolded = strings.HasPrefix(name, "help"), false
	a.touched = a.now()
	f := a.sampleFlow()
	switch name {
	case scrAttract:
		a.f = flow{}
		a.show(scrAttract)
	case "declined":
		a.f = flow{}
		a.notice = notice{msg: a.declinedWord(), until: a.now().Add(noticeFor), say: voiceprompt.Declined}
		a.show(scrAttract)
	case scrCard, scrScan:
		a.f = flow{kind: kindCard}
		a.show(name)
	case scrMatter:
		a.f = flow{kind: kindMatter}
		a.show(name)
	case "matter-phone":
		a.f = flow{kind: kindMatter, purpose: "repair", phone: []rune("1383571")}
		a.show(scrPhone)
	case scrConfirm, scrPurpose, scrPhone, scrConsent:
		a.f = f
		a.show(name)
	case scrDone, "done-card":
		a.f = f
		a.f.cardOn = name == "done-card"
		a.f.place = a.st.PlaceOf(a.address())
		if a.f.ack == nil {
			a.f.ack = &station.Ack{Ticket: "R0012"}
		}
		a.doneAt = a.now()
		a.show(scrDone)
	case scrManualID:
		// A slip in the last character, to show the live hint.
		a.f = flow{kind: kindManual, agreed: true, id: []rune("141029195203171228")}
		a.show(scrManualID)
	case scrManualName:
		a.f = flow{kind: kindManual, agreed: true, id: []rune(sampleID), name: []rune("王秀兰")}
		a.show(scrManualName)
	case scrLookup:
		a.f = flow{kind: kindLookup, code: []rune("00")}
		a.show(scrLookup)
	case "lookup-unknown":
		a.f = flow{kind: kindLookup, code: []rune("0999")}
		a.looked(a.lang, nil, fmt.Errorf("kiosk: sample: %w", station.ErrNotFound))
	case scrProgress, "progress-offline":
		a.f = flow{kind: kindLookup, progress: a.sampleProgress(name == scrProgress)}
		a.show(scrProgress)
	case "help": // a resident pressed the help button
		a.f = flow{}
		a.show(scrAttract)
	case "help-phone":
		a.f = f
		a.show(scrPhone)
	case "idle":
		a.f = f
		a.show(scrPurpose)
		a.touched = a.now().Add(countdown - a.idle)
		a.askStillThere(seconds(countdown))
	default:
		return fmt.Errorf("kiosk: no screen %q (one of %s)", name, strings.Join(Names(), ", "))
	}
	return nil
}

// sampleID is the emulator's resident's ID number: invented, with a valid
// check character.
const sampleID = "14102919520317122X"

// sampleFlow is the flow of the station's session, or of the sample
// resident when there is none, half filled in.
func (a *App) sampleFlow() flow {
	v := a.st.Session()
	if v.Person == nil {
		v = station.SessionView{State: station.SessionCard, Source: "idcard", Person: &station.PersonView{
			Name: "王秀兰", Gender: "female", Nation: "汉", Birth: "1952-03-17",
			Address:  "山西省乡宁县昌宁镇幸福湾社区7号院7号楼2单元301",
			IDNumber: citizenid.Mask(sampleID), CardType: "resident",
		}}
	}
	f := flow{kind: kindCard, agreed: true, key: keyOf(v), sess: v, purpose: v.Purpose, ack: v.Ack}
	if f.purpose == "" {
		f.purpose = "certificate"
	}
	f.phone = []rune("13835712345")
	return f
}
