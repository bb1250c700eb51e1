package station

import (
	"github.com/gridkiosk/gridkiosk/appliance/grid"
)

// Place is where a resident belongs: a micro grid, and the person to turn
// to there.
type Place struct {
	// Path is the compound and micro grid, within the station's
	// community; nil when the address does not tell.
	Path *grid.Path `json:"path,omitempty"`
	// Where is the micro grid whose leader is named; "" when the
	// community's grid leader answers instead.
	Where string `json:"where,omitempty"`
	// Leader is the one to turn to: zero when the reference data name
	// nobody.
	Leader Leader `json:"leader"`
}

// Leader is a grid leader as the reference data list them.
type Leader struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Role string `json:"role,omitempty"`
}
