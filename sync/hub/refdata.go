package hub

import (
	"encoding/json"
	"fmt"
)

// StationRefData returns the reference data a station is served: its
// own, else the global copy, else an empty object.
func StationRefData(s RefDataStore, stationID string) ([]byte, error) {
	for _, id := range []string{stationID, ""} {
		data, ok, err := s.RefData(id)
		if err != nil || ok {
			return data, err
		}
	}
	return []byte("{}"), nil
}

// AttachPublicURL adds the hub's public URL (the base of the links
// receipts print) to reference data, so that a station learns it with the
// rest. Reference data that names one already keeps its own, and {} (no
// reference data loaded, which no station takes) stays {}.
func AttachPublicURL(refdata []byte, public string) ([]byte, error) {
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(refdata, &m); err != nil {
		return nil, fmt.Errorf("hub: reference data is not a JSON object: %w", err)
	}
	if _, ok := m["public_url"]; ok || len(m) == 0 {
		return refdata, nil
	}
	v, err := json.Marshal(public)
	if err != nil {
		return nil, err
	}
	m["public_url"] = v
	return json.Marshal(m)
}
