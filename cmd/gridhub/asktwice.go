package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// askTwice reads a new secret (what: "password", "PIN") from stdin's
// terminal with its echo off, asking twice to catch a slip, and checks
// the first answer with check. tty is false, and nothing is read, when
// stdin is not a terminal: the caller reads a pipe or file its own way.
func askTwice(stdin *os.File, stderr io.Writer, what, prompt string, check func(string) error) (secret string, tty bool, err error) {
	fd := int(stdin.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", false, nil
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return "", true, fmt.Errorf("turn off the terminal's echo: %w", err)
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	in := bufio.NewReader(stdin)
	ask := func(prompt string) (string, error) {
		fmt.Fprint(stderr, prompt)
		line, err := in.ReadString('\n')
		fmt.Fprintln(stderr)
		if err != nil && line == "" {
			return "", fmt.Errorf("read the %s: %w", what, err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	secret, err = ask(prompt)
	if err == nil {
		err = check(secret)
	}
	if err != nil {
		return "", true, err
	}
	again, err := ask("The same " + what + " again: ")
	if err != nil {
		return "", true, err
	}
	if again != secret {
		return "", true, errors.New("the two " + what + "s differ; nothing was changed")
	}
	return secret, true, nil
}
