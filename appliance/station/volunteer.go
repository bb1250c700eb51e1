package station

import (
	"errors"
	"time"
)

// MaxServiceMinutes is the most service one volunteer record may carry: a
// day. A longer check-in (someone forgot to check out) is recorded as a day.
const MaxServiceMinutes = 24 * 60

// ErrCheckedIn is returned by CheckIn for a name already checked in:
// names are how staff tell volunteers apart on the list.
var ErrCheckedIn = errors.New("appliance: this volunteer is already checked in / 这位志愿者已经签到了")

// ErrNotCheckedIn is returned by CheckOut for a name not checked in (on
// another screen a moment ago, perhaps).
var ErrNotCheckedIn = errors.New("appliance: this volunteer is not checked in / 这位志愿者没有签到")

// CheckIn is a volunteer serving at the station now. The station keeps it
// sealed in its database, so a restart or a power cut forgets nobody's
// service: nothing is recorded for the hub until the volunteer checks out.
type CheckIn struct {
	Name        string    `json:"name"`
	PartyMember bool      `json:"party_member"`
	Service     string    `json:"service"` // a usual service's Chinese name, or what was typed
	Since       time.Time `json:"since"`
}

// Service is what a check-out recorded.
type Service struct {
	CheckIn
	Ack     Ack // the volunteer record's acknowledgement
	Minutes int
	Capped  bool // the check-in was longer than MaxServiceMinutes
}

// ServiceMinutes is the service from since to now in whole minutes, at
// least one; capped says it was cut to MaxServiceMinutes.
func ServiceMinutes(since, now time.Time) (minutes int, capped bool) {
	m := int(now.Sub(since).Round(time.Minute) / time.Minute)
	switch {
	case m < 1:
		return 1, false
	case m > MaxServiceMinutes:
		return MaxServiceMinutes, true
	}
	return m, false
}
