package recipe

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBundle builds real RAUC bundles with bundle.sh from a small image
// laid out like build.sh's and checks that rauc itself accepts ours and
// refuses the rest: a changed byte, a missing signature, another CA's
// signature, and (bundle.sh) a root of the other architecture. Installing
// needs slots: make update-check does that in qemu.
func TestBundle(t *testing.T) {
	for _, tool := range []string{"rauc", "openssl", "mksquashfs", "mke2fs", "sfdisk", "debugfs", "resize2fs", "veritysetup"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (make deps-test installs rauc, squashfs-tools, openssl, cryptsetup-bin): %v", tool, err)
		}
	}
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	runOK(t, "./bundle-keys.sh", keys)
	if out, err := exec.Command("./bundle-keys.sh", keys).CombinedOutput(); err == nil || !strings.Contains(string(out), "never overwritten") {
		t.Errorf("bundle-keys.sh over existing keys: %v %s, want a refusal", err, out)
	}
	if fi, err := os.Stat(filepath.Join(keys, "signing.key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("signing.key.pem: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	ca := filepath.Join(keys, "ca.cert.pem")
	const version = "2026.12.07.060000+gtest"
	img := smallImage(t, dir, "amd64", version)

	out := filepath.Join(dir, "dist")
	bundle := strings.TrimSpace(lastLine(runOK(t, "./bundle.sh", "--keys", keys, "amd64", img, out)))
	if want := filepath.Join(out, "gridkiosk-amd64-"+version+".raucb"); bundle != want {
		t.Fatalf("bundle.sh made %q, want %q", bundle, want)
	}

	t.Run("ours is accepted", func(t *testing.T) {
		info := runOK(t, "rauc", "info", "--keyring="+ca, "--output-format=shell", bundle)
		for _, want := range []string{"RAUC_MF_COMPATIBLE='gridkiosk-amd64'", "RAUC_MF_VERSION='" + version + "'",
			"RAUC_IMAGE_CLASS_0='rootfs'", "RAUC_IMAGE_NAME_0='rootfs.ext4'"} {
			if !strings.Contains(info, want) {
				t.Errorf("rauc info lacks %s:\n%s", want, info)
			}
		}
		if text := runOK(t, "rauc", "info", "--keyring="+ca, bundle); !regexp.MustCompile(`Bundle Format:\s+verity`).MatchString(text) {
			t.Errorf("not a verity bundle:\n%s", text)
		}
		verityCheck(t, ca, bundle, bundle)
	})
	t.Run("a changed byte is refused", func(t *testing.T) {
		b, err := os.ReadFile(bundle)
		if err != nil {
			t.Fatal(err)
		}
		// The signature covers the manifest, which holds the payload's
		// dm-verity root hash: a changed signature or manifest is refused
		// by rauc info; a changed payload block fails dm-verity, which
		// checks every block as RAUC reads it at install (veritysetup
		// verify here: the same hash tree, without the kernel).
		for _, at := range []int{0, 4096, len(b) / 2, len(b) - 200, len(b) - 2} {
			bad := append([]byte(nil), b...)
			bad[at] ^= 0x01
			p := filepath.Join(dir, fmt.Sprintf("tampered-%d.raucb", at))
			if err := os.WriteFile(p, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("rauc", "info", "--keyring="+ca, p).CombinedOutput()
			if err == nil {
				if verr := verityVerify(t, string(out), p); verr == nil {
					t.Errorf("byte %d of %d changed: rauc info and dm-verity both accept the bundle", at, len(b))
				} else {
					t.Logf("byte %d changed: signature good, payload refused by dm-verity: %v", at, verr)
				}
			} else {
				t.Logf("byte %d changed: rauc info refuses: %s", at, lastLine(string(out)))
			}
		}
	})
	t.Run("unsigned is refused", func(t *testing.T) {
		// The payload alone, without the signature RAUC appends.
		p := filepath.Join(dir, "unsigned.raucb")
		b, err := os.ReadFile(bundle)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b[:len(b)/4096*4096-4096], 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("rauc", "info", "--keyring="+ca, p).CombinedOutput(); err == nil {
			t.Errorf("rauc info accepted a bundle without its signature:\n%s", out)
		}
	})
	t.Run("another CA's signature is refused", func(t *testing.T) {
		other := filepath.Join(dir, "other-keys")
		cmd := exec.Command("./bundle-keys.sh", other)
		cmd.Env = append(os.Environ(), "BUNDLE_KEYS_ORG=someone else")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("bundle-keys.sh: %v\n%s", err, out)
		}
		foreign := strings.TrimSpace(lastLine(runOK(t, "./bundle.sh", "--keys", other, "amd64", img, filepath.Join(dir, "foreign"))))
		out, err := exec.Command("rauc", "info", "--keyring="+ca, foreign).CombinedOutput()
		if err == nil {
			t.Fatalf("rauc info accepted a bundle signed under another CA:\n%s", out)
		}
		t.Logf("another CA: %s", lastLine(string(out)))
	})
	t.Run("wrong architecture is refused", func(t *testing.T) {
		out, err := exec.Command("./bundle.sh", "--keys", keys, "arm64", img, filepath.Join(dir, "wrong")).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "not gridkiosk-arm64") {
			t.Errorf("bundle.sh arm64 of an amd64 root: %v\n%s", err, out)
		}
	})
	t.Run("a version other than the root's is refused", func(t *testing.T) {
		out, err := exec.Command("./bundle.sh", "--keys", keys, "--version", "2027.01.01.000000", "amd64", img,
			filepath.Join(dir, "v")).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "not 2027.01.01.000000") {
			t.Errorf("bundle.sh --version mismatch: %v\n%s", err, out)
		}
	})
	t.Run("missing keys are named", func(t *testing.T) {
		out, err := exec.Command("./bundle.sh", "--keys", filepath.Join(dir, "nokeys"), "amd64", img, dir).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "make bundle-keys") {
			t.Errorf("bundle.sh without keys: %v\n%s", err, out)
		}
	})
}

