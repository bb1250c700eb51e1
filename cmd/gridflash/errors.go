package main

import (
	"errors"
	"fmt"

	"github.com/gridkiosk/gridkiosk/images/drives"
	"github.com/gridkiosk/gridkiosk/images/flash"
	"github.com/gridkiosk/gridkiosk/images/manifest"
)

// causes say in Chinese what the errors that have a known cause mean,
// whatever step they came from.
func cause(err error) string {
	var re *flash.RangeError
	switch {
	case errors.Is(err, manifest.ErrBadSignature):
		return "清单签名无效：清单在签名后被改动过，或是伪造的"
	case errors.Is(err, manifest.ErrWrongKey):
		return "清单不是用这个公钥签名的：请确认镜像和公钥来自同一发布"
	case errors.Is(err, flash.ErrImageMismatch):
		return "镜像文件与签名清单不符（文件损坏、下载不全或被篡改），已停止写入，卡不可用"
	case errors.Is(err, flash.ErrTooSmall):
		return "目标盘容量小于镜像"
	case errors.Is(err, flash.ErrUnsupported), errors.Is(err, drives.ErrUnsupported):
		return "此系统暂不支持直接写入磁盘，请使用 Linux 笔记本（写入镜像文件可以）"
	case errors.Is(err, drives.ErrRefused):
		return "" // Refuse says it in Chinese already
	case errors.As(err, &re):
		return "校验失败：卡上的数据与镜像不符，请重新写入或换卡"
	}
	return ""
}

// fail prints why the command failed, Chinese first, and returns the exit
// status. step is the Chinese for what was being done, used when the
// error has no better explanation.
func (e *env) fail(step string, err error) int {
	zh := cause(err)
	if zh == "" && !errors.Is(err, drives.ErrRefused) {
		zh = step
	}
	if zh == "" {
		fmt.Fprintf(e.stderr, "gridflash: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stderr, "gridflash: %s / %v\n", zh, err)
	return 1
}
