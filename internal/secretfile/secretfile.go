// Package secretfile reads the files that hold a station's secrets (the
// key its records are sealed under, the admin API's token, the hub's
// token) by one rule: a secret is readable by its owner only. The single
// exception is how the appliance image installs a file for the station:
// owned by root, which the station cannot change, and readable by the
// station's own group (mode 0640 root:gridkiosk). A file that breaks the
// rule is refused, never quietly tightened: a secret others could read
// may already have been copied, and a technician has to know.
package secretfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ExposedError is a secret file that others than its owner may read.
type ExposedError struct {
	Path string
	Mode fs.FileMode
	Who  string // "others", "its group", "group and others"
}

func (e *ExposedError) Error() string {
	return fmt.Sprintf("secret file %s has mode %04o: %s may read or change it; make it readable by its owner only: chmod 600 %s",
		e.Path, e.Mode.Perm(), e.Who, e.Path)
}

// Check applies the rule to a file's mode and owner.
func Check(path string, fi fs.FileInfo) error {
	perm := fi.Mode().Perm()
	group, other := perm&0o070 != 0, perm&0o007 != 0
	if group && !other && perm&0o030 == 0 && rootOwnedForUs(fi) {
		return nil // read by the station's group, as the image installs it
	}
	switch {
	case group && other:
		return &ExposedError{Path: path, Mode: perm, Who: "group and others"}
	case other:
		return &ExposedError{Path: path, Mode: perm, Who: "others"}
	case group:
		return &ExposedError{Path: path, Mode: perm, Who: "its group"}
	}
	return nil
}

// Read reads a secret file of at most max bytes, refusing it by Check's
// rule. It checks the file it opened, not the name, so a file swapped in
// between is not read unchecked.
func Read(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("secret file %s is not a regular file (%v)", path, fi.Mode().Type())
	}
	if err := Check(path, fi); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("secret file %s is larger than %d bytes; is it the right file?", path, max)
	}
	return b, nil
}

// IsExposed reports whether err is Check's refusal.
func IsExposed(err error) bool {
	var e *ExposedError
	return errors.As(err, &e)
}
