package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/store/filesystem"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
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

// freeAddr returns a free 127.0.0.1 port.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestQueryCommand runs `fedcost query` over a simulated, derived filesystem bucket: /readyz,
// /model/allocation, /metrics and the UI answer; with a token file, the API wants a token.
func TestQueryCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := filesystem.New(ctx, filesystem.Config{Directory: dir})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := sim.Generate(ctx, st, sim.Options{Clusters: 2, Days: 2, HourlyHours: 2, Seed: 1, End: now}); err != nil {
		t.Fatal(err)
	}
	core, err := ingest.New(ingest.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.Reconcile(ctx, ingest.ReconcileOptions{}); err != nil {
		t.Fatal(err)
	}
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("# comment\nsecret-1\n\nsecret-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		args  []string
		token string
	}{
		{"open", nil, ""},
		{"token file", []string{"--token-file", tokens}, "secret-2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeAddr(t)
			ctx, cancel := context.WithCancel(ctx)
			var stderr syncBuffer
			done := make(chan int, 1)
			args := append([]string{"query", "--dir", dir, "--listen", addr, "--refresh", "1h", "--currency", "€"}, tc.args...)
			go func() { done <- run(ctx, args, io.Discard, &stderr) }()
			base := "http://" + addr
			get := func(path, token string) (int, string) {
				t.Helper()
				req, _ := http.NewRequest(http.MethodGet, base+path, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return 0, err.Error()
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			deadline := time.Now().Add(60 * time.Second)
			for {
				code, _ := get("/readyz", "")
				if code == 200 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not ready in time (last %d); stderr: %s", code, stderr.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
			type check struct {
				path, token string
				code        int
				contains    string
			}
			checks := []check{
				{"/model/allocation?window=2d&aggregate=cluster&accumulate=true", tc.token, 200, `"sim-0002"`},
				{"/model/federation/status", tc.token, 200, `"sim-0001"`},
				{"/metrics", "", 200, `fedcost_cluster_last_upload_timestamp_seconds{cluster_id="sim-0001"}`},
				{"/metrics", "", 200, "fedcost_query_cache_resident_rows"},
				{"/", "", 200, "<html"},
				{"/ui-config.js", "", 200, "€"},
				{"/nope", tc.token, 404, `"code":404`},
			}
			if tc.token != "" {
				checks = append(checks,
					check{"/model/allocation?window=2d&aggregate=cluster", "", 401, "token"},
					check{"/model/allocation?window=2d&aggregate=cluster", "wrong", 401, "token"})
			}
			for _, c := range checks {
				code, body := get(c.path, c.token)
				if code != c.code || !strings.Contains(body, c.contains) {
					t.Errorf("GET %s (token %q): %d, want %d containing %q; got %.300s", c.path, c.token, code, c.code, c.contains, body)
				}
			}
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("exit %d; stderr: %s", code, stderr.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatal("no graceful shutdown")
			}
		})
	}
}

// TestQueryFlags: bad flags and environment values are usage errors (exit 2).
func TestQueryFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no store", []string{}, nil, "no bucket"},
		{"bad duration", []string{"--dir", ".", "--refresh", "soon"}, nil, "refresh"},
		{"bad env", []string{"--dir", "."}, map[string]string{"FEDCOST_DAILY_RETENTION": "x"}, "FEDCOST_DAILY_RETENTION"},
		{"empty token file", []string{"--dir", ".", "--token-file", os.DevNull}, nil, "no token"},
		{"extra argument", []string{"--dir", ".", "extra"}, nil, "unexpected argument"},
		{"bad memory limit", []string{"--dir", ".", "--memory-limit", "lots"}, nil, "memory-limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			t.Setenv("FEDCOST_STORE", "")
			var stderr bytes.Buffer
			code := run(context.Background(), append([]string{"query"}, tc.args...), io.Discard, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 mentioning %q", code, stderr.String(), tc.want)
			}
		})
	}
	for in, want := range map[string]int64{"900MiB": 900 << 20, "2GiB": 2 << 30, "512KiB": 512 << 10, "0": 0, "1000": 1000} {
		if got, err := queryBytes(in); err != nil || got != want {
			t.Errorf("queryBytes(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]time.Duration{"91d": 91 * 24 * time.Hour, "49h": 49 * time.Hour, "30s": 30 * time.Second, "0": 0} {
		if got, err := queryDuration(in); err != nil || got != want {
			t.Errorf("queryDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}
