package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/s3"
	"github.com/fedcost/fedcost/shared/testenv"
)

const (
	webhookMinIOUser     = "fedcost-minio-admin"
	webhookMinIOPassword = "fedcost-minio-password-not-secret"
	webhookMinIOTarget   = "FEDCOST"
	webhookToken         = "webhook-token-not-secret"
)

// webhookBuffer collects the command's output from several goroutines.
type webhookBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *webhookBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *webhookBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startWebhookMinIO runs MinIO with a webhook notification target pointing at hookAddr.
func startWebhookMinIO(t *testing.T, hookAddr string) (addr string, proc *testenv.Process) {
	t.Helper()
	bin := testenv.Tool(t, "minio", "scripts/install-tools.sh minio")
	port, console := testenv.FreePort(t), testenv.FreePort(t)
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	proc = testenv.Start(t, []string{
		"MINIO_ROOT_USER=" + webhookMinIOUser, "MINIO_ROOT_PASSWORD=" + webhookMinIOPassword, "MINIO_BROWSER=off", "MINIO_UPDATE=off",
		"MINIO_NOTIFY_WEBHOOK_ENABLE_" + webhookMinIOTarget + "=on",
		"MINIO_NOTIFY_WEBHOOK_ENDPOINT_" + webhookMinIOTarget + "=http://" + hookAddr + "/events",
		"MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_" + webhookMinIOTarget + "=" + webhookToken,
		// A persistent queue: MinIO retries deliveries (a 503, the webhook restarting) from it.
		"MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_" + webhookMinIOTarget + "=" + t.TempDir(),
	}, bin, "server", t.TempDir(), "--quiet", "--address", addr, "--console-address", fmt.Sprintf("127.0.0.1:%d", console))
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(resp.Header.Get("Server"), "MinIO") {
				return addr, proc
			}
		}
		if strings.Contains(proc.Output(), "already in use") || time.Now().After(deadline) {
			t.Fatalf("MinIO did not start on %s (last probe: %v):\n%s", addr, err, proc.Output())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func webhookMinIOClient(addr string) *awss3.Client {
	return awss3.New(awss3.Options{
		BaseEndpoint: aws.String("http://" + addr), Region: "us-east-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(webhookMinIOUser, webhookMinIOPassword, ""),
	})
}

func webhookDocument(t *testing.T, u layout.Upload) []byte {
	t.Helper()
	w := u.Window
	d := etl.NewDocument(u, etl.Producer{Agent: "test", Version: "1", InstallID: "i-" + u.Cluster, Source: "test", BuiltAt: w.End})
	if u.Kind == layout.Allocations {
		a := &cost.Allocation{Name: u.Cluster + "/n0/ns/p/c", Start: w.Start, End: w.End,
			Properties: &cost.AllocationProperties{Node: "n0", Namespace: "ns", Pod: "p", Container: "c"}, CPUCoreHours: 1, CPUCost: 0.03}
		d.Allocations[a.Name] = a
	} else {
		a := &cost.Asset{Type: cost.NodeAssetType, Start: w.Start, End: w.End,
			Properties: cost.AssetProperties{Category: cost.ComputeCategory, Provider: "custom", Name: "n0"}, CPUCoreHours: 2, CPUCost: 0.08}
		d.Assets[a.Key()] = a
	}
	b, err := etl.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIngestWebhookWithMinIO: a real MinIO posts its bucket notifications to `fedcost
// ingest-webhook`; uploads become derived data with no other call, and a burst of 500 uploads
// from 50 clusters all end derived.
func TestIngestWebhookWithMinIO(t *testing.T) {
	const bucket, prefix = "fedcost", "tenant a" // a space: keys arrive as "tenant+a/…"
	hookPort := testenv.FreePort(t)
	hookAddr := fmt.Sprintf("127.0.0.1:%d", hookPort)
	minioAddr, minio := startWebhookMinIO(t, hookAddr)
	ctx := context.Background()
	cl := webhookMinIOClient(minioAddr)
	if _, err := cl.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}

	dir := t.TempDir()
	cfgPath, tokenPath := filepath.Join(dir, "federated-store.yaml"), filepath.Join(dir, "token")
	cfg := fmt.Sprintf("type: S3\nprefix: %s\nconfig:\n  bucket: %s\n  endpoint: %s\n  insecure: true\n  access_key: %s\n  secret_key: %s\n",
		prefix, bucket, minioAddr, webhookMinIOUser, webhookMinIOPassword)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenPath, []byte(webhookToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	out := &webhookBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- run(runCtx, []string{"ingest-webhook", "--store", cfgPath, "--listen", hookAddr, "--token-file", tokenPath,
			"--reconcile-interval", "1h"}, out, out)
	}()
	defer func() {
		stop()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("ingest-webhook exited %d:\n%s", c, out)
			}
		case <-time.After(time.Minute):
			t.Errorf("ingest-webhook did not stop")
		}
		if t.Failed() {
			t.Logf("ingest-webhook output (tail):\n%s", webhookTail(out.String(), 6000))
		}
	}()
	testenv.WaitHTTP(t, "http://"+hookAddr+"/healthz", 30*time.Second)
	// The start reconcile has run before anything is uploaded: what follows is event-driven.
	webhookWaitFor(t, "the start reconcile", time.Minute, func() bool { return strings.Contains(out.String(), `"msg":"reconcile"`) })

	_, err := cl.PutBucketNotificationConfiguration(ctx, &awss3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String("arn:minio:sqs::" + webhookMinIOTarget + ":webhook"),
			Events:   []s3types.Event{"s3:ObjectCreated:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{
				{Name: s3types.FilterRuleNamePrefix, Value: aws.String(prefix + "/federated/")}}}},
		}}},
	})
	if err != nil {
		t.Fatalf("PutBucketNotificationConfiguration: %v\n%s", err, minio.Output())
	}

	sc := s3.DefaultConfig()
	sc.Bucket, sc.Endpoint, sc.Insecure, sc.AccessKey, sc.SecretKey = bucket, minioAddr, true, webhookMinIOUser, webhookMinIOPassword
	raw, err := s3.New(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	st := store.WithPrefix(raw, prefix)
	derived := func(cluster string, w layout.Window) bool {
		for _, k := range []layout.DerivedKind{layout.DerivedAllocations, layout.DerivedAssets} {
			_, err := st.Stat(ctx, layout.Derived{Kind: k, Cluster: cluster, Resolution: layout.Hourly, Window: w}.Key())
			if errors.Is(err, store.ErrNotFound) {
				return false
			} else if err != nil {
				t.Fatal(err)
			}
		}
		return true
	}
	upload := func(cluster string, w layout.Window) {
		for _, k := range layout.Kinds {
			u := layout.Upload{Cluster: cluster, Kind: k, Resolution: layout.Hourly, Window: w}
			if _, err := st.Put(ctx, u.Key(), webhookDocument(t, u)); err != nil {
				t.Error(err)
			}
		}
	}
	base := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

	t.Run("one upload", func(t *testing.T) {
		w := layout.WindowFor(layout.Hourly, base)
		upload("solo", w)
		webhookWaitFor(t, "solo derived", 2*time.Minute, func() bool { return derived("solo", w) })
	})

	t.Run("burst of 500 uploads from 50 clusters", func(t *testing.T) {
		type job struct {
			cluster string
			w       layout.Window
		}
		var jobs []job
		for c := range 50 {
			for h := range 5 {
				jobs = append(jobs, job{fmt.Sprintf("burst-%02d", c), layout.WindowFor(layout.Hourly, base.Add(time.Duration(h+1)*time.Hour))})
			}
		}
		ch := make(chan job)
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range ch {
					upload(j.cluster, j.w)
				}
			}()
		}
		for _, j := range jobs {
			ch <- j
		}
		close(ch)
		wg.Wait()
		if t.Failed() {
			return
		}
		missing := func() []string {
			var m []string
			for _, j := range jobs {
				if !derived(j.cluster, j.w) {
					m = append(m, j.cluster+" "+j.w.String())
				}
			}
			return m
		}
		deadline := time.Now().Add(5 * time.Minute)
		for m := missing(); len(m) > 0; m = missing() {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d windows never derived, e.g. %v", len(m), len(jobs), m[:min(5, len(m))])
			}
			time.Sleep(500 * time.Millisecond)
		}
	})

	resp, err := http.Get("http://" + hookAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`fedcost_webhook_requests_total{code="202"}`, `fedcost_ingest_derivations_total{result="derived"}`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func webhookWaitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func webhookTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func TestIngestWebhookUsage(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no store", []string{"--token-file", empty}, "no bucket given"},
		{"no token", []string{"--store", "x.yaml"}, "no token"},
		{"empty token", []string{"--store", "x.yaml", "--token-file", empty}, "is empty"},
		{"missing token file", []string{"--store", "x.yaml", "--token-file", filepath.Join(dir, "nope")}, "--token-file"},
		{"bad interval env", []string{"--store", "x.yaml", "--token-file", empty}, "FEDCOST_RECONCILE_INTERVAL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FEDCOST_STORE", "")
			t.Setenv("FEDCOST_WEBHOOK_TOKEN_FILE", "")
			t.Setenv("FEDCOST_RECONCILE_INTERVAL", "")
			if strings.HasPrefix(tc.name, "bad interval") {
				t.Setenv("FEDCOST_RECONCILE_INTERVAL", "hourly")
			}
			var out bytes.Buffer
			if code := run(context.Background(), append([]string{"ingest-webhook"}, tc.args...), &out, &out); code != 2 || !strings.Contains(out.String(), tc.want) {
				t.Fatalf("exit %d, output %q; want 2 and %q", code, out.String(), tc.want)
			}
		})
	}
}
