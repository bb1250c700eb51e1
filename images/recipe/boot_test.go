package recipe

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// backendRun runs a boot loader backend script with its environment.
type backendRun struct {
	t      *testing.T
	script string
	env    []string
}

func (b *backendRun) run(args ...string) (string, error) {
	b.t.Helper()
	cmd := exec.Command(b.script, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Env = append(cmd.Env, b.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%s %s: %w: %s", filepath.Base(b.script), strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String()), err
}

// do runs a command that must succeed.
func (b *backendRun) do(args ...string) {
	b.t.Helper()
	if _, err := b.run(args...); err != nil {
		b.t.Fatal(err)
	}
}

// want runs a command that must succeed and print want.
func (b *backendRun) want(want string, args ...string) {
	b.t.Helper()
	got, err := b.run(args...)
	if err != nil {
		b.t.Fatal(err)
	}
	if got != want {
		b.t.Fatalf("%s: %q, want %q", strings.Join(args, " "), got, want)
	}
}

// fail runs a command that must fail, saying why in words that include
// each of reasons.
func (b *backendRun) fail(reason string, args ...string) {
	b.t.Helper()
	_, err := b.run(args...)
	if err == nil {
		b.t.Fatalf("%s succeeded, want an error about %q", strings.Join(args, " "), reason)
	}
	if !strings.Contains(err.Error(), reason) {
		b.t.Fatalf("%s: %v, want an error about %q", strings.Join(args, " "), err, reason)
	}
}

// slotTrees makes two root file systems' /boot (and a Pi's device trees)
// with kernels that tell which slot and version they came from.
func slotTrees(t *testing.T, kver string) string {
	t.Helper()
	dir := t.TempDir()
	for _, slot := range []string{"A", "B"} {
		files := map[string]string{
			"boot/vmlinuz-" + kver:    "kernel " + kver + " of slot " + slot,
			"boot/initrd.img-" + kver: "initramfs " + kver + " of slot " + slot,
			"usr/lib/linux-image-" + kver + "/broadcom/bcm2711-rpi-4-b.dtb": "\xd0\x0d\xfe\xed pi4 " + slot,
			"usr/lib/linux-image-" + kver + "/broadcom/bcm2712-rpi-5-b.dtb": "\xd0\x0d\xfe\xed pi5 " + slot,
		}
		for name, content := range files {
			writeFile(t, filepath.Join(dir, slot, name), content)
		}
	}
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newESP is an EFI system partition as build.sh lays it out: slot A
// confirmed, slot B's entry with no tries left.
func newESP(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "loader/loader.conf"), "default gridkiosk-*\ntimeout 0\neditor no\n")
	writeFile(t, filepath.Join(dir, "loader/entries/gridkiosk-a.conf"),
		"title gridkiosk (slot A)\nsort-key gridkiosk-0\nlinux /A/vmlinuz\ninitrd /A/initrd.img\noptions root=PARTUUID=a rauc.slot=A ro\n")
	writeFile(t, filepath.Join(dir, "loader/entries/gridkiosk-b+0.conf"),
		"title gridkiosk (slot B)\nsort-key gridkiosk-1\nlinux /B/vmlinuz\ninitrd /B/initrd.img\noptions root=PARTUUID=b rauc.slot=B ro\n")
	writeFile(t, filepath.Join(dir, "A/vmlinuz"), "kernel of the image")
	writeFile(t, filepath.Join(dir, "A/initrd.img"), "initramfs of the image")
	return dir
}

var entryName = regexp.MustCompile(`^(gridkiosk-[ab])(?:\+(\d+)(?:-(\d+))?)?\.conf$`)

// sdBoot is systemd-boot choosing and starting an entry, as its boot
// loader specification and source say: entries matching loader.conf's
// default pattern, those with no tries left last, then by sort-key; an
// entry with a counter is renamed, one try fewer and one more done,
// before its kernel starts. It returns the slot started, whose kernel
// must be on the ESP.
func sdBoot(t *testing.T, esp string) string {
	t.Helper()
	conf := readFile(t, filepath.Join(esp, "loader/loader.conf"))
	pattern := regexp.MustCompile(`(?m)^default\s+(\S+)`).FindStringSubmatch(conf)[1]
	type entry struct {
		file, sortKey, linux string
		left, done           int // left -1: no counter
	}
	var entries []entry
	names, _ := filepath.Glob(filepath.Join(esp, "loader/entries/*.conf"))
	for _, n := range names {
		base := filepath.Base(n)
		if ok, _ := filepath.Match(pattern, base); !ok {
			continue
		}
		m := entryName.FindStringSubmatch(base)
		if m == nil {
			t.Fatalf("loader entry %s: not a gridkiosk entry name", base)
		}
		e := entry{file: n, left: -1}
		if m[2] != "" {
			e.left, _ = strconv.Atoi(m[2])
			e.done, _ = strconv.Atoi(m[3])
		}
		text := readFile(t, n)
		e.sortKey = regexp.MustCompile(`(?m)^sort-key\s+(\S+)`).FindStringSubmatch(text)[1]
		e.linux = regexp.MustCompile(`(?m)^linux\s+(\S+)`).FindStringSubmatch(text)[1]
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		t.Fatal("systemd-boot finds no entry to boot")
	}
	sort.SliceStable(entries, func(i, j int) bool {
		if bi, bj := entries[i].left == 0, entries[j].left == 0; bi != bj {
			return bj
		}
		return entries[i].sortKey < entries[j].sortKey
	})
	e := entries[0]
	if e.left > 0 {
		m := entryName.FindStringSubmatch(filepath.Base(e.file))
		next := fmt.Sprintf("%s+%d-%d.conf", m[1], e.left-1, e.done+1)
		if err := os.Rename(e.file, filepath.Join(esp, "loader/entries", next)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(esp, e.linux)); err != nil {
		t.Fatalf("systemd-boot starts %s, which is not on the ESP", e.linux)
	}
	return strings.ToUpper(strings.TrimPrefix(filepath.Base(filepath.Dir(e.linux)), "/"))
}

// efiStation is the ESP, the slots and the command line of a station
// running slot booted.
func efiStation(t *testing.T) (*backendRun, string, string) {
	esp := newESP(t)
	trees := slotTrees(t, "6.1.0-99-amd64")
	cmdline := filepath.Join(t.TempDir(), "cmdline")
	writeFile(t, cmdline, "root=PARTUUID=a rauc.slot=A ro quiet\n")
	return &backendRun{t: t, script: "rauc/boot-efi", env: []string{"GK_BOOT_DIR=" + esp, "GK_SLOT_TREES=" + trees,
		"GK_CMDLINE=" + cmdline}}, esp, trees
}

// rebootInto is a reboot: systemd-boot picks the slot, whose kernel
// command line the backend then reads.
func rebootInto(t *testing.T, b *backendRun, esp string, want string) {
	t.Helper()
	got := sdBoot(t, esp)
	if got != want {
		t.Fatalf("systemd-boot started slot %s, want %s (entries: %v)", got, want, entryFiles(t, esp))
	}
	var cmdline string
	for _, e := range b.env {
		if v, ok := strings.CutPrefix(e, "GK_CMDLINE="); ok {
			cmdline = v
		}
	}
	writeFile(t, cmdline, "root=PARTUUID=x rauc.slot="+got+" ro\n")
	b.want(got, "get-current")
}

func entryFiles(t *testing.T, esp string) []string {
	names, _ := filepath.Glob(filepath.Join(esp, "loader/entries/*.conf"))
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	return names
}

// install is what RAUC 1.8 asks of the backend when it installs into
// slot: the slot marked bad before it is written, then made primary.
func install(b *backendRun, slot string) {
	b.t.Helper()
	b.do("set-state", slot, "bad")
	b.do("set-primary", slot)
}

func TestBootEFI(t *testing.T) {
	t.Run("fresh image", func(t *testing.T) {
		b, esp, _ := efiStation(t)
		b.want("A", "get-primary")
		b.want("A", "get-current")
		b.want("good", "get-state", "A")
		b.want("bad", "get-state", "B")
		rebootInto(t, b, esp, "A")
		rebootInto(t, b, esp, "A")
	})
	t.Run("set-primary B tries B with 6 tries", func(t *testing.T) {
		b, esp, trees := efiStation(t)
		install(b, "B")
		if got := entryFiles(t, esp); !contains(got, "gridkiosk-b+6.conf") || !contains(got, "gridkiosk-a.conf") {
			t.Fatalf("entries after set-primary B: %v, want gridkiosk-a.conf and gridkiosk-b+6.conf", got)
		}
		for _, f := range []string{"vmlinuz", "initrd.img"} {
			src := map[string]string{"vmlinuz": "boot/vmlinuz-6.1.0-99-amd64", "initrd.img": "boot/initrd.img-6.1.0-99-amd64"}[f]
			if got, want := readFile(t, filepath.Join(esp, "B", f)), readFile(t, filepath.Join(trees, "B", src)); got != want {
				t.Errorf("ESP's B/%s is %q, want slot B's %q", f, got, want)
			}
		}
		b.want("B", "get-primary")
		b.want("bad", "get-state", "B")
		b.want("good", "get-state", "A")
		rebootInto(t, b, esp, "B")
		if !contains(entryFiles(t, esp), "gridkiosk-b+5-1.conf") {
			t.Errorf("after one boot of B: %v, want gridkiosk-b+5-1.conf", entryFiles(t, esp))
		}
	})
	t.Run("failed trial returns to A", func(t *testing.T) {
		b, esp, _ := efiStation(t)
		install(b, "B")
		rebootInto(t, b, esp, "B")
		b.do("set-state", "B", "bad") // rauc status mark-bad booted
		b.want("A", "get-primary")
		b.want("bad", "get-state", "B")
		rebootInto(t, b, esp, "A")
		rebootInto(t, b, esp, "A")
	})
	t.Run("tries used up return to A", func(t *testing.T) {
		b, esp, _ := efiStation(t)
		install(b, "B")
		// A kernel that never reaches user space: nothing marks it.
		for i := 0; i < 6; i++ {
			if got := sdBoot(t, esp); got != "B" {
				t.Fatalf("boot %d started %s, want B (6 tries)", i+1, got)
			}
		}
		b.want("A", "get-primary")
		rebootInto(t, b, esp, "A")
		if !contains(entryFiles(t, esp), "gridkiosk-b+0-6.conf") {
			t.Errorf("entries %v, want gridkiosk-b+0-6.conf", entryFiles(t, esp))
		}
	})
	t.Run("mark good makes B permanent", func(t *testing.T) {
		b, esp, _ := efiStation(t)
		install(b, "B")
		rebootInto(t, b, esp, "B")
		b.do("set-state", "B", "good") // rauc status mark-good booted
		b.want("good", "get-state", "B")
		b.want("B", "get-primary")
		if got := entryFiles(t, esp); !contains(got, "gridkiosk-b.conf") {
			t.Fatalf("entries %v, want gridkiosk-b.conf", got)
		}
		for i := 0; i < 8; i++ {
			rebootInto(t, b, esp, "B")
		}
		// The next update goes to A, which had stayed good.
		install(b, "A")
		b.want("A", "get-primary")
		rebootInto(t, b, esp, "A")
		b.do("set-state", "A", "bad")
		rebootInto(t, b, esp, "B")
	})
	t.Run("mark-active of a good slot keeps it good", func(t *testing.T) {
		b, esp, _ := efiStation(t)
		b.do("set-primary", "A")
		b.want("good", "get-state", "A")
		if got := entryFiles(t, esp); !contains(got, "gridkiosk-a.conf") {
			t.Fatalf("entries %v, want gridkiosk-a.conf", got)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		b, esp, trees := efiStation(t)
		b.fail("unknown slot 'C'", "set-primary", "C")
		b.fail("good or bad", "set-state", "B", "maybe")
		b.fail("usage", "frobnicate")
		// A slot with no kernel is never made primary.
		if err := os.RemoveAll(filepath.Join(trees, "B", "boot")); err != nil {
			t.Fatal(err)
		}
		b.do("set-state", "B", "bad")
		b.fail("holds no kernel", "set-primary", "B")
		b.want("A", "get-primary")
		rebootInto(t, b, esp, "A")
		// Two entries for one slot: which would boot is not ours to guess.
		writeFile(t, filepath.Join(esp, "loader/entries/gridkiosk-a+3.conf"), "sort-key gridkiosk-0\n")
		b.fail("want one loader entry for slot A", "get-state", "A")
	})
}

// newPiBoot is the Pi's boot partition as build.sh lays it out.
func newPiBoot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "autoboot.txt"), "[all]\ntryboot_a_b=1\nboot_partition=1\n[tryboot]\nboot_partition=1\n")
	writeFile(t, filepath.Join(dir, "config.txt"), "arm_64bit=1\nkernel=vmlinuz\ninitramfs initrd.img followkernel\n"+
		"[all]\nos_prefix=A/\n[tryboot]\nos_prefix=B/\n[all]\n")
	writeFile(t, filepath.Join(dir, "A/vmlinuz"), "kernel of the image")
	writeFile(t, filepath.Join(dir, "A/cmdline.txt"), "root=PARTUUID=x-02 rauc.slot=A ro\n")
	writeFile(t, filepath.Join(dir, "B/cmdline.txt"), "root=PARTUUID=x-03 rauc.slot=B ro\n")
	return dir
}

