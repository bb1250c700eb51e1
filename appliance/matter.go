package appliance

import (
	"context"
	"strings"

	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/station"
)

// kioskMatterNote is a matter record's description when the resident
// typed none: the hub's staff read from it that the details are to be
// heard in person or on the phone.
const kioskMatterNote = "居民在自助终端反映此事项，未留文字说明，请当面或电话了解详情。"

// ReportMatter stores a matter a resident reports without an ID card: a
// category, a phone number if they left one, nothing else about them. It
// takes the typed path every record takes (store); a *record.FieldError
// names a wrong field (a phone number that is not one) and nothing is
// stored.
func (s *Station) ReportMatter(ctx context.Context, m station.MatterReport) (station.Ack, error) {
	desc := strings.TrimSpace(m.Description)
	if desc == "" {
		desc = kioskMatterNote
	}
	p := &record.Matter{Category: m.Category, Description: desc, Phone: strings.TrimSpace(m.Phone)}
	ack, err := s.store(ctx, draft{payload: p})
	if err != nil {
		return station.Ack{}, err
	}
	s.log.Info("appliance: matter reported at the kiosk", "record", ack.ID, "category", m.Category, "phone", p.Phone != "")
	if s.prn != nil {
		// The resident takes the receipt with the ticket home, as after a
		// registration.
		go s.selfServiceReceipt(ack.ID)
	}
	return ack, nil
}
