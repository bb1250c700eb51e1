package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// RefData is the reference-data document the hub serves at
// GET /v1/stations/{station_id}/refdata (see PROTOCOL.md): the matter
// categories residents choose from, the station's staff, the keys of
// signed codes, the revoked codes and the grid directory. Every part is
// optional on the wire; a station keeps the whole document raw besides,
// for parts it does not know. The station's typed view (appliance.RefData)
// names these same fields.
type RefData struct {
	Categories []Category      `json:"categories"`
	Staff      []Staff         `json:"staff"`
	CodeKeys   []CodeKey       `json:"code_keys"`
	Revoked    []string        `json:"revoked_codes"`
	Grid       json.RawMessage `json:"grid,omitempty"`
	// PublicURL is the hub's address as phones reach it, the base of the
	// links receipts print; the hub adds it when it has one.
	PublicURL string `json:"public_url,omitempty"`
}

// Category is a kind of matter a resident can come for. Code and Name are
// required (ValidateRefData), and no code appears twice.
type Category struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
}

// Staff is a staff member the hub lists for a station.
type Staff struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	// Micro is the micro grid a micro-grid leader answers for.
	Micro string `json:"micro,omitempty"`
	// Phone is where residents reach a grid leader; the hub's status
	// page shows it as the record's contact.
	Phone string `json:"phone,omitempty"`
	// Roles are what the staff member may do besides staff work.
	Roles []string `json:"roles,omitempty"`
	// PINHash is argon2id in the PHC format, as gridhub staff pin set
	// wrote it.
	PINHash string `json:"pin_hash,omitempty"`
}

// HasRole reports whether the staff member has role.
func (s Staff) HasRole(role string) bool { return slices.Contains(s.Roles, role) }

// CodeKey is a public key that signs a station's QR codes.
type CodeKey struct {
	ID      string `json:"id"`
	Ed25519 []byte `json:"ed25519"` // 32 bytes; base64 in JSON
	// IDHashKey is the station's key for the ID-number hashes of private
	// appointment codes; secret to the hub and the station.
	IDHashKey []byte `json:"id_hash_key,omitempty"`
}

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
