//go:build !unix

package secretfile

import "io/fs"

// rootOwnedForUs is false where files have no Unix owner: the mode alone
// decides.
func rootOwnedForUs(fs.FileInfo) bool { return false }
