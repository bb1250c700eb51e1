package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gridkiosk/gridkiosk/appliance"
	"github.com/gridkiosk/gridkiosk/appliance/citizenid"
	"github.com/gridkiosk/gridkiosk/appliance/record"
	"github.com/gridkiosk/gridkiosk/appliance/signedcode"
	"github.com/gridkiosk/gridkiosk/sync/wire/receiptcode"
)

// numberRun is a run of digits long enough to be an ID or phone number.
var numberRun = regexp.MustCompile(`[0-9][0-9Xx\-]{5,}`)

// maskCode is what probe qr shows of a code by default: enough to see
// that the scanner read it whole and what it is, not whom it is about.
// A receipt code (a record ID) is shown as it is, a receipt link
// without its key. A signed code is shown
// by its kind, key, ID, station and validity, with its person masked;
// the signature is not checked, the probe having no hub key. Any other
// text has its long digit runs (ID and phone numbers) masked.
func maskCode(data string) (string, map[string]any) {
	if id, ok := strings.CutPrefix(data, appliance.ReceiptCodePrefix); ok && record.ValidID(id) {
		return data, nil
	}
	if c, base, err := receiptcode.ParseAny(data); err == nil && c.Link {
		// The key opens the record's status page: not for a probe's log.
		return fmt.Sprintf("%s/r/%s?k=… (a receipt link; its key of %d characters hidden)", base, c.ID, len(c.Key)),
			map[string]any{"kind": "receipt link", "hub": base.String(), "record": c.ID}
	}
	if signedcode.Looks(data) {
		if v := signedView(data); v != nil {
			return fmt.Sprintf("%s… (%d characters: %s)", data[:len(signedcode.Prefix)+2], len(data), summary(v)), v
		}
		return fmt.Sprintf("%s… (%d characters; its payload does not decode)", data[:len(signedcode.Prefix)+2], len(data)), nil
	}
	return numberRun.ReplaceAllStringFunc(data, record.MaskDigits), nil
}

// signedView decodes a signed code's payload without checking it, and
// keeps what identifies the code, masking the person.
func signedView(data string) map[string]any {
	body, _, _ := strings.Cut(data[len(signedcode.Prefix)+2:], ".")
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return nil
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil
	}
	v := map[string]any{"signature": "not checked (the probe has no hub key)"}
	switch data[len(signedcode.Prefix)] {
	case 'A':
		v["kind"] = "appointment"
	case 'S':
		v["kind"] = "staff"
	}
	var other []string
	for k, x := range p {
		switch k {
		case "kid", "id", "st", "date", "purpose", "role", "staff":
			v[k] = x
		case "iat", "nbf", "exp":
			if n, ok := x.(float64); ok {
				v[k] = time.Unix(int64(n), 0).In(chinaTime).Format(time.RFC3339)
			}
		case "name":
			if s, ok := x.(string); ok {
				v[k] = citizenid.MaskName(s)
			}
		case "person":
			v[k] = maskPerson(x) // codes from before they were private
		case "holder":
			v[k] = maskHolder(x)
		default:
			other = append(other, k)
		}
	}
	if len(other) > 0 {
		slices.Sort(other)
		v["other_fields"] = other // named, not shown: this probe does not know them
	}
	return v
}

var chinaTime = time.FixedZone("CST", 8*3600)

// maskPerson masks an appointment's person; fields it does not know are
// named only.
func maskPerson(x any) map[string]any {
	p, ok := x.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	var other []string
	for k, x := range p {
		s, _ := x.(string)
		switch k {
		case "name":
			out[k] = citizenid.MaskName(s)
		case "id_number":
			out[k] = citizenid.Mask(s)
		case "phone":
			out[k] = record.MaskDigits(s)
		case "card_type", "nation":
			out[k] = x
		default:
			other = append(other, k)
		}
	}
	if len(other) > 0 {
		slices.Sort(other)
		out["other_fields"] = other
	}
	return out
}

// maskHolder shows a private appointment's holder: the name as the code
// has it (masked by the hub; masked again here in case it is not) and the
// card type; the keyed hash of the ID number is only said to be there.
func maskHolder(x any) map[string]any {
	h, ok := x.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	if s, ok := h["name"].(string); ok {
		out["name"] = citizenid.MaskName(s)
	}
	if s, ok := h["card_type"].(string); ok {
		out["card_type"] = s
	}
	if _, ok := h["idh"]; ok {
		out["idh"] = "keyed hash of the ID number (matched at the station)"
	}
	return out
}

// summary is a signed code's view on one line, keys in a fixed order.
func summary(v map[string]any) string {
	var parts []string
	for _, k := range []string{"kind", "kid", "id", "st", "date", "purpose", "staff", "name", "role", "nbf", "exp", "iat"} {
		if x, ok := v[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %v", k, x))
		}
	}
	if p, ok := v["person"].(map[string]any); ok {
		var ps []string
		for _, k := range []string{"name", "id_number", "phone", "card_type", "nation"} {
			if x, ok := p[k]; ok {
				ps = append(ps, fmt.Sprintf("%v", x))
			}
		}
		parts = append(parts, "person "+strings.Join(ps, " "))
	}
	if h, ok := v["holder"].(map[string]any); ok {
		hs := []string{fmt.Sprint(h["name"])}
		if ct, ok := h["card_type"]; ok {
			hs = append(hs, fmt.Sprint(ct))
		}
		parts = append(parts, "holder "+strings.Join(hs, " "))
	}
	parts = append(parts, "signature not checked")
	return strings.Join(parts, "; ")
}
