package hub

import (
	"time"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// HealthStore keeps the stations' health reports: the newest
// HealthHistory of each station, never more, so that 20,000 stations
// reporting every five minutes do not grow the store.
type HealthStore interface {
	// PutHealth stores a report received at at, dropping the station's
	// oldest beyond HealthHistory.
	PutHealth(h wire.Health, at time.Time) error
	// HealthHistory returns up to limit of a station's reports, newest
	// first (all kept for limit ≤ 0).
	HealthHistory(stationID string, limit int) ([]HealthReport, error)
	// LatestHealth returns each station's newest report, by station ID.
	LatestHealth() ([]HealthReport, error)
}

// HealthReport is a health report as the hub keeps it.
type HealthReport struct {
	ReceivedAt time.Time   `json:"received_at"`
	Report     wire.Health `json:"report"`
}

// HealthHistory is how many reports of a station the hub keeps: a day's
// worth at the default interval of 5 minutes, more when devices change
// often. The console's station page shows them.
const HealthHistory = 288
