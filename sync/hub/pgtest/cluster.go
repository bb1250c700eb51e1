package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// port names the socket file; nothing listens on TCP, and the socket's
// directory is the cluster's own, so any number does.
const port = 5432

const installHint = "install postgresql (make test does: apt-get install postgresql)"

// cluster is a running PostgreSQL server in a temporary directory.
type cluster struct {
	dir    string // socket, log and (in data/) the cluster itself
	cmd    *exec.Cmd
	exited chan struct{} // closed when the server process has ended
}

// start makes a cluster with initdb and starts its server.
func start() (*cluster, error) {
	bin, err := findBinaries("pg_config", "/usr/lib/postgresql/*/bin")
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := tempDir(cred)
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir}
	if err := c.initdb(bin, cred); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.serve(bin, cred); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.waitReady(30 * time.Second); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// findBinaries returns the directory of initdb and postgres: the bindir
// of pgConfig, else the newest directory of those pattern matches (where
// Debian puts them), else $PATH.
func findBinaries(pgConfig, pattern string) (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "postgres"} {
			if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if out, err := exec.Command(pgConfig, "--bindir").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); has(dir) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob(pattern)
	slices.SortFunc(dirs, func(a, b string) int { return majorVersion(b) - majorVersion(a) })
	for _, dir := range dirs {
		if has(dir) {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && has(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("no PostgreSQL server (initdb and postgres) in %s --bindir, %s or $PATH: %s", pgConfig, pattern, installHint)
}

// majorVersion is 15 for /usr/lib/postgresql/15/bin.
func majorVersion(bindir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bindir)))
	return n
}

// credential returns whom to run PostgreSQL as: nil for the user running
// the tests, or the postgres user when that is root, which PostgreSQL
// refuses. The child switches user itself (as runuser would), so no
// wrapper process stands between the test and the server and the parent
// death signal reaches the server.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("the tests run as root, which PostgreSQL refuses, and there is no postgres user to run it as (%v): %s", err, installHint)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("postgres user: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// tempDir makes the cluster's directory, owned by whoever runs the
// server. A socket path has at most 107 bytes, so a long $TMPDIR gives
// way to /tmp.
func tempDir(cred *syscall.Credential) (string, error) {
	parent := os.TempDir()
	if len(parent) > 60 {
		parent = "/tmp"
	}
	sweep(parent)
	dir, err := os.MkdirTemp(parent, "gridhub-pgtest-")
	if err != nil {
		return "", fmt.Errorf("cluster directory: %w", err)
	}
	owner := []byte(strconv.Itoa(os.Getpid()))
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), owner, 0o600); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("cluster directory: %w", err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("cluster directory: %w", err)
		}
	}
	return dir, nil
}

// sweep removes the clusters of test binaries that died without stopping
// theirs (a test timeout, a kill): their servers died with them, but the
// directories, tens of megabytes each, stay.
func sweep(parent string) {
	dirs, _ := filepath.Glob(filepath.Join(parent, "gridhub-pgtest-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(string(b))
		if err == nil && pid > 0 && errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			os.RemoveAll(dir)
		}
	}
}

func (c *cluster) initdb(bin string, cred *syscall.Credential) error {
	// -N skips fsync: the cluster lives for one test run.
	cmd := exec.Command(filepath.Join(bin, "initdb"), "-D", filepath.Join(c.dir, "data"), "-U", "postgres",
		"-A", "trust", "-E", "UTF8", "--locale=C", "-N", "--no-instructions")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

// DurableEnv, set to anything in the test binary's environment, has the
// cluster commit durably (fsync, synchronous commit, full-page writes),
// as PostgreSQL does by default, for benchmarks that compare it with a
// store that fsyncs.
const DurableEnv = "GRIDHUB_PGTEST_DURABLE"

// serve starts the server as a child of the test binary.
func (c *cluster) serve(bin string, cred *syscall.Credential) error {
	logf, err := os.Create(filepath.Join(c.dir, "postgres.log"))
	if err != nil {
		return fmt.Errorf("postgres log: %w", err)
	}
	defer logf.Close()
	args := []string{"-D", filepath.Join(c.dir, "data"), "-k", c.dir, "-p", strconv.Itoa(port), "-c", "listen_addresses="}
	if os.Getenv(DurableEnv) == "" {
		// Durability is no use to a cluster that is deleted after the
		// run; a benchmark that compares with bbolt's fsync asks for it.
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	c.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	c.cmd.Dir = c.dir
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	// SIGQUIT is PostgreSQL's immediate shutdown, for a test binary that
	// dies without stopping the cluster.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	c.exited = make(chan struct{})
	started := make(chan error, 1)
	go func() {
		// Linux sends the parent death signal when the thread that
		// started the child ends, not the process: this goroutine holds
		// its thread until the server has exited.
		runtime.LockOSThread()
		if err := c.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.cmd.Wait()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	return nil
}

// waitReady waits until the server takes connections.
func (c *cluster) waitReady(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.url("postgres"))
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.exited:
			return fmt.Errorf("postgres exited at start:\n%s", c.log())
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready after %v: %v\n%s", limit, err, c.log())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop shuts the server down (fast: it ends open sessions) and removes
// the cluster.
func (c *cluster) stop() error {
	c.cmd.Process.Signal(syscall.SIGINT)
	var err error
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
		err = fmt.Errorf("postgres took more than 10s to stop; killed it:\n%s", c.log())
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

// log returns the end of the server's log, for errors.
func (c *cluster) log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}
