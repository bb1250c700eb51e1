// Package voiceprompt is the catalogue of what the kiosk says aloud to a
// resident: every prompt by its ID, with the Chinese that is spoken and
// the English beside it for staff and translators.
//
// A voice pack (drivers/voice) holds one audio file per prompt ID. The
// catalogue is the contract between the screens, which name the prompts
// to speak, and the packs, which must have audio for every one of them:
// the default pack is generated from it (cmd/voicepack) and a pack of
// human recordings is checked against it. The package imports nothing
// but the standard library, so the screens and the drivers can both use
// it.
//
// The prompts follow the resident screens of ui/kiosk as they are:
// instructions, the idle question and its countdown, errors, the ticket
// read character by character, the take-your-card reminder and 再听一遍.
package voiceprompt

import (
	"fmt"
	"strconv"
)

// Prompt is one thing the kiosk can say.
type Prompt struct {
	ID string // stable: packs name their files by it
	Zh string // what is spoken
	En string // what it means, for staff and translators
}

// The prompts the screens name directly. Countdown numbers and ticket
// characters are reached through Countdown and Ticket.
const (
	// Instructions, one for each resident screen.
	Attract         = "screen.attract"
	Confirm         = "screen.confirm"
	AppointmentCard = "screen.appointment-card"
	Purpose         = "screen.purpose"
	Phone           = "screen.phone"
	Consent         = "screen.consent"
	Done            = "screen.done"
	ManualID        = "screen.manual-id"
	ManualName      = "screen.manual-name"
	ManualNameHand  = "screen.manual-name-hand"
	// The start screen's choices: the card, a code, a matter without a
	// card and its phone number.
	Card        = "screen.card"
	Scan        = "screen.scan"
	Matter      = "screen.matter"
	MatterPhone = "screen.matter-phone"
	// 查进度: the look-up screen's instruction, and how a matter stands.
	LookUp           = "screen.lookup"
	StatusReceived   = "status.received"
	StatusInProgress = "status.in-progress"
	StatusDone       = "status.done"
	StatusReturned   = "status.returned"
	StatusLocal      = "status.local"

	// Notices on the attract screen and the help button.
	Declined   = "notice.declined"
	HelpCalled = "notice.help-called"

	// The idle question; Countdown gives its seconds.
	IdleAsk = "idle.ask"

	// The done screen: the ticket, the receipt, the card.
	TicketIntro        = "ticket.intro"
	ReceiptPrinting    = "receipt.printing"
	ReceiptUnavailable = "receipt.unavailable"
	TakeCard           = "card.take"

	// Again is the label of the button that says the screen's prompt again.
	Again = "again"

	// Errors, as the screens word them.
	ErrTimedOut       = "error.timed-out"
	ErrPhone          = "error.phone"
	ErrPhoneShort     = "error.phone-short"
	ErrPurpose        = "error.purpose"
	ErrPersonPartial  = "error.person-incomplete"
	ErrSaveUnknown    = "error.save-unknown"
	ErrSaveSlow       = "error.save-slow"
	ErrSaveFailed     = "error.save-failed"
	ErrName           = "error.name"
	ErrID             = "error.id"
	ErrIDShort        = "error.id-short"
	ErrIDCheck        = "error.id-check"
	ErrIDProvince     = "error.id-province"
	ErrIDBirth        = "error.id-birth"
	ErrIDNotResident  = "error.id-not-resident"
	ErrNoMatters      = "error.no-matters"
	ErrLookupNotFound = "error.lookup-not-found"
	ScanUnknown       = "scan.unknown"
	ScanUnknownKey    = "scan.unknown-key"
	ScanForged        = "scan.forged"
	ScanExpired       = "scan.expired"
	ScanNotYet        = "scan.not-yet"
	ScanWrongStation  = "scan.wrong-station"
	ScanUsed          = "scan.used"
	ScanRevoked       = "scan.revoked"
	ScanUnreadable    = "scan.unreadable"
	ScanAppointmentOK = "scan.appointment-ok"
)

// MaxCountdown is the longest idle countdown that can be spoken: the
// kiosk's idle question stands for 10 seconds.
const MaxCountdown = 10

// TicketLetters are the letters that begin a ticket (appliance/record's
// Ticket: registration, matter, receipt, volunteer, other).
const TicketLetters = "RMCVX"

