package recipe

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRebootRule runs the image's polkit rule (JavaScript, as polkitd's
// duktape runs it) under node with polkit's API stood in: the gridkiosk
// user may reboot, nobody else gets an answer from it, and gridkiosk gets
// nothing else.
func TestRebootRule(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		// make test installs npm (and node with it) for the handwriting
		// data; a machine without node cannot run this rule.
		t.Fatalf("node not found (make deps-test installs it): %v", err)
	}
	rule, err := os.ReadFile("rootfs/etc/polkit-1/rules.d/50-gridkiosk-reboot.rules")
	if err != nil {
		t.Fatal(err)
	}
	harness := `
const rules = [];
const polkit = { addRule: f => rules.push(f), Result: { YES: "yes", NO: "no", NOT_HANDLED: null } };
` + string(rule) + `
const cases = [
  ["gridkiosk", "org.freedesktop.login1.reboot"],
  ["gridkiosk", "org.freedesktop.login1.reboot-multiple-sessions"],
  ["gridkiosk", "org.freedesktop.login1.reboot-ignore-inhibit"],
  ["gridkiosk", "org.freedesktop.login1.power-off"],
  ["gridkiosk", "org.freedesktop.login1.halt"],
  ["gridkiosk", "org.freedesktop.systemd1.manage-units"],
  ["nobody", "org.freedesktop.login1.reboot"],
  ["root", "org.freedesktop.login1.reboot"],
];
for (const [user, id] of cases) {
  let r = null;
  for (const f of rules) { r = f({ id }, { user }); if (r !== null) break; }
  console.log(user + " " + id + " " + r);
}
`
	out, err := exec.Command(node, "-e", harness).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	want := `gridkiosk org.freedesktop.login1.reboot yes
gridkiosk org.freedesktop.login1.reboot-multiple-sessions yes
gridkiosk org.freedesktop.login1.reboot-ignore-inhibit yes
gridkiosk org.freedesktop.login1.power-off null
gridkiosk org.freedesktop.login1.halt null
gridkiosk org.freedesktop.systemd1.manage-units null
nobody org.freedesktop.login1.reboot null
root org.freedesktop.login1.reboot null
`
	if got := string(out); got != want {
		t.Errorf("the rule answers:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(string(rule), "=>") || strings.Contains(string(rule), "let ") || strings.Contains(string(rule), "const ") {
		t.Errorf("the rule uses ES6; polkitd's duktape reads ES5.1")
	}
}