// piBoot is the Pi firmware starting: autoboot.txt's tryboot_a_b=1 with
// partition 1 either way, so config.txt, with its [tryboot] section
// applying only when the reboot asked for tryboot (the flag is then
// cleared: one boot). The last os_prefix that applies wins. It returns
// the slot started, whose kernel must be in its folder.
func piBoot(t *testing.T, boot string, tryboot bool) string {
	t.Helper()
	auto := readFile(t, filepath.Join(boot, "autoboot.txt"))
	if !strings.Contains(auto, "tryboot_a_b=1") {
		t.Fatal("autoboot.txt lacks tryboot_a_b=1")
	}
	prefix, section := "", "[all]"
	for _, l := range strings.Split(readFile(t, filepath.Join(boot, "config.txt")), "\n") {
		if strings.HasPrefix(l, "[") {
			section = l
			continue
		}
		if p, ok := strings.CutPrefix(l, "os_prefix="); ok && (section == "[all]" || section == "[tryboot]" && tryboot) {
			prefix = p
		}
	}
	if _, err := os.Stat(filepath.Join(boot, prefix, "vmlinuz")); err != nil {
		t.Fatalf("the firmware loads %svmlinuz, which is not there", prefix)
	}
	return strings.TrimSuffix(prefix, "/")
}

