package recipe

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gridkiosk/gridkiosk/sync/wire"
)

// checkUpdates: what RAUC needs in the root: its configuration with the
// two slots (and nothing else: the boot and data partitions are never
// written by an update), the keyring, this architecture's boot loader
// backend, the D-Bus service and the policy letting gridkiosk use it, and
// the system version.
func checkUpdates(t *testing.T, im *image, arch string) {
	t.Helper()
	const root = 2
	conf := string(im.file(t, root, "/etc/rauc/system.conf"))
	for _, want := range []string{"compatible=gridkiosk-" + arch, "bootloader=custom", "bundle-formats=verity",
		"statusfile=/var/lib/gridkiosk/.system/rauc.status", "path=/etc/rauc/keyring.pem",
		"bootloader-custom-backend=/usr/lib/gridkiosk/rauc-boot-backend",
		"[slot.rootfs.0]\ndevice=/dev/disk/by-partuuid/" + im.partUUID(2) + "\ntype=ext4\nbootname=A\n",
		"[slot.rootfs.1]\ndevice=/dev/disk/by-partuuid/" + im.partUUID(3) + "\ntype=ext4\nbootname=B\n"} {
		if !strings.Contains(conf, want) {
			t.Errorf("/etc/rauc/system.conf lacks %q:\n%s", want, conf)
		}
	}
	if n := strings.Count(conf, "[slot."); n != 2 {
		t.Errorf("/etc/rauc/system.conf has %d slots, want 2 (rootfs.0, rootfs.1): boot and data are not RAUC's", n)
	}
	for _, n := range []int{1, 4} {
		if strings.Contains(conf, im.partUUID(n)) {
			t.Errorf("/etc/rauc/system.conf names partition %d: an update could write it", n)
		}
	}

	keyring := im.file(t, root, "/etc/rauc/keyring.pem")
	if !bytes.Contains(keyring, []byte("-----BEGIN CERTIFICATE-----")) {
		t.Error("/etc/rauc/keyring.pem holds no certificate")
	}
	if want := os.Getenv("GRIDKIOSK_KEYRING"); want != "" {
		b, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, keyring) {
			t.Errorf("/etc/rauc/keyring.pem is not %s", want)
		}
	}

	backend := map[string]string{"amd64": "rauc/boot-efi", "arm64": "rauc/boot-tryboot"}[arch]
	for src, dst := range map[string]string{backend: "/usr/lib/gridkiosk/rauc-boot-backend",
		"rauc/rauc-boot-lib.sh": "/usr/lib/gridkiosk/rauc-boot-lib.sh"} {
		want, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := im.file(t, root, dst); !bytes.Equal(got, want) {
			t.Errorf("%s is not the recipe's %s", dst, src)
		}
	}
	if m := mode(t, im.stat(t, root, "/usr/lib/gridkiosk/rauc-boot-backend")); m != "755" {
		t.Errorf("rauc-boot-backend has mode %s, want 755", m)
	}

	for _, f := range []string{"/usr/bin/rauc", "/usr/lib/systemd/system/rauc.service",
		"/usr/share/dbus-1/system-services/de.pengutronix.rauc.service", "/usr/lib/gridkiosk/gridkiosk-trial",
		"/usr/lib/systemd/system/gridkiosk-trial.service", "/usr/lib/polkit-1/polkitd"} {
		im.stat(t, root, f)
	}
	// The station reboots into an update as user gridkiosk: logind asks
	// polkit, and this rule says yes (make update-check found the reboot
	// "Access denied" without it).
	rule := "/etc/polkit-1/rules.d/50-gridkiosk-reboot.rules"
	if want, err := os.ReadFile("rootfs" + rule); err != nil {
		t.Fatal(err)
	} else if got := im.file(t, root, rule); !bytes.Equal(got, want) {
		t.Errorf("%s is not the recipe's", rule)
	}
	policy := string(im.file(t, root, "/etc/dbus-1/system.d/gridkiosk-rauc.conf"))
	if !regexp.MustCompile(`<policy user="gridkiosk">\s*<allow send_destination="de.pengutronix.rauc"/>`).MatchString(policy) {
		t.Errorf("the D-Bus policy does not let gridkiosk call RAUC:\n%s", policy)
	}

	v := strings.TrimSpace(string(im.file(t, root, "/usr/lib/gridkiosk/system-version")))
	if err := wire.CheckVersion(v); err != nil {
		t.Errorf("/usr/lib/gridkiosk/system-version: %v", err)
	}
	t.Logf("system version %s", v)
}
