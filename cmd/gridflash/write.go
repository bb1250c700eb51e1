package main

import (
	"bufio"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gridkiosk/gridkiosk/appliance/config"
	"github.com/gridkiosk/gridkiosk/images/drives"
	"github.com/gridkiosk/gridkiosk/images/flash"
	"github.com/gridkiosk/gridkiosk/images/manifest"
)

// writeJob is a write that has passed every check but the prompt.
type writeJob struct {
	image, device string
	m             *manifest.Manifest
	pub           ed25519.PublicKey
	provision     []byte
	drive         *drives.Drive // nil for an image file
}

func (e *env) write(args []string) int {
	fs := flag.NewFlagSet("write", flag.ContinueOnError)
	image := fs.String("image", "", "image `FILE`: .img, .img.xz or .img.zst")
	man := fs.String("manifest", "", "signed manifest `FILE`")
	pubkey := fs.String("pubkey", "", "release public key `FILE`")
	device := fs.String("device", "", "target: a drive (/dev/sdb) or an image file")
	prov := fs.String("provision", "", "station configuration `FILE` to put on the card as "+flash.ProvisionPath)
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	force := fs.Bool("force-non-removable", false, "allow a drive that is not removable")
	if !e.flags(fs, args, "image", "manifest", "pubkey", "device") {
		return 2
	}
	job := &writeJob{image: *image, device: *device}
	if code := e.checkSigned(job, *man, *pubkey); code != 0 {
		return code
	}
	if *prov != "" {
		if code := e.checkProvision(job, *prov); code != 0 {
			return code
		}
	}
	if code := e.checkTarget(job, *force); code != 0 {
		return code
	}
	if !*yes && !e.confirm(job) {
		fmt.Fprintln(e.stderr, "gridflash: 已取消，未写入任何数据 / cancelled, nothing was written")
		return 1
	}
	return e.doWrite(job)
}

// checkSigned loads the key and manifest and checks the signature, and
// that the image can be opened, before anything is written.
func (e *env) checkSigned(job *writeJob, man, pubkey string) int {
	pub, err := manifest.LoadPublicKey(pubkey)
	if err != nil {
		return e.fail("读取公钥失败", err)
	}
	m, err := manifest.Load(man)
	if err != nil {
		return e.fail("读取清单失败", err)
	}
	if err := manifest.Verify(m, pub); err != nil {
		return e.fail("清单签名无效", err)
	}
	im, err := flash.OpenImage(job.image)
	if err != nil {
		return e.fail("打开镜像失败", err)
	}
	defer im.Close()
	if st, err := os.Stat(job.image); err == nil && im.Format == "raw" && st.Size() != m.ImageSize {
		return e.fail("镜像文件大小与清单不符", fmt.Errorf("%w: %s is %d bytes, the manifest says %d", flash.ErrImageMismatch, job.image, st.Size(), m.ImageSize))
	}
	job.m, job.pub = m, pub
	return 0
}

// checkProvision validates the provisioning file as the appliance will,
// printing every problem with its file and line.
func (e *env) checkProvision(job *writeJob, path string) int {
	data, err := flash.ReadProvision(path)
	if err != nil {
		if errors.Is(err, flash.ErrTooLarge) {
			return e.fail("站点配置文件过大，未写入任何数据", err)
		}
		return e.fail("读取站点配置失败", err)
	}
	if _, err := config.Parse(data, path); err != nil {
		fmt.Fprintf(e.stderr, "gridflash: 站点配置文件有误，未写入任何数据 / the provisioning file is invalid, nothing was written:\n%v\n", err)
		return 1
	}
	if err := flash.CheckProvisionFits(job.image, data); err != nil {
		if errors.Is(err, flash.ErrProvisionNoRoom) {
			return e.fail("站点配置文件放不下：镜像的启动分区空间不足，未写入任何数据", err)
		}
		return e.fail("无法检查镜像的启动分区，未写入任何数据", err)
	}
	job.provision = data
	return 0
}

// checkTarget applies the drive rules to a drive, and makes sure a file
// target is not one of the inputs.
func (e *env) checkTarget(job *writeJob, force bool) int {
	if code := e.resolveLink(job); code != 0 {
		return code
	}
	st, err := os.Stat(job.device)
	isFile := errors.Is(err, fs.ErrNotExist) || (err == nil && st.Mode().IsRegular())
	if e.sysErr == nil {
		d, ok, err := drives.Find(e.sys, job.device)
		if err != nil && !isFile {
			return e.fail("无法列出磁盘", err)
		}
		if err == nil && ok {
			if err := drives.Refuse(d, job.m.ImageSize, force); err != nil {
				return e.fail("拒绝写入", err)
			}
			job.drive = &d
			return 0
		}
	}
	inDev := underDev(job.device, e.sys.Dev)
	switch {
	case e.sysErr != nil && (inDev || !isFile):
		return e.fail("", e.sysErr)
	case inDev:
		// A path in /dev that is no listed drive is a typo or a
		// partition: never create a file there (/dev is in memory).
		return e.fail("找不到这块磁盘，请用 gridflash list 查看", fmt.Errorf("%s is not a whole disk gridflash can write (a partition, or no such drive): see gridflash list", job.device))
	case !isFile:
		return e.fail("目标不是整块磁盘", fmt.Errorf("%s is neither a whole disk nor an image file: see gridflash list", job.device))
	}
	if ist, err := os.Stat(job.image); err == nil && st != nil && os.SameFile(ist, st) {
		return e.fail("目标文件就是镜像文件本身", fmt.Errorf("%s is the image itself", job.device))
	}
	return 0
}

