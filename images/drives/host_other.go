//go:build !linux

package drives

// Host returns the running system's view of its drives; here there is
// none yet: sysfs and /proc/mounts are Linux's.
func Host() (System, error) { return System{}, ErrUnsupported }
