package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gridkiosk/gridkiosk/images/manifest"
)

func (e *env) keygen(args []string) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fs.String("out", "", "write the key pair to `PREFIX`.key and PREFIX.pub")
	if !e.flags(fs, args, "out") {
		return 2
	}
	pub, err := manifest.GenerateKeyFiles(*out)
	if err != nil {
		return e.fail("生成密钥失败", err)
	}
	fmt.Fprintf(e.stdout, "密钥 key %s\n  私钥 secret: %s.key (keep it off the technicians' laptops)\n  公钥 public: %s.pub\n", manifest.KeyID(pub), *out, *out)
	return 0
}

// imageName is how the image recipe names images: NAME-VERSION-ARCH.img.
var imageName = regexp.MustCompile(`^[a-z]+-(.+)-(amd64|arm64|armhf|arm)\.img$`)

func (e *env) sign(args []string) int {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	key := fs.String("key", "", "private key `FILE`")
	image := fs.String("image", "", "raw image `FILE` (sign before compressing)")
	ver := fs.String("version", "", "image version (default: from NAME-VERSION-ARCH.img)")
	arch := fs.String("arch", "", "image architecture (default: from the image name)")
	out := fs.String("out", "", "manifest `FILE` (default: IMAGE.manifest.json)")
	bs := fs.Int64("block-size", manifest.DefaultBlockSize, "block map granularity in bytes")
	if !e.flags(fs, args, "key", "image") {
		return 2
	}
	if m := imageName.FindStringSubmatch(filepath.Base(*image)); m != nil {
		*ver = firstOf(*ver, m[1])
		*arch = firstOf(*arch, m[2])
	}
	if *ver == "" || *arch == "" {
		fmt.Fprintln(e.stderr, "gridflash sign: 请用 --version 和 --arch 指明版本和架构 / give --version and --arch (the image name does not say them)")
		return 2
	}
	for _, ext := range []string{".xz", ".zst", ".gz"} {
		if strings.HasSuffix(*image, ext) {
			return e.fail("请签名未压缩的 .img 文件，签名后再压缩", fmt.Errorf("sign: %s is compressed: sign the raw image, then compress it", *image))
		}
	}
	priv, err := manifest.LoadPrivateKey(*key)
	if err != nil {
		return e.fail("读取私钥失败", err)
	}
	m, err := manifest.BuildFile(*image, manifest.Meta{Version: *ver, Arch: *arch, BlockSize: *bs})
	if err != nil {
		return e.fail("读取镜像失败", err)
	}
	if err := manifest.Sign(m, priv); err != nil {
		return e.fail("签名失败", err)
	}
	path := firstOf(*out, *image+".manifest.json")
	if err := manifest.Save(path, m); err != nil {
		return e.fail("保存清单失败", err)
	}
	fmt.Fprintf(e.stdout, "已签名 signed %s %s (%s): %d ranges, %s of %s mapped, key %s\n  清单 manifest: %s\n",
		*image, m.Version, m.Arch, len(m.Ranges), humanSize(m.MappedBytes()), humanSize(m.ImageSize), m.KeyID, path)
	return 0
}

// firstOf returns the first of its arguments that is not empty.
func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