// resolveLink replaces a --device that is a symbolic link by what it
// names, so that the prompt and the checks are about what is written. A
// link to a disk (/dev/disk/by-id/…) is how technicians name cards; a
// link to a regular file, or to nothing, is a mistake that would
// overwrite or create a file the prompt never named, so it is refused.
func (e *env) resolveLink(job *writeJob) int {
	lst, err := os.Lstat(job.device)
	if err != nil || lst.Mode()&fs.ModeSymlink == 0 {
		return 0
	}
	if e.sysErr == nil {
		if d, ok, err := drives.Find(e.sys, job.device); err == nil && ok {
			job.device = d.Path
			return 0
		}
	}
	target, err := filepath.EvalSymlinks(job.device)
	if err != nil {
		return e.fail("目标是一个指向不存在位置的符号链接，未写入任何数据",
			fmt.Errorf("--device %s is a symbolic link to nothing that exists (%w): name the card's device (see gridflash list) or the image file itself", job.device, err))
	}
	if tst, err := os.Stat(target); err == nil && tst.Mode().IsRegular() {
		return e.fail(fmt.Sprintf("目标 %s 是指向普通文件 %s 的符号链接，未写入任何数据", job.device, target),
			fmt.Errorf("--device %s is a symbolic link to the regular file %s: gridflash writes cards; to overwrite that file with the image, name it itself", job.device, target))
	}
	job.device = target
	return 0
}

// underDev reports whether path names a device: it lies in /dev (or the
// fake system's), or in Windows' device namespace.
func underDev(path, dev string) bool {
	if strings.HasPrefix(path, `\\.\`) || strings.HasPrefix(path, "//./") {
		return true
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return true
	}
	for _, d := range []string{"/dev", dev} {
		if d != "" && strings.HasPrefix(abs, filepath.Clean(d)+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// confirm asks before erasing a drive or file, naming it.
func (e *env) confirm(job *writeJob) bool {
	what := fmt.Sprintf("image file %s", job.device)
	zh := fmt.Sprintf("镜像文件 %s（如已存在将被覆盖）", job.device)
	if d := job.drive; d != nil {
		model := strings.TrimSpace(d.Vendor + " " + d.Model)
		what = fmt.Sprintf("drive %s (%s, %s)", d.Path, humanSize(d.Size), model)
		zh = fmt.Sprintf("磁盘 %s（%s，%s）上的全部数据将被清除", d.Path, humanSize(d.Size), model)
	}
	fmt.Fprintf(e.stderr, "将写入 gridkiosk %s (%s) 到%s。\nAbout to write gridkiosk %s (%s) to %s; everything on it is lost.\n输入 yes 继续 / type yes to continue: ",
		job.m.Version, job.m.Arch, zh, job.m.Version, job.m.Arch, what)
	line, _ := bufio.NewReader(e.stdin).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "yes" || answer == "是"
}

func (e *env) doWrite(job *writeJob) int {
	im, err := flash.OpenImage(job.image)
	if err != nil {
		return e.fail("打开镜像失败", err)
	}
	defer im.Close()
	dst, err := flash.Create(job.device, job.m.ImageSize)
	if err != nil {
		return e.fail("打开目标失败", err)
	}
	defer dst.Close()
	prog := flash.NewProgress(e.stderr, e.tty, e.now)
	opt := flash.Options{Provision: job.provision, Progress: prog, Now: e.now}
	if err := flash.Write(dst, im, job.m, job.pub, opt); err != nil {
		return e.fail("写入失败，这张卡不能使用", err)
	}
	fmt.Fprintf(e.stdout, "完成 done: %s 已写入并校验 gridkiosk %s (%s) / holds gridkiosk %s (%s), verified\n", job.device, job.m.Version, job.m.Arch, job.m.Version, job.m.Arch)
	if job.provision != nil {
		fmt.Fprintf(e.stdout, "  站点配置 provisioning file: %s on the boot partition\n", flash.ProvisionPath)
	}
	return 0
}

func (e *env) verify(args []string) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	device := fs.String("device", "", "written drive or image `FILE`")
	man := fs.String("manifest", "", "signed manifest `FILE`")
	pubkey := fs.String("pubkey", "", "release public key `FILE`")
	if !e.flags(fs, args, "device", "manifest", "pubkey") {
		return 2
	}
	pub, err := manifest.LoadPublicKey(*pubkey)
	if err != nil {
		return e.fail("读取公钥失败", err)
	}
	m, err := manifest.Load(*man)
	if err != nil {
		return e.fail("读取清单失败", err)
	}
	if err := manifest.Verify(m, pub); err != nil {
		return e.fail("清单签名无效", err)
	}
	tg, err := flash.Open(*device)
	if err != nil {
		return e.fail("打开目标失败", err)
	}
	defer tg.Close()
	res, err := flash.Verify(tg, m, pub, flash.NewProgress(e.stderr, e.tty, e.now))
	if err != nil {
		return e.fail("校验失败", err)
	}
	fmt.Fprintf(e.stdout, "校验通过 verified: %s holds gridkiosk %s (%s): %d ranges, %s\n", *device, m.Version, m.Arch, len(m.Ranges), humanSize(m.MappedBytes()))
	if res.Provision != nil {
		status := "valid"
		if _, err := config.Parse(res.Provision, flash.ProvisionPath); err != nil {
			status = "INVALID: " + strings.ReplaceAll(err.Error(), "\n", "; ")
		}
		fmt.Fprintf(e.stdout, "  站点配置 provisioning file %s: %d bytes, %s (not covered by the image signature)\n", flash.ProvisionPath, len(res.Provision), status)
	}
	return 0
}
