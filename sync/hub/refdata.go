package hub

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