// smallImage is a disk image with build.sh's four partitions whose slot
// A holds a small root: the version file and RAUC's compatible.
func smallImage(t *testing.T, dir, arch, version string) string {
	t.Helper()
	tree := filepath.Join(dir, "root")
	writeFile(t, filepath.Join(tree, "usr/lib/gridkiosk/system-version"), version+"\n")
	writeFile(t, filepath.Join(tree, "etc/rauc/system.conf"), "[system]\ncompatible=gridkiosk-"+arch+"\nbootloader=custom\n")
	writeFile(t, filepath.Join(tree, "usr/bin/gridkiosk"), strings.Repeat("station ", 100000))
	root := filepath.Join(dir, "root.ext4")
	runOK(t, "mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, root, "32M")
	img := filepath.Join(dir, "small.img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	// boot 8 MiB at 1 MiB, slots A and B 32 MiB, data 8 MiB.
	if err := f.Truncate(82 * mib); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cmd := exec.Command("sfdisk", "--quiet", img)
	cmd.Stdin = strings.NewReader("label: gpt\nstart=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n" +
		"start=18432, size=65536\nstart=83968, size=65536\nstart=149504, size=16384\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}
	runOK(t, "dd", "if="+root, "of="+img, "bs=512", "seek=18432", "conv=notrunc", "status=none")
	return img
}

func runOK(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// verityCheck: the bundle's payload matches the root hash its signed
// manifest carries.
func verityCheck(t *testing.T, ca, signed, payload string) {
	t.Helper()
	info := runOK(t, "rauc", "info", "--keyring="+ca, signed)
	if err := verityVerify(t, info, payload); err != nil {
		t.Errorf("dm-verity refuses our own bundle: %v", err)
	}
}

// verityVerify checks a verity bundle's payload against the hash, salt
// and hash tree size rauc info printed, as dm-verity does at install: 4
// KiB blocks, sha256, the tree right after the payload, the signature
// (its size in the last 8 bytes) after that.
func verityVerify(t *testing.T, info, bundle string) error {
	t.Helper()
	field := func(name string) string {
		m := regexp.MustCompile(`Verity ` + name + `:\s+'?([0-9a-f]+)'?`).FindStringSubmatch(info)
		if m == nil {
			t.Fatalf("rauc info shows no Verity %s:\n%s", name, info)
		}
		return m[1]
	}
	hash, salt := field("Hash"), field("Salt")
	var treeSize int64
	fmt.Sscan(field("Size"), &treeSize)
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	sigSize := int64(binary.BigEndian.Uint64(b[len(b)-8:]))
	dataSize := int64(len(b)) - 8 - sigSize - treeSize
	if dataSize <= 0 || dataSize%4096 != 0 {
		return fmt.Errorf("payload size %d: not a verity bundle's layout", dataSize)
	}
	out, err := exec.Command("veritysetup", "verify", "--no-superblock", "--hash=sha256", "--data-block-size=4096",
		"--hash-block-size=4096", fmt.Sprintf("--data-blocks=%d", dataSize/4096), fmt.Sprintf("--hash-offset=%d", dataSize),
		"--salt="+salt, bundle, bundle, hash).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
