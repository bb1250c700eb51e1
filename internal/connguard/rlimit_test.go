package connguard

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

const printLimitEnv = "CONNGUARD_TEST_PRINT_NOFILE"

func TestMain(m *testing.M) {
	if os.Getenv(printLimitEnv) == "1" {
		var rl syscall.Rlimit
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
		fmt.Printf("%d %d\n", rl.Cur, rl.Max)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// FitFileLimit counts on Go raising the soft open file limit to the hard
// one at start: a process started with 512 of 2048 has 2047 (Go 1.26
// leaves one below the hard limit, to notice another process's prlimit).
func TestGoRaisesFileLimit(t *testing.T) {
	cmd := exec.Command("prlimit", "--nofile=512:2048", "--", os.Args[0])
	cmd.Env = append(os.Environ(), printLimitEnv+"=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("prlimit: %v", err)
	}
	var cur, hard int
	if _, err := fmt.Sscan(string(out), &cur, &hard); err != nil || hard != 2048 || cur < 2047 {
		t.Fatalf("a Go process started with a file limit of 512 (hard 2048) has %q, want 2047 or 2048 of 2048", strings.TrimSpace(string(out)))
	}
}
