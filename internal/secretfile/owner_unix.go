//go:build unix

package secretfile

import (
	"io/fs"
	"os"
	"syscall"
)

// rootOwnedForUs reports whether root owns the file and its group is the
// process's own.
func rootOwnedForUs(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Uid == 0 && int(st.Gid) == os.Getegid()
}
