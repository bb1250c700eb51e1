package recipe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestLayout checks the image GRIDKIOSK_IMAGE names, for the architecture
// GRIDKIOSK_IMAGE_ARCH (amd64 or arm64; read from the partition table when
// unset): its partition table, the boot partition's files (mtools) and the
// root and data file systems (debugfs), all without mounting anything.
// Without GRIDKIOSK_IMAGE it checks the recipe's own files instead.
func TestLayout(t *testing.T) {
	img := os.Getenv("GRIDKIOSK_IMAGE")
	if img == "" {
		t.Log("GRIDKIOSK_IMAGE is unset: checking the recipe's files (set it to an image from build.sh to check the image)")
		testRecipe(t)
		return
	}
	for _, tool := range []string{"sfdisk", "mdir", "mcopy", "debugfs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("checking an image needs %s (apt-get install fdisk mtools e2fsprogs): %v", tool, err)
		}
	}
	im := openImage(t, img)
	arch := os.Getenv("GRIDKIOSK_IMAGE_ARCH")
	if arch == "" {
		arch = map[string]string{"gpt": "amd64", "dos": "arm64"}[im.table.Label]
	}
	t.Logf("%s: %s image, %s partition table", img, arch, im.table.Label)
	t.Run("partitions", func(t *testing.T) { checkPartitions(t, im, arch) })
	switch arch {
	case "amd64":
		t.Run("boot/uefi", func(t *testing.T) { checkUEFIBoot(t, im) })
	case "arm64":
		t.Run("boot/raspberrypi", func(t *testing.T) { checkPiBoot(t, im) })
	default:
		t.Fatalf("GRIDKIOSK_IMAGE_ARCH is %q, want amd64 or arm64", arch)
	}
	t.Run("boot/provisioning", func(t *testing.T) { checkBootCommon(t, im) })
	t.Run("root", func(t *testing.T) { checkRoot(t, im, arch) })
	t.Run("data", func(t *testing.T) { checkData(t, im) })
	t.Run("manifest", func(t *testing.T) { checkManifest(t, img) })
}

// image is a disk image and its partition table, as sfdisk reads it.
type image struct {
	path  string
	size  int64
	table partitionTable
}

type partitionTable struct {
	Label      string      `json:"label"`
	ID         string      `json:"id"`
	SectorSize int64       `json:"sectorsize"`
	Partitions []partition `json:"partitions"`
}

type partition struct {
	Start    int64  `json:"start"`
	Size     int64  `json:"size"`
	Type     string `json:"type"`
	UUID     string `json:"uuid"`
	Name     string `json:"name"`
	Bootable bool   `json:"bootable"`
}

const mib = 1 << 20

