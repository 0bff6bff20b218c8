package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/s3"
	"github.com/fedcost/fedcost/shared/testenv"
)

const (
	bucket = "fedcost-test"
	prefix = "fedcost data" // the testdata events carry "fedcost+data/…"
)

var window = layout.WindowFor(layout.Hourly, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))

// invocation is one event the fake Runtime API hands out, and what the function answered.
type invocation struct {
	id      string
	payload []byte
	done    chan struct{}
	kind    string // "response" or "error"
	body    []byte
}

// fakeRuntime is the Lambda Runtime API as the real bootstrap binary sees it.
type fakeRuntime struct {
	srv     *httptest.Server
	pending chan *invocation
	mu      sync.Mutex
	byID    map[string]*invocation
}

func newFakeRuntime(t *testing.T) *fakeRuntime {
	f := &fakeRuntime{pending: make(chan *invocation, 16), byID: map[string]*invocation{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case inv := <-f.pending:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(5*time.Minute).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:fedcost-ingest")
			w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
			_, _ = w.Write(inv.payload)
		case <-r.Context().Done():
		}
	})
	finish := func(kind string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			f.mu.Lock()
			inv := f.byID[r.PathValue("id")]
			f.mu.Unlock()
			if inv == nil {
				http.Error(w, "unknown request id", http.StatusBadRequest)
				return
			}
			inv.kind, inv.body = kind, body
			w.WriteHeader(http.StatusAccepted)
			close(inv.done)
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", finish("response"))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", finish("error"))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		t.Errorf("init error: %s", body)
		w.WriteHeader(http.StatusAccepted)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// invoke hands the event to the function and waits for its answer.
func (f *fakeRuntime) invoke(t *testing.T, id string, payload []byte) *invocation {
	t.Helper()
	inv := &invocation{id: id, payload: payload, done: make(chan struct{})}
	f.mu.Lock()
	f.byID[id] = inv
	f.mu.Unlock()
	f.pending <- inv
	select {
	case <-inv.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("invocation %s: no answer", id)
	}
	return inv
}

func buildBootstrap(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

func newS3(t *testing.T) (host string, st store.Store) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	host = strings.TrimPrefix(srv.URL, "http://")
	c := s3.DefaultConfig()
	c.Bucket, c.Endpoint, c.Insecure, c.Region = bucket, host, true, "us-east-1"
	c.AccessKey, c.SecretKey = "test", "test"
	s, err := s3.New(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return host, store.WithPrefix(s, prefix)
}

func putWindow(t *testing.T, st store.Store, cluster string) {
	t.Helper()
	for _, k := range layout.Kinds {
		u := layout.Upload{Cluster: cluster, Kind: k, Resolution: layout.Hourly, Window: window}
		d := etl.NewDocument(u, etl.Producer{Agent: "test", Version: "1", InstallID: "i-" + cluster, Source: "test", BuiltAt: window.End})
		if k == layout.Allocations {
			a := &cost.Allocation{Name: cluster + "/n0/ns/p/c", Start: window.Start, End: window.End,
				Properties: &cost.AllocationProperties{Node: "n0", Namespace: "ns", Pod: "p", Container: "c"}, CPUCoreHours: 1, CPUCost: 0.03}
			d.Allocations[a.Name] = a
		} else {
			a := &cost.Asset{Type: cost.NodeAssetType, Start: window.Start, End: window.End,
				Properties: cost.AssetProperties{Category: cost.ComputeCategory, Provider: "AWS", Name: "n0"}, CPUCoreHours: 2, CPUCost: 0.08}
			d.Assets[a.Key()] = a
		}
		b, err := etl.Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Put(context.Background(), u.Key(), b); err != nil {
			t.Fatal(err)
		}
	}
}

func derivedKeys(t *testing.T, st store.Store, cluster string) []string {
	t.Helper()
	var keys []string
	for _, k := range layout.DerivedKinds {
		key := layout.Derived{Kind: k, Cluster: cluster, Resolution: layout.Hourly, Window: window}.Key()
		if _, err := st.Stat(context.Background(), key); err == nil {
			keys = append(keys, key)
		} else if !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
	}
	return keys
}

// TestBootstrapBinary runs the compiled function against a fake Runtime API and an S3 server.
func TestBootstrapBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap binary")
	}
	bin := buildBootstrap(t)
	host, st := newS3(t)
	rt := newFakeRuntime(t)
	for _, c := range []string{"c1", "c2", "c4"} {
		putWindow(t, st, c)
	}
	proc := testenv.Start(t, []string{
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(rt.srv.URL, "http://"),
		"AWS_LAMBDA_FUNCTION_NAME=fedcost-ingest", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_EC2_METADATA_DISABLED=true",
		"FEDCOST_BUCKET=" + bucket, "FEDCOST_PREFIX=" + prefix, "FEDCOST_S3_ENDPOINT=http://" + host, "FEDCOST_LOG_LEVEL=info",
	}, bin)

	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	t.Run("s3", func(t *testing.T) {
		inv := rt.invoke(t, "req-s3", read("s3-put.json"))
		if inv.kind != "response" {
			t.Fatalf("S3 event answered %s: %s\n%s", inv.kind, inv.body, proc.Output())
		}
		if got := derivedKeys(t, st, "c1"); len(got) != len(layout.DerivedKinds) {
			t.Fatalf("derived for c1: %v\n%s", got, proc.Output())
		}
	})
	t.Run("sqs", func(t *testing.T) {
		inv := rt.invoke(t, "req-sqs", read("sqs-batch.json"))
		var resp struct {
			BatchItemFailures []struct {
				ItemIdentifier string `json:"itemIdentifier"`
			} `json:"batchItemFailures"`
		}
		if inv.kind != "response" || json.Unmarshal(inv.body, &resp) != nil {
			t.Fatalf("SQS batch answered %s: %s", inv.kind, inv.body)
		}
		if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "00000003-1b2c-4d5e-8f90-a1b2c3d4e5f6" {
			t.Fatalf("batchItemFailures = %s; want exactly the poisoned message", inv.body)
		}
		if got := derivedKeys(t, st, "c2"); len(got) != len(layout.DerivedKinds) {
			t.Fatalf("derived for c2: %v\n%s", got, proc.Output())
		}
	})
	t.Run("test event", func(t *testing.T) {
		if inv := rt.invoke(t, "req-test", read("s3-test-event.json")); inv.kind != "response" {
			t.Fatalf("s3:TestEvent answered %s: %s", inv.kind, inv.body)
		}
	})
	t.Run("scheduled reconcile", func(t *testing.T) {
		if got := derivedKeys(t, st, "c4"); len(got) != 0 {
			t.Fatalf("c4 derived before the reconcile: %v", got)
		}
		if inv := rt.invoke(t, "req-schedule", read("eventbridge-scheduled.json")); inv.kind != "response" {
			t.Fatalf("scheduled event answered %s: %s\n%s", inv.kind, inv.body, proc.Output())
		}
		if got := derivedKeys(t, st, "c4"); len(got) != len(layout.DerivedKinds) {
			t.Fatalf("derived for c4 after the reconcile: %v\n%s", got, proc.Output())
		}
	})
	t.Run("logs", func(t *testing.T) {
		out := proc.Output()
		for _, want := range []string{`"aws_request_id":"req-s3"`, `"aws_request_id":"req-sqs"`, `"outcome":"derived"`,
			`"cluster":"c1"`, `"window":`, `"msg":"reconcile"`} {
			if !strings.Contains(out, want) {
				t.Errorf("logs lack %s:\n%s", want, out)
			}
		}
	})
}
