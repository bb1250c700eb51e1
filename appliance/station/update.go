package station

import "time"

// UpdateView is the station's system update as the technician screen,
// /healthz and `gridkiosk update status` show it.
type UpdateView struct {
	// Enabled is update.enabled; the rest is empty when it is false.
	Enabled bool   `json:"enabled"`
	Slot    string `json:"slot,omitempty"`    // booted root slot: A or B
	Version string `json:"version,omitempty"` // the running system's
	// State: idle, downloading, waiting, installing, rebooting, trial,
	// failed (the contract's words).
	State   string `json:"state,omitempty"`
	Pending string `json:"pending,omitempty"` // the version under way
	Source  string `json:"source,omitempty"`  // hub, usb, console
	Percent int    `json:"percent,omitempty"`
	// Busy: the kiosk is in use, which holds a download or an install.
	Busy bool `json:"busy,omitempty"`
	// Reason names the last result (ok, older, same, arch, signature,
	// size, sha256, disk_full, download, install, rolled_back, no_rauc,
	// version, reboot) for a screen to say in its language; Last says
	// it in English with the details.
	Reason    string     `json:"reason,omitempty"`
	Last      string     `json:"last,omitempty"`
	LastAt    *time.Time `json:"last_at,omitempty"`
	Window    string     `json:"window,omitempty"`
	NextCheck *time.Time `json:"next_check,omitempty"`
}

// UpdateInstall is a technician's request to install a bundle.
type UpdateInstall struct {
	Path string `json:"path"`
	// Force installs and reboots even while the kiosk is in use.
	Force bool `json:"force,omitempty"`
	// AllowOlder installs an older or the same version on purpose.
	AllowOlder bool `json:"allow_older,omitempty"`
}

// UpdateRefused is why a bundle is not installed.
type UpdateRefused struct {
	Reason string `json:"reason"`
	Msg    string `json:"error"`
}

func (e *UpdateRefused) Error() string { return e.Msg }

// UpdateWord is an update state or reason (UpdateView.State, .Reason)
// in words for staff: Chinese and English. An unknown word is given back
// as it is.
func UpdateWord(w string) (zh, en string) {
	switch w {
	case "idle":
		return "无待办更新", "nothing to do"
	case "downloading":
		return "正在下载", "downloading"
	case "waiting":
		return "已下载，等待安装", "downloaded, waiting to install"
	case "installing":
		return "正在安装", "installing"
	case "rebooting":
		return "已安装，等待重启", "installed, waiting to reboot"
	case "trial":
		return "新系统试运行中", "new system on trial"
	case "failed":
		return "更新失败", "update failed"
	case "ok":
		return "成功", "ok"
	case "older":
		return "版本比当前旧，未安装", "older than the running version"
	case "same":
		return "与当前版本相同", "same as the running version"
	case "arch":
		return "不适用于本机型", "for another kind of machine"
	case "signature":
		return "签名无效，已拒绝", "signature not valid"
	case "size":
		return "文件大小不符", "wrong size"
	case "sha256":
		return "校验值不符", "checksum mismatch"
	case "disk_full":
		return "磁盘空间不足", "disk full"
	case "download":
		return "下载中断，稍后续传", "download broke off, resumes later"
	case "install":
		return "安装失败", "install failed"
	case "rolled_back":
		return "新系统未能正常启动，已退回", "rolled back to the old system"
	case "no_rauc":
		return "本机无法安装更新", "this machine cannot install updates"
	case "version":
		return "版本未知", "version unknown"
	case "reboot":
		return "重启失败", "reboot failed"
	case "hub":
		return "县平台", "county hub"
	case "usb":
		return "U盘", "USB stick"
	case "console":
		return "维护命令", "console"
	}
	return w, w
}
