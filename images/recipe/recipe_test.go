package recipe

import (
	"bufio"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/appliance/config"
)

// testRecipe checks the recipe's files without building anything: the
// units (with systemd-analyze verify where it exists), the udev rules'
// syntax, fstab, the scripts (bash -n, shellcheck where installed) and the
// check's provisioning file (gridkiosk's own config parser).
func testRecipe(t *testing.T) {
	t.Run("units", testUnits)
	t.Run("systemd-analyze", testSystemdAnalyze)
	t.Run("udev", testUdevRules)
	t.Run("fstab", testFstabTemplate)
	t.Run("scripts", testScripts)
	t.Run("provision", testCheckProvision)
}

const unitDir = "rootfs/usr/lib/systemd/system"

// unitFile is a systemd unit: section, then key, then its values in order.
type unitFile map[string]map[string][]string

// parseUnit reads systemd's ini syntax, failing on anything else.
func parseUnit(t *testing.T, path string) unitFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u, section := unitFile{}, ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		case section == "":
			t.Errorf("%s:%d: %q before any [section]", path, n, line)
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || strings.TrimSpace(k) == "" || strings.HasSuffix(line, "\\") {
				t.Errorf("%s:%d: %q is not key=value", path, n, line)
				continue
			}
			k = strings.TrimSpace(k)
			u[section][k] = append(u[section][k], strings.TrimSpace(v))
		}
	}
	return u
}

func (u unitFile) get(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

func testUnits(t *testing.T) {
	units, _ := filepath.Glob(filepath.Join(unitDir, "*.service"))
	units = append(units, "check/gridkiosk-check.service")
	if len(units) < 5 {
		t.Fatalf("found %d units, want gridkiosk, -provision, -growdata, -udev-local and the check's", len(units))
	}
	for _, path := range units {
		u := parseUnit(t, path)
		for _, s := range []string{"Unit", "Service", "Install"} {
			if u[s] == nil {
				t.Errorf("%s has no [%s]", path, s)
			}
		}
		if u.get("Install", "WantedBy") != "multi-user.target" {
			t.Errorf("%s is not wanted by multi-user.target", path)
		}
		// Every program a unit starts is in the image (ours) or in Debian.
		for _, exe := range u["Service"]["ExecStart"] {
			prog := strings.Fields(strings.TrimLeft(exe, "-@:+!"))[0]
			ours := filepath.Join("rootfs", prog)
			if strings.HasPrefix(prog, "/usr/lib/gridkiosk/") {
				fi, err := os.Stat(ours)
				if err != nil || fi.Mode()&0o111 == 0 {
					t.Errorf("%s starts %s, which the recipe does not ship as an executable", path, prog)
				}
			}
		}
	}

	kiosk := parseUnit(t, filepath.Join(unitDir, "gridkiosk.service"))
	for key, want := range map[string]string{
		"Type": "notify", "NotifyAccess": "all", "Restart": "always", "User": "gridkiosk",
		"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ReadWritePaths": "/var/lib/gridkiosk",
		"ProtectHome": "yes", "PrivateTmp": "yes", "ExecStart": "/usr/lib/gridkiosk/gridkiosk-session",
	} {
		if got := kiosk.get("Service", key); got != want {
			t.Errorf("gridkiosk.service: %s=%q, want %q", key, got, want)
		}
	}
	if kiosk.get("Service", "WatchdogSec") == "" {
		t.Error("gridkiosk.service has no WatchdogSec=")
	}
	groups := strings.Fields(kiosk.get("Service", "SupplementaryGroups"))
	for _, g := range []string{"dialout", "lp", "gpio", "video"} {
		if !contains(groups, g) {
			t.Errorf("gridkiosk.service is not in group %s (serial, printer, GPIO or screen)", g)
		}
	}
	prov := parseUnit(t, filepath.Join(unitDir, "gridkiosk-provision.service"))
	if got := prov.get("Unit", "ConditionPathExists"); got != "/boot/firmware/gridkiosk/provision.toml" {
		t.Errorf("gridkiosk-provision.service: ConditionPathExists=%q", got)
	}
	if !contains(strings.Fields(prov.get("Unit", "Before")), "gridkiosk.service") {
		t.Error("gridkiosk-provision.service does not run before gridkiosk.service")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// testSystemdAnalyze runs systemd-analyze verify on the units in a
// throwaway root holding the host's units beside the recipe's, so that
// dependencies and programs resolve; any complaint fails.
func testSystemdAnalyze(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Log("systemd-analyze not installed: units checked by the parser above only")
		return
	}
	root := t.TempDir()
	copyTree(t, "rootfs", root)
	copyFile(t, "check/gridkiosk-check.service", filepath.Join(root, "etc/systemd/system/gridkiosk-check.service"), 0o644)
	copyFile(t, "check/gridkiosk-check", filepath.Join(root, "usr/local/sbin/gridkiosk-check"), 0o755)
	hostUnits := "/usr/lib/systemd/system"
	if _, err := os.Stat(filepath.Join(hostUnits, "sysinit.target")); err != nil {
		hostUnits = "/lib/systemd/system"
	}
	entries, err := os.ReadDir(hostUnits)
	if err != nil || len(entries) == 0 {
		t.Logf("no systemd units on this machine (%v): skipping systemd-analyze verify", err)
		return
	}
	for _, e := range entries {
		dst := filepath.Join(root, unitDir[len("rootfs/"):], e.Name())
		if _, err := os.Lstat(dst); err == nil {
			continue
		}
		src := filepath.Join(hostUnits, e.Name())
		if e.Type()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(src)
			os.Symlink(target, dst)
		} else if e.Type().IsRegular() {
			copyFile(t, src, dst, 0o644)
		}
	}
	// Debian's programs the units start.
	for _, prog := range []string{"/bin/mkdir", "/bin/ln", "/bin/udevadm"} {
		if _, err := os.Stat(prog); err == nil {
			copyFile(t, prog, filepath.Join(root, prog), 0o755)
		}
	}
	units := []string{"gridkiosk.service", "gridkiosk-provision.service", "gridkiosk-growdata.service",
		"gridkiosk-udev-local.service", "gridkiosk-trial.service", "gridkiosk-check.service"}
	out, err := exec.Command("systemd-analyze", append([]string{"verify", "--root=" + root}, units...)...).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, strings.TrimPrefix(p, src))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		copyFile(t, p, target, fi.Mode().Perm())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, mode); err != nil {
		t.Fatal(err)
	}
}

