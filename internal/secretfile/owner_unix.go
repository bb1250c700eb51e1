//go:build unix

package secretfile

import (
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// stationGroup is the appliance image's group for the station's user.
// It is named as well as taken from the process, so that root running
// "gridkiosk config check" while re-provisioning accepts the token the
// image installed for the station.
const stationGroup = "gridkiosk"

// rootOwnedForUs reports whether root owns the file and its group is the
// station's: the process's own, or the image's station group.
func rootOwnedForUs(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid != 0 {
		return false
	}
	if int(st.Gid) == os.Getegid() {
		return true
	}
	g, err := user.LookupGroupId(strconv.Itoa(int(st.Gid)))
	return err == nil && g.Name == stationGroup
}
