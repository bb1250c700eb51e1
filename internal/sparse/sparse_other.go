//go:build !(linux || darwin || freebsd)

package sparse

import "os"

// Data reports the whole file as data where the OS cannot tell holes
// from data: slower on a sparse file, same result.
func Data(_ *os.File, size int64, each func(start, end int64)) error {
	each(0, size)
	return nil
}