// prompts is the catalogue, in the order a resident meets it. It is a
// function, not a package variable, so that no caller can change what
// another sees.
func prompts() []Prompt {
	p := []Prompt{
		{Attract, "请选择您要办的事，或者直接把身份证放在读卡器上。",
			"Choose what you came for, or lay your ID card on the reader."},
		{Card, "请将身份证放在读卡器上，放好后不要拿开。没带身份证，可以点输入号码。",
			"Lay your ID card on the reader and leave it there. No card? Tap Type the number."},
		{Scan, "请把预约码或者回执上的二维码对准扫码口。",
			"Hold your appointment code or your receipt's QR code to the scanner."},
		{Matter, "您要反映什么问题？请点一项。", "What would you like to report? Tap one."},
		{MatterPhone, "留个手机号吗？只用于工作人员回电告诉您办理情况。不想留，可以点跳过。",
			"Leave a mobile number? It is only for staff to call you back. Tap Skip to leave none."},
		{LookUp, "请把回执上的二维码对准扫码口；或者输入回执上票号的四位数字，再点确认。",
			"Hold your receipt's QR code to the scanner, or type the four digits of its ticket number and tap OK."},
		{StatusReceived, "您的事项已受理，工作人员会尽快核对，请留意电话通知。",
			"Your matter has been received: staff will look at it soon; watch for a phone call."},
		{StatusInProgress, "您的事项正在办理中，不用再次提交。", "Your matter is being handled: there is no need to submit it again."},
		{StatusDone, "您的事项已经办结。如需领取材料，请带回执和身份证到服务站。",
			"Your matter is done. If there is something to collect, bring the receipt and your ID card to the station."},
		{StatusReturned, "您的事项已退回，请联系屏幕上的网格员。", "Your matter was returned: please call the grid worker on the screen."},
		{StatusLocal, "暂时连不上上级平台，这是本机的记录。", "The county hub cannot be reached just now: this is the station's own record."},
		{Confirm, "请核对您的信息。没有问题，请点确认；不是您本人，请点不是我。",
			"Please check your details: tap Confirm if they are right, Not me if they are not yours."},
		{AppointmentCard, "预约码有效。请将本人身份证放在读卡器上；没带身份证，可以输入身份证号。",
			"Your appointment code is valid. Lay your ID card on the reader; without it, type your ID number."},
		{Purpose, "您今天来办什么事？请点一项。",
			"What did you come for today? Tap one."},
		{Phone, "留个手机号吗？办好后，工作人员可以打电话告诉您。不想留，可以点跳过。",
			"Leave a mobile number? Staff can call you when your matter is dealt with. Tap Skip to leave none."},
		{Consent, "请看个人信息告知。同意，请点同意。不同意，不会保存任何信息，工作人员可以当面为您办理。",
			"Please read the notice on your personal information. Tap Agree to go on; if you disagree nothing is stored and staff will help you in person."},
		{Done, "登记好了。请稍坐，工作人员会按号码叫您。",
			"You are registered. Please take a seat: staff will call your number."},
		{ManualID, "请输入十八位身份证号，输好后点确认。",
			"Type the 18 characters of your ID number, then tap OK."},
		{ManualName, "请用拼音输入您的姓名，输好后点确认。",
			"Type your name in pinyin, then tap OK."},
		{ManualNameHand, "请在方框里用手指写一个字，再点右边的字。写完姓名后点确认。",
			"Write one character in the box with your finger, then tap it on the right. When your name is done, tap OK."},
		{Declined, "已取消，没有保存任何信息。工作人员可以当面为您办理。", "Cancelled, nothing was stored. Staff will help you in person."},
		{HelpCalled, "已呼叫工作人员，请稍候。", "Staff have been called. Please wait."},
		// Short: it must be said in full before the countdown's last
		// seconds are (ui/kiosk), seven seconds at espeak-ng's pace.
		{IdleAsk, "还要继续吗？请点继续。", "Still there? Tap Continue."},
		{TicketIntro, "您的号码是", "Your number is"},
		{ReceiptPrinting, "您的回执正在打印，请取走。", "Your receipt is printing: please take it."},
		{ReceiptUnavailable, "回执暂时打印不了，请记下号码，或者找工作人员。",
			"The receipt cannot print just now: note your number or ask staff."},
		{TakeCard, "请取回您的身份证。", "Please take your ID card back."},
		{Again, "再听一遍", "Hear it again"},
		{ErrTimedOut, "登记已超时，请重新放身份证或扫码。", "Your registration timed out: lay your card or scan your code again."},
		{ErrPhone, "这个手机号不对，请检查，或者点跳过。", "That mobile number is not right: check it, or tap Skip."},
		{ErrPhoneShort, "手机号是十一位，请输完，或者点跳过。", "A mobile number has 11 digits: finish it, or tap Skip."},
		{ErrPurpose, "请选择您来办的事。", "Please choose what you came for."},
		{ErrPersonPartial, "证件信息不完整，请找工作人员帮忙。", "The details on your card are incomplete: please ask staff."},
		{ErrSaveUnknown, "保存时出了故障，请再点一次确认，不会重复登记。",
			"Saving hit a fault: tap OK again, you will not be registered twice."},
		{ErrSaveSlow, "保存太慢，请再点一次确认。", "Saving took too long: tap OK again."},
		{ErrSaveFailed, "暂时无法保存，请找工作人员帮忙。", "Your registration could not be saved: please ask staff."},
		{ErrName, "请输入您的姓名。", "Please type your name."},
		{ErrID, "身份证号不对，请核对。", "That ID number is not right: please check it."},
		{ErrIDShort, "身份证号还没有输完，一共十八位。", "The ID number is not complete: it has 18 characters."},
		// Never which character to change: residents "fix" the check
		// character instead of finding the digit they mistyped.
		{ErrIDCheck, "号码不对，请和身份证上的号码一段一段地核对。",
			"The number is not right: compare it with your card, group by group."},
		{ErrIDProvince, "前两位不是省份代码，请核对。", "The first two digits are not a province: please check."},
		{ErrIDBirth, "第七到第十四位的出生日期不对，请核对。", "Digits 7 to 14 are not a birth date: please check."},
		{ErrIDNotResident, "这里只能输入居民身份证号，其他证件请放在读卡器上。",
			"Only a resident ID number can be typed here: lay other cards on the reader."},
		{ErrNoMatters, "暂时无法选择事项，请找工作人员帮忙。", "Matters cannot be chosen just now: please ask staff."},
		{ErrLookupNotFound, "没有找到这张回执的记录，请核对票号，或者找工作人员。",
			"No record of that receipt here: check the ticket number, or ask staff."},
		{ScanUnknown, "不是本站能识别的二维码。", "Not a code this station knows."},
		{ScanUnknownKey, "本站还不能核验这个码，请联系工作人员。", "This station cannot check this code yet: please ask staff."},
		{ScanForged, "二维码无效，可能被改动过。", "The code is not valid: it may have been altered."},
		{ScanExpired, "二维码已过期。", "The code has expired."},
		{ScanNotYet, "二维码还没有生效，请在预约的那一天使用。", "The code is not valid yet: use it on its day."},
		{ScanWrongStation, "这个码不是本站的。", "This code was issued for another station."},
		{ScanUsed, "这个预约码已经用过了。", "This appointment code has already been used."},
		{ScanRevoked, "这个码已经注销了。", "This code has been withdrawn."},
		{ScanUnreadable, "二维码不完整或者无法识别，请重新扫描。", "The code is incomplete or damaged: scan it again."},
		{ScanAppointmentOK, "预约码有效，请核对您的信息。", "Appointment accepted: please check your details."},
	}
	for n := MaxCountdown; n >= 1; n-- {
		p = append(p, Prompt{countID(n), numberZh(n), strconv.Itoa(n)})
	}
	for d := 0; d <= 9; d++ {
		p = append(p, Prompt{charID(rune('0' + d)), numberZh(d), strconv.Itoa(d)})
	}
	for _, l := range TicketLetters {
		// espeak-ng's Mandarin voice reads Latin letters by their English
		// names, as people read them on a ticket.
		p = append(p, Prompt{charID(l), string(l), string(l)})
	}
	return p
}

