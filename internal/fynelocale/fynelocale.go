// Package fynelocale keeps Fyne from printing "Fyne error: Error parsing
// user locale C" on stderr at start-up on a machine whose locale is
// C.UTF-8 or POSIX.UTF-8 (ssh sessions, systemd units, the appliance
// image): Fyne's lang package reads the locale in its init, before main
// runs, and takes the "C" of "C.UTF-8" for a language it cannot parse.
// Every gridkiosk command links Fyne, so every command printed it.
//
// Importing this package (for its side effect, from main) names the
// language such a locale means: it sets LANGUAGE=en, which Fyne's locale
// lookup reads before the "C". It changes nothing when LANGUAGE is set or
// the locale is a real language, plain C or unset (which Fyne takes
// quietly), and it never touches LANG or LC_*.
//
// It must run before Fyne's lang package is initialised. It imports only
// os, so it does: packages are initialised in import-path order among
// those whose imports are done (Go spec, "Package initialization"); lang
// imports log, log imports os, and this package's path sorts before
// "log", so it is ready and chosen before log, and so before lang.
package fynelocale

import "os"

func init() {
	if os.Getenv("LANGUAGE") == "" && isC(locale(os.Getenv)) {
		os.Setenv("LANGUAGE", "en")
	}
}

// locale is the value that decides the language of messages, by the
// precedence gettext gives the variables.
func locale(getenv func(string) string) string {
	for _, v := range [...]string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := getenv(v); s != "" {
			return s
		}
	}
	return ""
}

// isC reports whether s is the C or POSIX locale with a codeset or
// modifier, as "C.UTF-8", "C.utf8" or "POSIX@x"; plain "C" and "POSIX"
// Fyne handles itself.
func isC(s string) bool {
	for _, base := range [...]string{"C", "POSIX"} {
		if len(s) > len(base) && s[:len(base)] == base && (s[len(base)] == '.' || s[len(base)] == '@') {
			return true
		}
	}
	return false
}