func piStation(t *testing.T) (*backendRun, string, string, string) {
	boot := newPiBoot(t)
	trees := slotTrees(t, "6.12.9+bpo-arm64")
	run := t.TempDir()
	cmdline := filepath.Join(run, "cmdline")
	writeFile(t, cmdline, "console=tty1 root=PARTUUID=x-02 rauc.slot=A ro\n")
	param := filepath.Join(run, "systemd/reboot-param")
	return &backendRun{t: t, script: "rauc/boot-tryboot", env: []string{"GK_BOOT_DIR=" + boot, "GK_SLOT_TREES=" + trees,
		"GK_CMDLINE=" + cmdline, "GK_REBOOT_PARAM=" + param}}, boot, trees, param
}

// piReboot is "systemctl reboot": the argument systemd passes (the
// tryboot flag for the firmware) is used up by it.
func piReboot(t *testing.T, b *backendRun, boot, param, want string) {
	t.Helper()
	arg, _ := os.ReadFile(param)
	os.Remove(param) // /run does not survive a reboot
	got := piBoot(t, boot, strings.Contains(string(arg), "tryboot"))
	if got != want {
		t.Fatalf("the firmware started slot %s, want %s (reboot argument %q)", got, want, arg)
	}
	for _, e := range b.env {
		if v, ok := strings.CutPrefix(e, "GK_CMDLINE="); ok {
			writeFile(t, v, "console=tty1 rauc.slot="+got+" ro\n")
		}
	}
	b.want(got, "get-current")
}