// udevPair is one KEY{attr}OP"value" of a rule line.
var udevPair = regexp.MustCompile(`^\s*([A-Z_]+)(\{[^}]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)`)

// udevKeys are the keys the rules may use, matching and assigning.
var udevKeys = map[string]bool{
	"ACTION": true, "SUBSYSTEM": true, "KERNEL": true, "ATTRS": true, "ATTR": true, "ENV": true,
	"GROUP": true, "MODE": true, "SYMLINK": true, "RUN": true, "GOTO": true, "LABEL": true, "TAG": true,
	"DRIVERS": true, "SUBSYSTEMS": true, "KERNELS": true, "OWNER": true,
}

// parseRules checks the syntax of a udev rules file and returns the
// values of its GOTOs and LABELs and what it sets GRIDKIOSK_ROLE to.
func parseRules(t *testing.T, path string) (gotos, labels, roles map[string]bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	gotos, labels, roles = map[string]bool{}, map[string]bool{}, map[string]bool{}
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		for rest := line; rest != ""; {
			m := udevPair.FindStringSubmatch(rest)
			if m == nil {
				t.Errorf("%s:%d: cannot parse %q", path, n+1, rest)
				break
			}
			key, attr, op, val := m[1], m[2], m[3], m[4]
			if !udevKeys[key] {
				t.Errorf("%s:%d: unknown key %s", path, n+1, key)
			}
			if (key == "ATTRS" || key == "ATTR" || key == "ENV") && attr == "" {
				t.Errorf("%s:%d: %s needs {name}", path, n+1, key)
			}
			switch key {
			case "GOTO":
				gotos[val] = true
			case "LABEL":
				labels[val] = true
			case "ENV":
				if attr == "{GRIDKIOSK_ROLE}" && op == "=" {
					roles[val] = true
				}
			}
			if (key == "GOTO" || key == "LABEL" || key == "SYMLINK" || key == "RUN") && op != "=" && op != "+=" {
				t.Errorf("%s:%d: %s%s cannot be matched", path, n+1, key, op)
			}
			rest = rest[len(m[0]):]
		}
	}
	return gotos, labels, roles
}

