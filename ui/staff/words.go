package staff

import (
	"image/color"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/ui"
	"github.com/gridkiosk/gridkiosk/ui/touch"
)

// stateWord is how staff read a record's sync state.
func stateWord(lang string, state station.RowState) (string, color.Color) {
	switch state {
	case station.Queued:
		return ui.Tr(lang, "待发送", "Waiting"), touch.Amber
	case station.Delivered:
		return ui.Tr(lang, "已送达", "Delivered"), touch.Green
	case station.Rejected:
		return ui.Tr(lang, "被退回", "Returned"), touch.Red
	}
	return string(state), touch.Ink
}

func kindWord(lang, kind string) string {
	switch kind {
	case station.KindRegistration:
		return ui.Tr(lang, "登记", "Registration")
	case station.KindMatter:
		return ui.Tr(lang, "事项", "Matter")
	case station.KindReceipt:
		return ui.Tr(lang, "回执", "Receipt")
	case station.KindVolunteer:
		return ui.Tr(lang, "志愿服务", "Volunteer")
	}
	return kind
}
