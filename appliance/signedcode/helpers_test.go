package signedcode

import (
	"errors"
	"os"
)

func asRefusal(err error, r **Refusal) bool { return errors.As(err, r) }

func chmod(path string, mode os.FileMode) error { return os.Chmod(path, mode) }
