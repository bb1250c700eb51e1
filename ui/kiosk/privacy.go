package kiosk

import (
	"fmt"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/ui"
)

// What the resident's screens show of a person is what a passer-by may
// read over their shoulder: not enough to rebuild an ID number or to find
// the door of a named person. The ID number comes masked from the station
// (1410**********122X, SessionView); the screens mask the rest with the
// same rules (appliance/citizenid), since the staff screens and the admin
// API are given the whole of the session view. With the birth date and
// county hidden, the masked number's hidden digits are not to be had.

// shownName is a name as the screens show it: 王*兰.
func shownName(name string) string { return citizenid.MaskName(name) }

// shownAddress is an address down to the compound: 幸福湾社区7号院**.
func shownAddress(addr string) string { return citizenid.MaskAddress(addr) }

// birthYearWord is the year of birth only: with the month and day it
// would give away eight hidden digits of the ID number.
func birthYearWord(lang, birth string) string {
	t, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		return ""
	}
	return ui.Tr(lang, fmt.Sprintf("%d年出生", t.Year()), fmt.Sprintf("born %d", t.Year()))
}