func testUdevRules(t *testing.T) {
	path := "rootfs/usr/lib/udev/rules.d/70-gridkiosk.rules"
	gotos, labels, roles := parseRules(t, path)
	for g := range gotos {
		if !labels[g] {
			t.Errorf("%s: GOTO %q has no LABEL", path, g)
		}
	}
	for _, r := range []string{"idcard", "scanner", "printer"} {
		if !roles[r] {
			t.Errorf("%s never names a device %s", path, r)
		}
	}
	// The USB IDs chosen: the bridges and scanner makers the header lists.
	b, _ := os.ReadFile(path)
	for _, id := range []string{`"1a86"`, `"10c4"`, `"067b"`, `"0403"`, `"0c2e"`, `"1eab"`} {
		if !strings.Contains(string(b), id) {
			t.Errorf("%s does not match USB vendor %s", path, id)
		}
	}
	_, _, exRoles := parseRules(t, "rootfs/usr/share/doc/gridkiosk/local.rules.example")
	if len(exRoles) == 0 {
		t.Error("local.rules.example sets no GRIDKIOSK_ROLE")
	}
}

func testFstabTemplate(t *testing.T) {
	b, err := os.ReadFile("rootfs/etc/fstab")
	if err != nil {
		t.Fatal(err)
	}
	im := &image{table: partitionTable{Label: "gpt", Partitions: []partition{
		{UUID: "@BOOT_PARTUUID@"}, {UUID: "@ROOT_A_PARTUUID@"}, {UUID: "@ROOT_B_PARTUUID@"}, {UUID: "@DATA_PARTUUID@"}}}}
	// The template's placeholders stand where the image's PARTUUIDs go.
	fstab := strings.NewReplacer("@BOOT_PARTUUID@", "@boot_partuuid@", "@DATA_PARTUUID@", "@data_partuuid@").Replace(string(b))
	checkFstab(t, im, fstab)
}

func testScripts(t *testing.T) {
	scripts := []string{"build.sh", "check.sh", "customize.sh", "lib.sh", "check/gridkiosk-check",
		"version.sh", "bundle-keys.sh", "bundle.sh", "rauc/boot-efi", "rauc/boot-tryboot", "rauc/rauc-boot-lib.sh",
		"rootfs/usr/lib/gridkiosk/gridkiosk-session", "rootfs/usr/lib/gridkiosk/gridkiosk-provision",
		"rootfs/usr/lib/gridkiosk/gridkiosk-growdata", "rootfs/usr/lib/gridkiosk/gridkiosk-trial"}
	// Sourced, not run.
	lib := map[string]bool{"lib.sh": true, "rauc/rauc-boot-lib.sh": true}
	for _, s := range scripts {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Error(err)
			continue
		}
		text := string(b)
		shell := "bash"
		if strings.HasPrefix(text, "#!/bin/sh") {
			shell = "sh"
		}
		if out, err := exec.Command(shell, "-n", s).CombinedOutput(); err != nil {
			t.Errorf("%s -n %s: %v\n%s", shell, s, err, out)
		}
		strict := map[string]string{"bash": "set -euo pipefail", "sh": "set -eu"}[shell]
		if s != "check/gridkiosk-check" && !lib[s] && !strings.Contains(text, "\n"+strict+"\n") {
			t.Errorf("%s does not start with %q", s, strict)
		}
		if fi, _ := os.Stat(s); !lib[s] && fi.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable", s)
		}
	}
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Log("shellcheck not installed: scripts checked with -n only")
		return
	}
	if out, err := exec.Command("shellcheck", append([]string{"-x"}, scripts...)...).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}

// testCheckProvision: check.sh provisions the booted copy with a file
// that gridkiosk itself accepts.
func testCheckProvision(t *testing.T) {
	c, err := config.Load("check/provision.toml")
	if err != nil {
		t.Fatalf("check/provision.toml: %v", err)
	}
	if c.Admin.Listen != "127.0.0.1:8765" || c.Storage.Dir != "/var/lib/gridkiosk" {
		t.Errorf("check/provision.toml: admin %s, storage %s; gridkiosk-check expects 127.0.0.1:8765 and /var/lib/gridkiosk",
			c.Admin.Listen, c.Storage.Dir)
	}
}
