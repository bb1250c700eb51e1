package staff

import (
	"image/color"
	"strings"
	"unicode/utf8"

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

// rowMatterRunes is the longest English matter name a row of the day's
// list shows: at staff type (4 mm) it fits the list on the 7-inch
// 800×480 panel. A longer one ("Help for the elderly or disabled") is
// shown by its Chinese name there, and in full beside it in the detail.
const rowMatterRunes = 22

// matterWord is what a record is about, in the screen's language: the
// English name when the reference data has one, else the Chinese; "—"
// when the record names none. In a row (short) an English name too long
// for the line gives way to the Chinese one; the detail shows both.
func matterWord(lang string, e station.Row, short bool) string {
	switch {
	case e.Matter == "":
		return "—"
	case lang != "en" || e.MatterEN == "":
		return e.Matter
	case short && utf8.RuneCountInString(e.MatterEN) > rowMatterRunes:
		return e.Matter
	case short:
		return e.MatterEN
	}
	return e.MatterEN + " " + e.Matter
}

// joinWords joins the words that are not empty with two spaces.
func joinWords(words ...string) string {
	var out []string
	for _, w := range words {
		if w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, "  ")
}
