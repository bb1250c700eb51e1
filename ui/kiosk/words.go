package kiosk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/voiceprompt"
)

func genderWord(lang, g string) string {
	switch g {
	case "male":
		return ui.Tr(lang, "男", "male")
	case "female":
		return ui.Tr(lang, "女", "female")
	}
	return ui.Tr(lang, "未知", "not known")
}

// sourceWord says where the details on the confirm screen came from.
func sourceWord(lang, source string) string {
	switch source {
	case "qr":
		return ui.Tr(lang, "以下信息来自您的预约码", "From your appointment code")
	case "manual":
		return ui.Tr(lang, "以下是您输入的信息", "As you typed it")
	}
	return ui.Tr(lang, "以下信息读自您的证件", "Read from your card")
}

// problem is what went wrong with a step, in plain words, and the screen
// where the resident can put it right.
type problem struct {
	screen string
	msg    string
	say    string // the voice prompt saying it (ui/voiceprompt)
}

// submitProblem turns an error of SubmitSession into words. Field errors
// send the resident back to the screen of that field; anything else is
// the station's trouble, not theirs.
func submitProblem(lang string, err error) problem {
	var fe *record.FieldError
	var ref *signedcode.Refusal
	switch {
	case errors.Is(err, station.ErrNoSession):
		return problem{scrAttract, ui.Tr(lang, "登记已超时，请重新放身份证或扫码", "Your registration timed out: lay your card or scan your code again"), voiceprompt.ErrTimedOut}
	case errors.As(err, &ref):
		return problem{scrAttract, ui.Pick(lang, ref.Message()), scanPrompt(&station.ScanResult{Kind: "refused", Reason: string(ref.Reason)})}
	case errors.As(err, &fe):
		switch {
		case strings.HasSuffix(fe.Field, "phone"):
			return problem{scrPhone, ui.Tr(lang, "这个手机号不对，请检查，或点“跳过”", "That mobile number is not right: check it, or tap Skip"), voiceprompt.ErrPhone}
		case strings.HasSuffix(fe.Field, "purpose"):
			return problem{scrPurpose, ui.Tr(lang, "请选择您来办的事", "Please choose what you came for"), voiceprompt.ErrPurpose}
		case strings.Contains(fe.Field, "person"):
			return problem{scrConfirm, ui.Tr(lang, "证件信息不完整，请找工作人员帮忙", "The details on your card are incomplete: please ask staff"), voiceprompt.ErrPersonPartial}
		}
	case errors.Is(err, station.ErrStorageUnknown):
		// The session repeats the record under its own ID: tapping again
		// finds the record if it was stored and never makes a second.
		return problem{scrPhone, ui.Tr(lang, "保存时出了故障，结果未知：请再点一次“确认”，不会重复登记", "Saving hit a fault and we cannot tell whether it worked: tap OK again, you will not be registered twice"), voiceprompt.ErrSaveUnknown}
	case errors.Is(err, context.DeadlineExceeded):
		return problem{scrPhone, ui.Tr(lang, "保存太慢，请再点一次“确认”", "Saving took too long: tap OK again"), voiceprompt.ErrSaveSlow}
	}
	return problem{scrPhone, ui.Tr(lang, "暂时无法保存，请找工作人员帮忙", "Your registration could not be saved: please ask staff"), voiceprompt.ErrSaveFailed}
}

// manualProblem turns an error of StartManual on the typed number into
// words: the live hint's when it has any, since it is what the resident
// saw while typing.
func manualProblem(lang, typed string, err error) problem {
	var fe *record.FieldError
	if errors.As(err, &fe) && fe.Field == "name" {
		return problem{scrManualName, ui.Tr(lang, "请输入您的姓名", "Please type your name"), voiceprompt.ErrName}
	}
	if hint, ok := idHint(lang, typed); !ok {
		return problem{scrManualID, hint, idPrompt(typed)}
	}
	return problem{scrManualID, ui.Tr(lang, "身份证号不对，请核对", "That ID number is not right: please check it"), voiceprompt.ErrID}
}

// idHint is the line under the ID number while it is typed, and whether
// the number is complete and right. It is a hint only: StartManual
// checks the number again.
func idHint(lang, typed string) (hint string, ok bool) {
	n := len(typed)
	switch {
	case n == 0:
		return ui.Tr(lang, "请输入18位身份证号", "Type the 18 characters of your ID number"), false
	case n < citizenid.Length:
		left := citizenid.Length - n
		return ui.Tr(lang, fmt.Sprintf("还差 %d 位", left), fmt.Sprintf("%d more to go", left)), false
	}
	num, err := citizenid.Parse(typed)
	var ce *citizenid.Error
	switch {
	case err == nil && num.Kind == citizenid.Resident:
		return ui.Tr(lang, "号码正确", "The number is right"), true
	case err == nil:
		return ui.Tr(lang, "这里只能输入居民身份证号；其他证件请放在读卡器上",
			"Only a resident ID number can be typed here: lay other cards on the reader"), false
	case errors.As(err, &ce) && ce.Reason == citizenid.BadCheck:
		// Which character is wrong the check cannot tell: naming the
		// one that would fit only tempts people to "fix" the last, and
		// a number so fixed is somebody else's. The groups on the card
		// are what to check against.
		return ui.Tr(lang, "号码有误：请对照身份证，按前6位、中间8位、后4位逐段核对",
			"Something is wrong: check it against your card, group by group (6, 8, 4)"), false
	case errors.As(err, &ce) && ce.Reason == citizenid.BadDivision:
		return ui.Tr(lang, "前两位不是省份代码，请核对", "The first two digits are not a province: please check"), false
	case errors.As(err, &ce) && ce.Reason == citizenid.BadBirth:
		return ui.Tr(lang, "第7到14位的出生日期不对，请核对", "Digits 7 to 14 are not a birth date: please check"), false
	}
	return ui.Tr(lang, "号码不对，请核对", "The number is not right: please check"), false
}

// idHintShort is idHint's hint in fewer words where it runs long, for
// the large type on a small panel: the field shows the number in its
// groups to check against the card all the same.
func idHintShort(lang, typed, hint string) string {
	if len(typed) < citizenid.Length {
		return hint
	}
	num, err := citizenid.Parse(typed)
	var ce *citizenid.Error
	switch {
	case err == nil && num.Kind != citizenid.Resident:
		return ui.Tr(lang, "只能输入居民身份证号", "Resident ID numbers only")
	case errors.As(err, &ce) && ce.Reason == citizenid.BadCheck:
		return ui.Tr(lang, "号码有误，请对照身份证逐段核对", "Wrong: check it against your card")
	}
	return hint
}

// groupID writes an ID number as it is printed on the card, in groups of
// six, eight and four, so a resident can compare it group by group.
func groupID(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i == 6 || i == 14 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// groupPhone writes a mobile number as people say it: 138 3571 2345.
func groupPhone(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i == 3 || i == 7 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