func openImage(t *testing.T, path string) *image {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("image: %v", err)
	}
	out := run(t, "sfdisk", "--json", path)
	var doc struct {
		Table partitionTable `json:"partitiontable"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("sfdisk --json %s: %v", path, err)
	}
	if doc.Table.SectorSize == 0 {
		doc.Table.SectorSize = 512
	}
	return &image{path: path, size: fi.Size(), table: doc.Table}
}

// offset is where partition n (1-based) starts, in bytes.
func (im *image) offset(n int) int64 {
	return im.table.Partitions[n-1].Start * im.table.SectorSize
}

// partUUID is partition n's PARTUUID as the kernel and fstab name it.
func (im *image) partUUID(n int) string {
	if im.table.Label == "dos" {
		return fmt.Sprintf("%s-%02d", strings.TrimPrefix(strings.ToLower(im.table.ID), "0x"), n)
	}
	return strings.ToLower(im.table.Partitions[n-1].UUID)
}

// fat is the boot partition for mtools; ext is partition n for debugfs.
func (im *image) fat() string      { return fmt.Sprintf("%s@@%d", im.path, im.offset(1)) }
func (im *image) ext(n int) string { return fmt.Sprintf("%s?offset=%d", im.path, im.offset(n)) }

// bootFile reads a file from the boot partition.
func (im *image) bootFile(t *testing.T, name string) []byte {
	t.Helper()
	return []byte(run(t, "mcopy", "-n", "-i", im.fat(), "::"+name, "-"))
}

// rootFile reads a file from file system n with debugfs; its "cat" prints
// nothing for a missing file, so stat comes first.
func (im *image) file(t *testing.T, n int, name string) []byte {
	t.Helper()
	im.stat(t, n, name)
	return []byte(run(t, "debugfs", "-R", "cat "+name, im.ext(n)))
}

// stat is debugfs's stat of name on file system n, failing the test when
// there is no such file.
func (im *image) stat(t *testing.T, n int, name string) string {
	t.Helper()
	out := run(t, "debugfs", "-R", "stat "+name, im.ext(n))
	if !strings.Contains(out, "Inode:") {
		t.Fatalf("partition %d has no %s", n, name)
	}
	return out
}

// enabled lists the units that start at boot: those linked from a
// /etc/systemd/system/*.wants directory, less the masked ones.
func (im *image) enabled(t *testing.T, n int) map[string]bool {
	t.Helper()
	units := map[string]bool{}
	masked := map[string]bool{}
	for _, e := range strings.Fields(run(t, "debugfs", "-R", "ls -p /etc/systemd/system", im.ext(n))) {
		// ls -p: /inode/mode/uid/gid/name/size/
		f := strings.Split(e, "/")
		if len(f) < 6 {
			continue
		}
		switch name := f[5]; {
		case strings.HasSuffix(name, ".wants"):
			for _, w := range strings.Fields(run(t, "debugfs", "-R", "ls -p /etc/systemd/system/"+name, im.ext(n))) {
				if g := strings.Split(w, "/"); len(g) >= 6 && g[5] != "." && g[5] != ".." {
					units[g[5]] = true
				}
			}
		case strings.HasPrefix(f[2], "120"): // a symlink: masked when it points to /dev/null
			if strings.Contains(run(t, "debugfs", "-R", "stat /etc/systemd/system/"+name, im.ext(n)), `Fast link dest: "/dev/null"`) {
				masked[name] = true
			}
		}
	}
	for u := range masked {
		delete(units, u)
	}
	return units
}

var modeRE = regexp.MustCompile(`Mode:\s+0?([0-7]+)`)
var ownerRE = regexp.MustCompile(`User:\s+(\d+)\s+Group:\s+(\d+)`)

// mode and owner pick debugfs's stat apart.
func mode(t *testing.T, stat string) string {
	t.Helper()
	m := modeRE.FindStringSubmatch(stat)
	if m == nil {
		t.Fatalf("no mode in debugfs output:\n%s", stat)
	}
	return m[1]
}

func owner(t *testing.T, stat string) (uid, gid int) {
	t.Helper()
	m := ownerRE.FindStringSubmatch(stat)
	if m == nil {
		t.Fatalf("no owner in debugfs output:\n%s", stat)
	}
	uid, _ = strconv.Atoi(m[1])
	gid, _ = strconv.Atoi(m[2])
	return uid, gid
}

// run runs a tool and returns its standard output; it fails the test,
// with the tool's own words, when the tool fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1", "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

func checkPartitions(t *testing.T, im *image, arch string) {
	ps := im.table.Partitions
	if len(ps) != 4 {
		t.Fatalf("%d partitions, want 4 (boot, root A, root B, data)", len(ps))
	}
	wantLabel, wantTypes := "gpt", []string{
		"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", // EFI system partition
		"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", // Linux root (x86-64): slot A
		"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", // slot B
		"0FC63DAF-8483-4772-8E79-3D69D8477DE4", // Linux file system data
	}
	if arch == "arm64" {
		// The Pi's boot ROM wants MBR and a FAT32 (LBA) first partition;
		// MBR's four primaries are all used.
		wantLabel, wantTypes = "dos", []string{"c", "83", "83", "83"}
	}
	if im.table.Label != wantLabel {
		t.Errorf("partition table %q, want %q for %s", im.table.Label, wantLabel, arch)
	}
	minSize := []int64{128 * mib, 512 * mib, 512 * mib, 64 * mib}
	sector := im.table.SectorSize
	var end int64
	for i, p := range ps {
		if !strings.EqualFold(p.Type, wantTypes[i]) {
			t.Errorf("partition %d has type %s, want %s", i+1, p.Type, wantTypes[i])
		}
		if (p.Start*sector)%mib != 0 || (p.Size*sector)%mib != 0 {
			t.Errorf("partition %d (start %d, size %d sectors) is not aligned to 1 MiB", i+1, p.Start, p.Size)
		}
		if p.Size*sector < minSize[i] {
			t.Errorf("partition %d is %d MiB, want at least %d MiB", i+1, p.Size*sector/mib, minSize[i]/mib)
		}
		if p.Start*sector < end {
			t.Errorf("partition %d starts inside partition %d", i+1, i)
		}
		end = (p.Start + p.Size) * sector
	}
	if ps[1].Size != ps[2].Size {
		t.Errorf("root slots A (%d sectors) and B (%d sectors) differ in size: an update for one would not fit the other",
			ps[1].Size, ps[2].Size)
	}
	if got := ps[0].Start * sector; got != 4*mib {
		t.Errorf("partition 1 starts at %d bytes, want 4 MiB", got)
	}
	if end > im.size {
		t.Errorf("partitions end at %d bytes, past the image's end (%d)", end, im.size)
	}
	if arch == "arm64" && !ps[0].Bootable {
		t.Error("partition 1 is not marked bootable")
	}
	// Slot B ships empty (its boot entry is bad until an update fills
	// it): no file system, nothing for a flasher to write.
	head := make([]byte, 2*mib)
	f, err := os.Open(im.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.ReadAt(head, im.offset(3)); err != nil {
		t.Fatalf("read slot B: %v", err)
	}
	if !bytes.Equal(head, make([]byte, len(head))) {
		t.Error("slot B's first 2 MiB are not empty: the image should leave slot B for the first update")
	}
	t.Logf("boot %d MiB, root A %d MiB, root B %d MiB, data %d MiB; image %d MiB", ps[0].Size*sector/mib,
		ps[1].Size*sector/mib, ps[2].Size*sector/mib, ps[3].Size*sector/mib, im.size/mib)
}

// bootFiles lists the boot partition's files, as ::/path lines.
func bootFiles(t *testing.T, im *image) map[string]bool {
	t.Helper()
	files := map[string]bool{}
	for _, l := range strings.Split(run(t, "mdir", "-i", im.fat(), "-/", "-b", "::/"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			files[strings.TrimPrefix(l, "::")] = true
		}
	}
	return files
}

func wantFiles(t *testing.T, have map[string]bool, names ...string) {
	t.Helper()
	for _, n := range names {
		if !have[n] {
			t.Errorf("boot partition has no %s", n)
		}
	}
}

// checkCmdline checks a kernel command line boots root slot n (2 for A,
// 3 for B) read-only and tells RAUC which slot that is.
func checkCmdline(t *testing.T, im *image, cmdline string, n int) {
	t.Helper()
	words := strings.Fields(cmdline)
	has := func(w string) bool {
		for _, x := range words {
			if x == w {
				return true
			}
		}
		return false
	}
	slot := map[int]string{2: "A", 3: "B"}[n]
	for _, want := range []string{"root=PARTUUID=" + im.partUUID(n), "rauc.slot=" + slot} {
		if !has(want) {
			t.Errorf("slot %s's kernel command line %q lacks %s", slot, cmdline, want)
		}
	}
	if !has("ro") || has("rw") {
		t.Errorf("kernel command line %q does not mount the root read-only", cmdline)
	}
}

// extractBoot copies the boot partition's files named into a directory,
// for the boot loader backend to run against.
func extractBoot(t *testing.T, im *image, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		dst := filepath.Join(dir, n)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, im.bootFile(t, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func checkUEFIBoot(t *testing.T, im *image) {
	files := bootFiles(t, im)
	wantFiles(t, files, "/EFI/BOOT/BOOTX64.EFI", "/loader/loader.conf", "/loader/entries/gridkiosk-a.conf",
		"/loader/entries/gridkiosk-b+0.conf", "/A/vmlinuz", "/A/initrd.img")
	if efi := im.bootFile(t, "EFI/BOOT/BOOTX64.EFI"); !bytes.HasPrefix(efi, []byte("MZ")) || !bytes.Contains(efi, []byte("systemd-boot")) {
		t.Error("EFI/BOOT/BOOTX64.EFI is not systemd-boot")
	}
	for _, e := range []struct {
		file, slot, sortKey string
		n                   int
	}{{"gridkiosk-a.conf", "A", "gridkiosk-0", 2}, {"gridkiosk-b+0.conf", "B", "gridkiosk-1", 3}} {
		entry := string(im.bootFile(t, "loader/entries/"+e.file))
		for _, want := range []string{"linux /" + e.slot + "/vmlinuz", "initrd /" + e.slot + "/initrd.img", "sort-key " + e.sortKey} {
			if !strings.Contains(entry, want+"\n") {
				t.Errorf("loader entry %s lacks %q:\n%s", e.file, want, entry)
			}
		}
		var options string
		for _, l := range strings.Split(entry, "\n") {
			if o, ok := strings.CutPrefix(l, "options "); ok {
				options = o
			}
		}
		checkCmdline(t, im, options, e.n)
	}
	conf := string(im.bootFile(t, "loader/loader.conf"))
	for _, want := range []string{"editor no", "default gridkiosk-*"} {
		if !strings.Contains(conf, want+"\n") {
			t.Errorf("loader.conf lacks %q:\n%s", want, conf)
		}
	}
	// An x86 bzImage: "MZ" for EFI stub loading, "HdrS" at 0x202.
	k := im.bootFile(t, "A/vmlinuz")
	if len(k) < 0x206 || string(k[:2]) != "MZ" || string(k[0x202:0x206]) != "HdrS" {
		t.Error("A/vmlinuz is not an x86 EFI-stub kernel")
	}
	// The image's own backend reads its own boot partition: A boots and
	// is good, B is bad.
	dir := extractBoot(t, im, "loader/loader.conf", "loader/entries/gridkiosk-a.conf", "loader/entries/gridkiosk-b+0.conf")
	backend := backendFromImage(t, im)
	b := &backendRun{t: t, script: backend, env: []string{"GK_BOOT_DIR=" + dir}}
	b.want("A", "get-primary")
	b.want("good", "get-state", "A")
	b.want("bad", "get-state", "B")
}

func checkPiBoot(t *testing.T, im *image) {
	files := bootFiles(t, im)
	wantFiles(t, files, "/autoboot.txt", "/config.txt", "/A/cmdline.txt", "/B/cmdline.txt", "/A/vmlinuz",
		"/A/initrd.img", "/A/bcm2711-rpi-4-b.dtb", "/A/bcm2712-rpi-5-b.dtb", "/start4.elf", "/fixup4.dat")
	auto := string(im.bootFile(t, "autoboot.txt"))
	if want := "[all]\ntryboot_a_b=1\nboot_partition=1\n[tryboot]\nboot_partition=1\n"; auto != want {
		t.Errorf("autoboot.txt is\n%s\nwant\n%s", auto, want)
	}
	config := string(im.bootFile(t, "config.txt"))
	for _, want := range []string{"arm_64bit=1", "kernel=vmlinuz", "initramfs initrd.img followkernel",
		"[all]\nos_prefix=A/\n[tryboot]\nos_prefix=B/\n[all]"} {
		if !strings.Contains(config, "\n"+want+"\n") {
			t.Errorf("config.txt lacks %q:\n%s", want, config)
		}
	}
	for n, slot := range map[int]string{2: "A", 3: "B"} {
		cmdline := string(im.bootFile(t, slot+"/cmdline.txt"))
		if strings.Count(strings.TrimSpace(cmdline), "\n") != 0 {
			t.Errorf("%s/cmdline.txt must be one line:\n%s", slot, cmdline)
		}
		checkCmdline(t, im, cmdline, n)
	}
	// The Pi firmware loads a gzip'd or plain arm64 Image, not an EFI
	// zboot one ("MZ" ... "zimg").
	k := im.bootFile(t, "A/vmlinuz")
	gzip := len(k) > 2 && k[0] == 0x1f && k[1] == 0x8b
	plain := len(k) > 0x3c && string(k[0x38:0x3c]) == "ARM\x64"
	if !gzip && !plain {
		t.Error("A/vmlinuz is neither a gzip'd nor a plain arm64 Image: the Pi firmware cannot load it")
	}
	for _, dtb := range []string{"A/bcm2711-rpi-4-b.dtb", "A/bcm2712-rpi-5-b.dtb"} {
		if b := im.bootFile(t, dtb); !bytes.HasPrefix(b, []byte{0xd0, 0x0d, 0xfe, 0xed}) {
			t.Errorf("%s is not a device tree blob", dtb)
		}
	}
	dir := extractBoot(t, im, "autoboot.txt", "config.txt", "A/vmlinuz")
	b := &backendRun{t: t, script: backendFromImage(t, im),
		env: []string{"GK_BOOT_DIR=" + dir, "GK_REBOOT_PARAM=" + filepath.Join(dir, "reboot-param")}}
	b.want("A", "get-primary")
	b.want("good", "get-state", "A")
	b.want("bad", "get-state", "B")
}

// backendFromImage copies the image's boot loader backend and its
// library out of the root, to run here.
func backendFromImage(t *testing.T, im *image) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"rauc-boot-backend", "rauc-boot-lib.sh"} {
		if err := os.WriteFile(filepath.Join(dir, f), im.file(t, 2, "/usr/lib/gridkiosk/"+f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "rauc-boot-backend")
}

func checkBootCommon(t *testing.T, im *image) {
	files := bootFiles(t, im)
	wantFiles(t, files, "/gridkiosk/README.txt", "/gridkiosk/provision.toml.example", "/gridkiosk/local.rules.example")
	if files["/gridkiosk/provision.toml"] {
		t.Error("a fresh image must not carry a provisioning file")
	}
	if ex := string(im.bootFile(t, "gridkiosk/provision.toml.example")); !strings.Contains(ex, "[station]") {
		t.Error("provision.toml.example is not gridkiosk's example configuration")
	}
}

func checkRoot(t *testing.T, im *image, arch string) {
	const root = 2
	bin := im.stat(t, root, "/usr/bin/gridkiosk")
	if mode(t, bin) != "755" {
		t.Errorf("/usr/bin/gridkiosk has mode %s, want 755", mode(t, bin))
	}
	elf := im.file(t, root, "/usr/bin/gridkiosk")
	wantMachine := map[string]uint16{"amd64": 62, "arm64": 183}[arch]
	if len(elf) < 20 || string(elf[:4]) != "\x7fELF" || uint16(elf[18])|uint16(elf[19])<<8 != wantMachine {
		t.Errorf("/usr/bin/gridkiosk is not a linux-%s ELF binary", arch)
	}

	unit := string(im.file(t, root, "/usr/lib/systemd/system/gridkiosk.service"))
	for _, want := range []string{"Type=notify", "WatchdogSec=", "Restart=always", "NoNewPrivileges=yes",
		"ProtectSystem=strict", "ReadWritePaths=/var/lib/gridkiosk", "User=gridkiosk"} {
		if !strings.Contains(unit, "\n"+want) {
			t.Errorf("gridkiosk.service lacks %s", want)
		}
	}
	prov := string(im.file(t, root, "/usr/lib/systemd/system/gridkiosk-provision.service"))
	if !strings.Contains(prov, "ConditionPathExists=/boot/firmware/gridkiosk/provision.toml") {
		t.Error("gridkiosk-provision.service does not wait for gridkiosk/provision.toml on the boot partition")
	}
	enabled := im.enabled(t, root)
	for _, name := range []string{"gridkiosk", "gridkiosk-provision", "gridkiosk-growdata", "gridkiosk-udev-local",
		"gridkiosk-trial", "systemd-networkd", "systemd-resolved", "systemd-timesyncd", "seatd"} {
		if !enabled[name+".service"] {
			t.Errorf("%s.service is not enabled", name)
		}
	}
	for _, name := range []string{"getty@tty1.service", "apt-daily.timer", "dpkg-db-backup.timer"} {
		if enabled[name] {
			t.Errorf("%s is enabled: a kiosk shows no login prompt, and nothing may write to the root", name)
		}
	}
	for _, f := range []string{"/usr/lib/udev/rules.d/70-gridkiosk.rules", "/usr/lib/gridkiosk/gridkiosk-session",
		"/usr/lib/gridkiosk/gridkiosk-provision", "/usr/lib/gridkiosk/gridkiosk-growdata", "/usr/bin/cage",
		"/usr/bin/Xwayland", "/usr/sbin/seatd", "/usr/bin/curl", "/usr/lib/systemd/systemd-timesyncd",
		"/usr/lib/locale/locale-archive",
		"/usr/lib/clock-epoch",
		// Spoken prompts: ALSA's player and the voice pack where
		// voice.pack_dir's default looks.
		"/usr/bin/aplay", "/usr/share/gridkiosk/voice/manifest.json",
		// USB sticks for updates.
		"/usr/lib/udev/rules.d/80-gridkiosk-usb.rules"} {
		im.stat(t, root, f)
	}
	checkUpdates(t, im, arch)
	rules := string(im.file(t, root, "/usr/lib/udev/rules.d/70-gridkiosk.rules"))
	if !strings.Contains(rules, `SYMLINK+="gridkiosk/$env{GRIDKIOSK_ROLE}"`) {
		t.Error("70-gridkiosk.rules makes no /dev/gridkiosk links")
	}

	checkFstab(t, im, string(im.file(t, root, "/etc/fstab")))
	if st := im.stat(t, root, "/etc/machine-id"); !strings.Contains(st, "Size: 0") {
		t.Error("/etc/machine-id is not empty: every station would share one")
	}
	for _, dir := range []string{"/boot/firmware", "/var/lib/gridkiosk", "/etc/gridkiosk", "/media/gridkiosk-usb"} {
		if ls := run(t, "debugfs", "-R", "ls "+dir, im.ext(root)); len(strings.Fields(ls)) > 6 {
			t.Errorf("mount point %s is not empty: %s", dir, ls)
		}
	}
	groups := string(im.file(t, root, "/etc/group"))
	for _, g := range []string{"gridkiosk", "dialout", "lp", "gpio", "video", "render", "input"} {
		if !regexp.MustCompile(`(?m)^` + g + `:`).MatchString(groups) {
			t.Errorf("group %s is missing (gridkiosk.service names it and would not start)", g)
		}
	}
	if !strings.Contains(string(im.file(t, root, "/usr/lib/os-release")), "IMAGE_ID=gridkiosk") {
		t.Error("os-release does not name the image")
	}
	triplet := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}[arch]
	for _, lib := range []string{"libGL.so.1", "libX11.so.6", "libXrandr.so.2", "libXcursor.so.1", "libXi.so.6"} {
		im.stat(t, root, "/usr/lib/"+triplet+"/"+lib)
	}
}

// checkFstab: the root read-only, the data partition read-write, RAM for
// what changes, and /etc/gridkiosk on the data partition.
func checkFstab(t *testing.T, im *image, fstab string) {
	t.Helper()
	mounts := map[string][]string{}
	for _, l := range strings.Split(fstab, "\n") {
		f := strings.Fields(l)
		if len(f) >= 4 && !strings.HasPrefix(f[0], "#") {
			mounts[f[1]] = f
		}
	}
	// The root is either slot, named by the boot entry: a fixed root
	// line would be wrong in one of them.
	if f, ok := mounts["/"]; ok {
		t.Errorf("fstab mounts %s on /: both slots hold this fstab, so it must leave the root to the boot entry", f[0])
	}
	want := []struct{ dir, source, fstype, option string }{
		{"/boot/firmware", "PARTUUID=" + im.partUUID(1), "vfat", "ro"},
		{"/var/lib/gridkiosk", "PARTUUID=" + im.partUUID(4), "ext4", "rw"},
		{"/media/gridkiosk-usb", "tmpfs", "tmpfs", "noexec"},
		{"/tmp", "tmpfs", "tmpfs", ""},
		{"/var/tmp", "tmpfs", "tmpfs", ""},
		{"/var/log", "tmpfs", "tmpfs", ""},
		{"/etc/gridkiosk", "/var/lib/gridkiosk/.system/etc-gridkiosk", "none", "bind"},
		{"/var/lib/systemd", "overlay", "overlay", "upperdir=/var/lib/gridkiosk/.system/var-lib-systemd/upper"},
	}
	for _, w := range want {
		f, ok := mounts[w.dir]
		if !ok {
			t.Errorf("fstab mounts nothing on %s", w.dir)
			continue
		}
		if f[0] != w.source || f[2] != w.fstype {
			t.Errorf("fstab mounts %s %s on %s, want %s %s", f[0], f[2], w.dir, w.source, w.fstype)
		}
		if w.option != "" && !containsOption(f[3], w.option) {
			t.Errorf("fstab's %s options %q lack %s", w.dir, f[3], w.option)
		}
	}
}

func containsOption(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func checkData(t *testing.T, im *image) {
	const data = 4
	passwd := string(im.file(t, 2, "/etc/passwd"))
	m := regexp.MustCompile(`(?m)^gridkiosk:[^:]*:(\d+):(\d+):`).FindStringSubmatch(passwd)
	if m == nil {
		t.Fatal("the root file system has no gridkiosk user")
	}
	top := im.stat(t, data, "/")
	if uid, _ := owner(t, top); strconv.Itoa(uid) != m[1] || mode(t, top) != "750" {
		t.Errorf("the data partition's top is owned by %d with mode %s, want gridkiosk (%s) and 750", uid, mode(t, top), m[1])
	}
	etc := im.stat(t, data, "/.system/etc-gridkiosk")
	if uid, gid := owner(t, etc); uid != 0 || strconv.Itoa(gid) != m[2] || mode(t, etc) != "750" {
		t.Errorf("/etc/gridkiosk's home is %d:%d mode %s, want root:gridkiosk 750", uid, gid, mode(t, etc))
	}
	for _, d := range []string{"/.system/var-lib-systemd/upper", "/.system/var-lib-systemd/work", "/lost+found",
		"/.system/rauc", "/.system/trial"} {
		im.stat(t, data, d)
	}
	if uid, _ := owner(t, im.stat(t, data, "/update")); strconv.Itoa(uid) != m[1] {
		t.Errorf("/update (downloaded bundles) is owned by %d, want gridkiosk (%s)", uid, m[1])
	}
}

func checkManifest(t *testing.T, img string) {
	b, err := os.ReadFile(img + ".manifest")
	if err != nil {
		t.Fatalf("no manifest next to the image: %v", err)
	}
	m := string(b)
	for _, pkg := range []string{"systemd", "systemd-timesyncd", "cage", "seatd", "initramfs-tools",
		"tegaki-zinnia-simplified-chinese", "rauc", "rauc-service", "alsa-utils"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(pkg) + `\t\S+\t`).MatchString(m) {
			t.Errorf("manifest lists no %s", pkg)
		}
	}
	if !regexp.MustCompile(`(?m)^linux-image-\S+\t`).MatchString(m) {
		t.Error("manifest lists no kernel")
	}
	// Fyne loads a system face for the locale's language at start, drawn
	// with or not: fonts-noto-cjk's cost the kiosk 42 MB of heap. The
	// kiosk's own faces cover what it shows.
	if fonts := regexp.MustCompile(`(?m)^fonts-\S+`).FindAllString(m, -1); len(fonts) > 0 {
		t.Errorf("manifest lists system fonts %v: the kiosk would load one at every start without drawing from it", fonts)
	}
	for _, want := range []string{"# SOURCE_DATE_EPOCH: ", "# mirror: ", "# system version: ", "# keyring: "} {
		if !strings.Contains(m, "\n"+want) {
			t.Errorf("manifest does not record %q", want)
		}
	}
	t.Logf("%s: %d packages", filepath.Base(img)+".manifest", strings.Count(m, "\n")-strings.Count(m, "#"))
}
