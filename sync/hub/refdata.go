package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ValidateRefData returns an error unless data is reference data a
// station can take: a JSON object whose "categories", when present, is a
// list of objects with a code and a name each, no code twice. The error
// says where the problem is (line and column of a syntax error), for the
// technician who edits the file.
func ValidateRefData(data []byte) error {
	if !utf8.Valid(data) {
		return errors.New("reference data is not UTF-8 text (save the file as UTF-8)")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// Offset counts the offending byte too.
			line, col := lineCol(data, max(se.Offset-1, 0))
			return fmt.Errorf("reference data: line %d, column %d: %v", line, col, se)
		}
		return errors.New("reference data is not a JSON object {...}")
	}
	if top == nil {
		return errors.New("reference data is not a JSON object {...}")
	}
	raw, ok := top["categories"]
	if !ok {
		return nil
	}
	var cats []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &cats); err != nil || cats == nil {
		return errors.New(`reference data: "categories" must be a list of {"code": ..., "name": ...}`)
	}
	seen := map[string]bool{}
	for i, c := range cats {
		var code, name string
		if json.Unmarshal(c["code"], &code) != nil || code == "" {
			return fmt.Errorf(`reference data: categories[%d]: "code" must be a non-empty string`, i)
		}
		if json.Unmarshal(c["name"], &name) != nil || name == "" {
			return fmt.Errorf(`reference data: categories[%d] (%s): "name" must be a non-empty string`, i, code)
		}
		if seen[code] {
			return fmt.Errorf("reference data: categories[%d]: code %q appears twice", i, code)
		}
		seen[code] = true
	}
	return nil
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = 1 + utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	return line, col
}

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
