package station_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gridkiosk/gridkiosk"

// A rule of the layout: the packages of pattern depend on nothing whose
// import path starts with one of forbidden, except what allowed names.
type rule struct {
	pattern   string
	forbidden []string
	allowed   []string
	why       string
}

// The screens and the admin API speak the station's language: a change in
// storage or in a driver must not break them, so they reach neither (only
// the bundled font and the receipt renderer, which draw what a screen
// shows) nor the appliance's implementation. The vocabulary itself, the
// record rules and the config stand below all that.
var rules = []rule{
	{
		pattern:   module + "/ui/...",
		forbidden: []string{module + "/sync/", module + "/drivers/", module + "/appliance"},
		allowed: []string{module + "/drivers/fonts", module + "/drivers/printer/escposview", module + "/appliance/station",
			module + "/appliance/record", module + "/appliance/config", module + "/appliance/grid",
			module + "/appliance/citizenid", module + "/appliance/signedcode"},
		why: "the screens use appliance/station and declare the interfaces they need",
	},
	{
		pattern:   module + "/appliance/adminapi",
		forbidden: []string{module + "/sync/", module + "/drivers/", module + "/appliance"},
		allowed: []string{module + "/appliance/adminapi", module + "/appliance/station", module + "/appliance/record",
			module + "/appliance/config", module + "/appliance/grid", module + "/appliance/citizenid",
			module + "/appliance/signedcode"},
		why: "the admin API uses appliance/station and declares the interface it needs",
	},
	{
		pattern:   module + "/appliance/station",
		forbidden: []string{module + "/"},
		allowed:   []string{module + "/appliance/station", module + "/appliance/grid"},
		why:       "the station's vocabulary is a leaf",
	},
	{
		pattern:   module + "/appliance/record",
		forbidden: []string{module + "/sync/", module + "/drivers/"},
		why:       "the record rules take the kinds from their caller, and nations from internal/codes/nation",
	},
	{
		pattern:   module + "/appliance/config",
		forbidden: []string{module + "/sync/", module + "/drivers/"},
		why:       "the config reads key pins with internal/spki",
	},
}

func TestLayering(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to list the packages with: %v", err)
	}
	for _, r := range rules {
		t.Run(strings.TrimPrefix(r.pattern, module+"/"), func(t *testing.T) {
			// Every package the pattern's packages depend on, with its
			// imports, to name who brings a forbidden one in.
			out, err := exec.Command(gobin, "list", "-deps", "-f", "{{.ImportPath}}:{{join .Imports \" \"}}", r.pattern).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", r.pattern, err)
			}
			roots, err := exec.Command(gobin, "list", r.pattern).Output()
			if err != nil {
				t.Fatalf("go list %s: %v", r.pattern, err)
			}
			imports := map[string][]string{}
			for line := range strings.Lines(string(out)) {
				pkg, imps, _ := strings.Cut(strings.TrimSpace(line), ":")
				imports[pkg] = strings.Fields(imps)
			}
			for root := range strings.Lines(string(roots)) {
				root = strings.TrimSpace(root)
				if path := r.bad(root, imports, map[string]bool{}); path != nil {
					t.Errorf("%s depends on %s (%s), which it may not: %s",
						root, path[len(path)-1], strings.Join(path, " → "), r.why)
				}
			}
		})
	}
}

// bad returns the import path from pkg to a forbidden package, or nil.
func (r rule) bad(pkg string, imports map[string][]string, seen map[string]bool) []string {
	if seen[pkg] {
		return nil
	}
	seen[pkg] = true
	for _, imp := range imports[pkg] {
		if r.forbids(imp) {
			return []string{pkg, imp}
		}
		if path := r.bad(imp, imports, seen); path != nil {
			return append([]string{pkg}, path...)
		}
	}
	return nil
}

func (r rule) forbids(pkg string) bool {
	if slices.Contains(r.allowed, pkg) {
		return false
	}
	for _, f := range r.forbidden {
		if pkg == f || strings.HasPrefix(pkg, f) && (strings.HasSuffix(f, "/") || strings.HasPrefix(pkg, f+"/")) {
			return true
		}
	}
	return false
}
