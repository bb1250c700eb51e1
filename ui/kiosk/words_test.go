package kiosk

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
)

func TestIDHint(t *testing.T) {
	tests := []struct {
		typed string
		ok    bool
		zh    string
		en    string
	}{
		{"", false, "请输入18位身份证号", "18 characters"},
		{"141029", false, "还差 12 位", "12 more"},
		{"14102919520317122", false, "还差 1 位", "1 more"},
		{"14102919520317122X", true, "号码正确", "right"},
		{"141029195203171228", false, "按前6位、中间8位、后4位逐段核对", "group by group (6, 8, 4)"},
		{"141029195203171220", false, "对照身份证", "against your card"},
		{"141029198809020139", true, "号码正确", "right"},
		{"141029198809020138", false, "逐段核对", "group by group"},
		{"991029195203171226", false, "省份", "province"},
		{"141029195202301229", false, "出生日期", "birth date"},
		{"830000197511080038", false, "只能输入居民身份证号", "Only a resident"},
	}
	for _, tc := range tests {
		for lang, want := range map[string]string{"zh-CN": tc.zh, "en": tc.en} {
			hint, ok := idHint(lang, tc.typed)
			if ok != tc.ok || !strings.Contains(hint, want) {
				t.Errorf("idHint(%s, %q) = %q, %v; want %q, %v", lang, tc.typed, hint, ok, want, tc.ok)
			}
			// A wrong check character is never named as the fix: the
			// resident would "correct" the last digit to it.
			if len(tc.typed) == 18 && !ok {
				want, err := citizenid.CheckChar(tc.typed[:17])
				if _, bad := citizenid.Parse(tc.typed[:17] + string(want)); err == nil && bad == nil && strings.ContainsRune(hint, rune(want)) {
					t.Errorf("idHint(%s, %q) = %q names the check character %c", lang, tc.typed, hint, want)
				}
			}
		}
	}
}

func TestSubmitProblem(t *testing.T) {
	tests := []struct {
		err    error
		screen string
		words  string
	}{
		{&record.FieldError{Field: "payload.phone", Msg: "x"}, scrPhone, "手机号不对"},
		{&record.FieldError{Field: "payload.purpose", Msg: "x"}, scrPurpose, "请选择"},
		{&record.FieldError{Field: "payload.person.nation", Msg: "x"}, scrConfirm, "证件信息不完整"},
		{station.ErrNoSession, scrAttract, "已超时"},
		{&signedcode.Refusal{Reason: signedcode.Used}, scrAttract, "已使用过"},
		{errors.New("outbox: disk full"), scrPhone, "暂时无法保存"},
		{&station.StorageUnknown{ID: "x", Err: fmt.Errorf("%w: EIO", station.ErrStorageUnknown)}, scrPhone, "结果未知"},
	}
	for _, tc := range tests {
		p := submitProblem("zh-CN", tc.err)
		if p.screen != tc.screen || !strings.Contains(p.msg, tc.words) {
			t.Errorf("submitProblem(%v) = %+v; want %s %q", tc.err, p, tc.screen, tc.words)
		}
	}
}

func TestPick(t *testing.T) {
	msg := "此码不是为本站签发的 / this code was issued for another station"
	for lang, want := range map[string]string{"zh-CN": "此码不是为本站签发的", "en": "this code was issued for another station"} {
		if got := ui.Pick(lang, msg); got != want {
			t.Errorf("Pick(%s) = %q", lang, got)
		}
	}
	if got := ui.Pick("en", "只有中文"); got != "只有中文" {
		t.Errorf("pick of one language = %q", got)
	}
}

func TestGroups(t *testing.T) {
	if got := groupID("14102919520317122X"); got != "141029 19520317 122X" {
		t.Errorf("groupID = %q", got)
	}
	if got := groupPhone("13835712345"); got != "138 3571 2345" {
		t.Errorf("groupPhone = %q", got)
	}
	if got := groupPhone("1383"); got != "138 3" {
		t.Errorf("groupPhone of a part = %q", got)
	}
}

func ExampleNames() {
	fmt.Println(strings.Join(Names(), " "))
	// Output: attract card scan matter matter-phone declined consent confirm purpose phone done done-card manual-id manual-name idle help help-phone lookup lookup-unknown progress progress-offline
}
