package drives

// Host returns the running system's view of its drives.
func Host() (System, error) { return Linux, nil }
