// Package testenv finds and runs the real servers the tests use (MinIO, Azurite, Prometheus,
// Chromium, helm, terraform, …) on 127.0.0.1, and stops them when a test ends.
//
// A missing tool skips the test with a message naming the install command, unless
// FEDCOST_REQUIRE_TOOLS=1 (set by `make test`), in which case it fails: on CI nothing that can be
// installed is silently skipped.
package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// CacheDir is where scripts/install-tools.sh caches tools.
func CacheDir() string {
	if d := os.Getenv("FEDCOST_CACHE"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "fedcost")
}

// Required reports whether missing tools must fail tests instead of skipping them.
func Required() bool { return os.Getenv("FEDCOST_REQUIRE_TOOLS") == "1" }

// LookTool returns the path of an executable from PATH or the tool cache, or "" if absent.
func LookTool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	p := filepath.Join(CacheDir(), "bin", name)
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
		return p
	}
	return ""
}

// Tool returns the path of the named executable or skips/fails the test (see package doc).
// installHint names how to get it, e.g. "scripts/install-tools.sh minio".
func Tool(t testing.TB, name, installHint string) string {
	t.Helper()
	if p := LookTool(name); p != "" {
		return p
	}
	msg := fmt.Sprintf("%s is not installed (install: %s)", name, installHint)
	if Required() {
		t.Fatalf("%s; FEDCOST_REQUIRE_TOOLS=1 forbids skipping", msg)
	}
	t.Skipf("skipping: %s", msg)
	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Process is a server started for a test.
type Process struct {
	Cmd *exec.Cmd
	out *syncBuffer
}

// Output returns what the process printed so far (stdout and stderr).
func (p *Process) Output() string { return p.out.String() }

// Start runs a server process for the duration of the test. It is killed (its whole process
// group) in t.Cleanup; its output is printed if the test failed.
func Start(t testing.TB, env []string, name string, args ...string) *Process {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	buf := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = buf, buf
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		killProcessGroup(cmd)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Logf("%s did not exit within 10s of SIGKILL", name)
		}
		if t.Failed() {
			t.Logf("output of %s %s:\n%s", filepath.Base(name), strings.Join(args, " "), tail(buf.String(), 8000))
		}
	})
	return &Process{Cmd: cmd, out: buf}
}

// WaitHTTP polls url until it answers with a status below 500 or the timeout passes.
func WaitHTTP(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return
			}
			last = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s not ready after %s: %v", url, timeout, last)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
