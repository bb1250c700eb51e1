// Package station is the station's vocabulary for its screens and its
// admin API: the day's rows and their states, the errors they tell
// residents and staff about, the registration session, staff, panel and
// health views, submission acknowledgements, print jobs and their results,
// and the card reader's statistics.
//
// Package appliance implements the station and maps what its storage
// (sync/outbox) and drivers (drivers/...) say onto these types, so that a
// change there does not break a screen. This package is a leaf: it imports
// no sync/..., no drivers/... and nothing of the appliance's
// implementation, and the screens (ui/...) and appliance/adminapi import
// it rather than those.
package station
