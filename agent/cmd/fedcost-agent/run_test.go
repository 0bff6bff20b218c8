package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/objstore"
	"github.com/fedcost/fedcost/shared/testenv"
)

var fixedNow = time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)

func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

// bucket writes a FILESYSTEM federated-store.yaml and returns its path.
func bucket(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "federated-store.yaml")
	yaml := fmt.Sprintf("type: FILESYSTEM\nconfig:\n  directory: %s\nprefix: tenant-a\n", filepath.Join(dir, "bucket"))
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func openBucket(t *testing.T, cfg string) store.Store {
	t.Helper()
	c, err := objstore.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := objstore.Open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// decodeAll decodes every object of the bucket and counts uploads and heartbeats.
func decodeAll(t *testing.T, st store.Store) (uploads, heartbeats int) {
	t.Helper()
	ctx := context.Background()
	err := st.List(ctx, "", "", func(info store.ObjectInfo) error {
		p, err := layout.Parse(info.Key)
		if err != nil {
			return err
		}
		data, _, err := st.Get(ctx, info.Key)
		if err != nil {
			return err
		}
		switch p.Class {
		case layout.UploadClass:
			uploads++
			_, err = etl.Decode(data, p.Upload, etl.Limits{})
		case layout.HeartbeatClass:
			heartbeats++
			_, err = etl.DecodeHeartbeat(data, p.Cluster)
		default:
			err = fmt.Errorf("unexpected object %s", info.Key)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return uploads, heartbeats
}

func TestSimulateCommand(t *testing.T) {
	t.Parallel()
	cfg := bucket(t)
	var out, errOut bytes.Buffer
	args := []string{"simulate", "--store", cfg, "--days", "1", "--hourly-hours", "3", "--end", "2026-11-20T12:30:00Z", "--containers-per-day", "20"}
	code := run(context.Background(), args, env(map[string]string{"FEDCOST_CLUSTERS": "2"}), &out, &errOut, clockAt(fixedNow), false)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	uploads, heartbeats := decodeAll(t, openBucket(t, cfg))
	if uploads != 2*(1+3)*2 || heartbeats != 2 {
		t.Errorf("%d uploads, %d heartbeats; want 16 and 2", uploads, heartbeats)
	}
	if !strings.Contains(errOut.String(), "simulate: 100% (18/18 files") || strings.Contains(errOut.String(), "\r") {
		t.Errorf("want plain progress lines without a terminal, got:\n%s", errOut.String())
	}
	if !strings.Contains(out.String(), "wrote 16 uploads and 2 heartbeats") {
		t.Errorf("summary line missing:\n%s", out.String())
	}
}

func TestSimulateBadUsage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"simulate", "--clusters", "0"}, env(nil), &out, &errOut, clockAt(fixedNow), false); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "--store: required") {
		t.Errorf("stderr: %s", errOut.String())
	}
}

func TestProgressBarOnATerminal(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	now := fixedNow
	p := newProgress(&out, true, func() time.Time { now = now.Add(time.Second); return now })
	for i := 1; i <= 4; i++ {
		p.update(i, 4)
	}
	p.finish()
	if s := out.String(); !strings.Contains(s, "\r[") || !strings.Contains(s, "100% 4/4 files") || !strings.HasSuffix(s, "\n") {
		t.Errorf("bar output %q", s)
	}
}

// syncBuffer is a goroutine-safe bytes.Buffer for the agent's log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// The agent end to end: simulator source, filesystem bucket with a prefix, /metrics, /healthz.
func TestAgentRunsEndToEnd(t *testing.T) {
	t.Parallel()
	cfg := bucket(t)
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	spoolDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	args := []string{"--store", cfg, "--cluster-id", "e2e-1", "--source", "simulator", "--sim-containers-per-day", "10",
		"--spool-dir", spoolDir, "--listen", addr, "--interval", "10s", "--backfill-hourly", "3h", "--backfill-daily", "2d"}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, env(nil), io.Discard, &logs, clockAt(fixedNow), false) }()

	st := openBucket(t, cfg)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := st.Stat(context.Background(), layout.HeartbeatKey("e2e-1")); err == nil {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("agent exited %d early:\n%s", code, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no heartbeat within a minute:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/metrics": `fedcost_agent_uploads_total{outcome="uploaded"}`,
	} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, want %q in:\n%.2000s", path, resp.StatusCode, want, body)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d:\n%s", code, logs.String())
	}
	// Open 12:00 hour and day, backfilled 09:00-11:00 hours and the two previous days; both kinds.
	uploads, heartbeats := decodeAll(t, st)
	if uploads != 2*(4+3) || heartbeats != 1 {
		t.Errorf("%d uploads, %d heartbeats; want 14 and 1", uploads, heartbeats)
	}
	if id, err := os.ReadFile(filepath.Join(spoolDir, "install-id")); err != nil || len(id) < 36 {
		t.Errorf("install id not persisted: %q %v", id, err)
	}
	if !strings.Contains(logs.String(), `"msg":"fedcost-agent starting"`) {
		t.Errorf("no structured start log:\n%s", logs.String())
	}
}
