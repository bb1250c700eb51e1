package staff

import (
	"image/color"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/sync/outbox"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// stateWord is how staff read a record's sync state.
func stateWord(lang, state string) (string, color.Color) {
	switch state {
	case outbox.Queued:
		return ui.Tr(lang, "待发送", "Waiting"), touch.Amber
	case outbox.Delivered:
		return ui.Tr(lang, "已送达", "Delivered"), touch.Green
	case outbox.Rejected:
		return ui.Tr(lang, "被退回", "Returned"), touch.Red
	}
	return state, touch.Ink
}

func kindWord(lang, kind string) string {
	switch kind {
	case record.KindRegistration:
		return ui.Tr(lang, "登记", "Registration")
	case record.KindMatter:
		return ui.Tr(lang, "事项", "Matter")
	case record.KindReceipt:
		return ui.Tr(lang, "回执", "Receipt")
	case record.KindVolunteer:
		return ui.Tr(lang, "志愿服务", "Volunteer")
	}
	return kind
}
