package appliance

import (
	"context"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance/station"
	"github.com/gridkiosk/gridkiosk/drivers/panel"
)

// cardReminderEvery is how often the buzzer reminds a resident whose
// registration is stored that their ID card still lies on the reader:
// often enough to be heard as a call, seldom enough not to alarm.
const cardReminderEvery = 3 * time.Second

// cardReminder beeps while a stored registration's card lies on the
// reader: the done screen says 请取回您的身份证, and a resident who has
// turned away to take the receipt hears it. It stops when the reader
// reports the card lifted, when the session ends (the next resident, the
// idle wipe) or when ctx ends.
func (s *Station) cardReminder(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.remind:
		}
		s.remindUntilLifted(ctx)
	}
}

func (s *Station) remindUntilLifted(ctx context.Context) {
	t := time.NewTicker(cardReminderEvery)
	defer t.Stop()
	beep := true
	for {
		v := s.Session()
		if v.State != station.SessionSubmitted || !v.CardOnReader {
			return
		}
		if beep {
			s.pnl.beep(panel.BeepLong)
			beep = false
		}
		// A change (the card lifted, a new session) is looked at at
		// once; the beat keeps to the ticker.
		changed := s.SessionChanged()
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-t.C:
			beep = true
		}
	}
}