func TestBootTryboot(t *testing.T) {
	t.Run("fresh image", func(t *testing.T) {
		b, boot, _, param := piStation(t)
		b.want("A", "get-primary")
		b.want("A", "get-current")
		b.want("good", "get-state", "A")
		b.want("bad", "get-state", "B")
		piReboot(t, b, boot, param, "A")
	})
	t.Run("set-primary B arms one tryboot of B", func(t *testing.T) {
		b, boot, trees, param := piStation(t)
		install(b, "B")
		if got := readFile(t, param); got != "0 tryboot\n" {
			t.Errorf("reboot argument %q, want \"0 tryboot\"", got)
		}
		for _, f := range []string{"vmlinuz", "initrd.img", "bcm2711-rpi-4-b.dtb", "bcm2712-rpi-5-b.dtb"} {
			if _, err := os.Stat(filepath.Join(boot, "B", f)); err != nil {
				t.Errorf("B/%s is not on the boot partition: %v", f, err)
			}
		}
		if got, want := readFile(t, filepath.Join(boot, "B/vmlinuz")), readFile(t, filepath.Join(trees, "B/boot/vmlinuz-6.12.9+bpo-arm64")); got != want {
			t.Errorf("B/vmlinuz is %q, want slot B's %q", got, want)
		}
		b.want("B", "get-primary")
		b.want("bad", "get-state", "B")
		piReboot(t, b, boot, param, "B")
	})
	t.Run("failed trial returns to A", func(t *testing.T) {
		b, boot, _, param := piStation(t)
		install(b, "B")
		piReboot(t, b, boot, param, "B")
		b.do("set-state", "B", "bad")
		b.want("A", "get-primary")
		b.want("good", "get-state", "A")
		piReboot(t, b, boot, param, "A")
		piReboot(t, b, boot, param, "A")
	})
	t.Run("a crash or power cut on trial returns to A", func(t *testing.T) {
		b, boot, _, param := piStation(t)
		install(b, "B")
		piReboot(t, b, boot, param, "B")
		// No mark-good: the next start, however it comes, is A's.
		piReboot(t, b, boot, param, "A")
		b.want("bad", "get-state", "B")
	})
	t.Run("mark good makes B permanent", func(t *testing.T) {
		b, boot, _, param := piStation(t)
		install(b, "B")
		piReboot(t, b, boot, param, "B")
		b.do("set-state", "B", "good")
		b.want("good", "get-state", "B")
		b.want("bad", "get-state", "A")
		b.want("B", "get-primary")
		for i := 0; i < 3; i++ {
			piReboot(t, b, boot, param, "B")
		}
		install(b, "A")
		b.want("A", "get-primary")
		piReboot(t, b, boot, param, "A")
		piReboot(t, b, boot, param, "B")
	})
	t.Run("refusals", func(t *testing.T) {
		b, boot, trees, param := piStation(t)
		b.fail("unknown slot ''", "get-state")
		b.fail("only one with a kernel", "set-state", "A", "bad")
		if err := os.Remove(filepath.Join(trees, "B/usr/lib/linux-image-6.12.9+bpo-arm64/broadcom/bcm2711-rpi-4-b.dtb")); err != nil {
			t.Fatal(err)
		}
		b.do("set-state", "B", "bad")
		b.fail("has no", "set-primary", "B")
		if _, err := os.Stat(param); err == nil {
			t.Error("a failed set-primary armed a tryboot")
		}
		piReboot(t, b, boot, param, "A")
	})
}