// numberZh says 0 to 10: the countdown's seconds and the ticket's digits
// one by one (一, not 幺: a ticket is not a phone number).
func numberZh(n int) string { return string([]rune("零一二三四五六七八九十")[n]) }

func countID(n int) string { return "count." + strconv.Itoa(n) }
func charID(r rune) string { return "char." + string(r) }

// All returns every prompt of the catalogue, a fresh copy each time.
func All() []Prompt { return prompts() }

// IDs returns the ID of every prompt of the catalogue.
func IDs() []string {
	all := prompts()
	ids := make([]string, len(all))
	for i, p := range all {
		ids[i] = p.ID
	}
	return ids
}

// Lookup returns the prompt with the ID.
func Lookup(id string) (Prompt, bool) {
	for _, p := range prompts() {
		if p.ID == id {
			return p, true
		}
	}
	return Prompt{}, false
}

// Countdown returns the prompt for n seconds left of the idle question,
// or false when no prompt says n.
func Countdown(n int) (string, bool) {
	if n < 1 || n > MaxCountdown {
		return "", false
	}
	return countID(n), true
}

// Ticket returns the prompts that read a ticket such as "R0004" one
// character at a time, after "您的号码是". It fails on a character the
// catalogue cannot say, rather than leave a gap in the number.
func Ticket(ticket string) ([]string, error) {
	if ticket == "" {
		return nil, fmt.Errorf("voiceprompt: empty ticket")
	}
	ids := []string{TicketIntro}
	for i, r := range ticket {
		if !('0' <= r && r <= '9') && !containsRune(TicketLetters, r) {
			return nil, fmt.Errorf("voiceprompt: ticket %q: cannot say %q at byte %d (digits and %s only)", ticket, r, i, TicketLetters)
		}
		ids = append(ids, charID(r))
	}
	return ids, nil
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}
