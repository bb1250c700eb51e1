package kiosk

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/gridkiosk/gridkiosk/ui"
)

// noticeText is the personal-information notice of ConsentVersion, in
// paragraphs: what is collected, why, how and how long it is kept, who
// sees it, and that saying no costs nothing. days is how long the station
// keeps a record once delivered (storage.retention_days).
func (a *App) noticeText(days int) []string {
	if a.lang == "en" {
		return []string{
			"To register you and deal with your matter, this station collects your name, card number, sex, date of birth, " +
				"ethnic group and address (read from your card), what you came for, and a mobile number if you give one. " +
				"No photo, no fingerprint.",
			"They are used only to deal with your matter and follow it up. They are kept encrypted on this kiosk and sent to " +
				"the county smart-city centre. Only the community staff handling your matter and your grid workers see them.",
			fmt.Sprintf("This kiosk deletes them at most %d days after sending them on.", days),
			"You may say no: then nothing is stored, and staff will help you in person.",
		}
	}
	return []string{
		"为了给您登记和办事，本站收集：姓名、证件号码、性别、出生日期、民族、住址（从证件读取），您来办的事，以及您愿意留下的手机号。不收集照片和指纹。",
		"这些信息只用于办理和回访您的事项，加密保存在本机，并传送到县智慧城市中心；只有经办的社区工作人员和您的网格员能看到。",
		fmt.Sprintf("信息上传后，本机最多保存 %d 天，然后删除。", days),
		"您可以不同意：不同意不会保存任何信息，工作人员可以当面为您办理。",
	}
}

// consentScreen asks for consent to the notice before any detail is
// shown or typed. Agree and decline are the same size: declining must be
// as easy as agreeing.
func (a *App) consentScreen() fyne.CanvasObject {
	notice := newPara(strings.Join(a.noticeText(a.st.Config().Storage.RetentionDays), "\n"), a.sz.body, ink, a.fullWidth())
	// Never smaller than the screen's body type: a page at a time where
	// the whole notice does not fit.
	foot := text(a.tr("告知书版本 ", "Notice version ")+ConsentVersion, a.sz.caption, muted, false)
	body := container.NewBorder(nil, foot, nil, nil, a.newPager(notice))
	no := a.newButton(a.tr("不同意", "Disagree"), neutral, a.act(a.decline))
	yes := a.newButton(a.tr("同意", "Agree"), primary, a.act(a.agree))
	return a.frame(a.tr("个人信息告知", "Your personal information"), body, no, yes)
}

// doneScreen shows the ticket, what happens next and who the resident's
// grid worker is; while the card lies on the reader, first of all that
// it must be taken back. It goes by itself after doneFor (from the
// card's lifting); one tap on a tile ends it sooner.
func (a *App) doneScreen() fyne.CanvasObject {
	ticket := "-"
	if a.f.ack != nil {
		ticket = a.f.ack.Ticket
	}
	var rows []fyne.CanvasObject
	if a.f.cardOn {
		take := newPara(a.tr("请取回您的身份证", "Please take your ID card"), a.sz.title, paper, a.fullWidth()-2*inset)
		take.align, take.bold = fyne.TextAlignCenter, true
		rows = append(rows, container.NewStack(canvas.NewRectangle(red), container.New(margin{x: inset, y: 6}, take)))
	}
	cramped := a.cramped()
	if cramped {
		// The number beside its label, a line saved.
		rows = append(rows, container.NewCenter(container.NewHBox(
			container.New(middle{}, text(a.tr("您的号码", "Your number"), a.sz.body, muted, false)),
			text(ticket, 1.6*a.sz.title, green, true))))
	} else {
		rows = append(rows,
			centred(text(a.tr("您的号码", "Your number"), a.sz.body, muted, false)),
			centred(text(ticket, a.sz.ticket(), green, true)))
	}
	add := func(s string, bold bool) {
		p := newPara(s, a.sz.body, ink, a.fullWidth())
		p.align, p.bold = fyne.TextAlignCenter, bold
		rows = append(rows, p)
	}
	if !a.f.cardOn && !cramped {
		// The card first: the rest shows once it is taken. The voice
		// says it where there is no room.
		add(a.tr("请稍坐，工作人员会按号码叫您。", "Please take a seat: staff will call your number."), false)
	}
	switch w := a.receiptWord(); {
	case w == "" || cramped && a.f.cardOn:
	case cramped:
		add(a.receiptShort(), true)
	default:
		add(w, true)
	}
	if w := a.leaderWord(); w != "" && !a.f.cardOn && !cramped {
		add(w, false)
	}
	other := a.newButton(a.tr("其他事项", "Something else"), plain, a.act(a.finish))
	done := a.newButton(a.tr("完成", "Done"), primary, a.act(a.finish))
	done.sub = a.backInWord(doneFor - a.now().Sub(a.doneAt))
	a.live.doneLeft = done
	if a.f.cardOn || cramped {
		// The seconds left are said by the screen going, not in a line
		// the compact screen has no room for.
		done.sub, a.live.doneLeft = "", nil
	}
	title := a.tr("登记好了", "You are registered")
	if cramped {
		title = a.tr("登记好了", "Registered")
	}
	if a.f.kind == kindMatter {
		title = a.tr("您反映的问题已记下", "Your report is recorded")
	}
	return a.frame(title, container.New(middle{}, lines(rows...)), other, done)
}

// receiptWord says what becomes of the resident's receipt, and where it
// comes out, by the printer's state now: it may run out of paper half
// way through.
func (a *App) receiptWord() string {
	switch a.health.Peripherals["printer"].State {
	case "", "absent":
		return "" // no printer: the ticket on screen is all there is
	case "present", "configured", "ready":
		slot := a.tr("屏幕下方的出纸口", "the slot below the screen")
		if w := a.st.Config().Station.ReceiptSlot; w != "" {
			slot = ui.Pick(a.lang, w)
		}
		return a.tr("回执正在打印，请从"+slot+"取走", "Your receipt is printing: take it from "+slot)
	}
	// Out of paper, cover open, unplugged: no slip is coming now.
	return a.tr("回执暂时打印不了，请记下号码或找工作人员", "The receipt cannot print just now: note your number or ask staff")
}

// receiptShort is receiptWord in few words, for the compact screen.
func (a *App) receiptShort() string {
	switch a.health.Peripherals["printer"].State {
	case "present", "configured", "ready":
		return a.tr("回执正在打印，请取走", "Take your receipt")
	}
	return a.tr("回执打印不了，请记下号码", "No receipt: note the number")
}

// leaderWord names the person responsible for the resident's grid.
func (a *App) leaderWord() string {
	p := a.f.place
	switch {
	case p.Leader.Name == "":
		return ""
	case p.Where != "":
		return a.tr(fmt.Sprintf("您所在的%s，微网格长是 %s", p.Where, p.Leader.Name),
			fmt.Sprintf("Your micro grid is %s; its leader is %s", p.Where, p.Leader.Name))
	}
	return a.tr(fmt.Sprintf("您所在社区的网格长是 %s", p.Leader.Name),
		fmt.Sprintf("Your community grid leader is %s", p.Leader.Name))
}
