package gcf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/gcs"
	"github.com/fedcost/fedcost/shared/store/memory"
)

const (
	bucket  = "fedcost-test"
	prefix  = "fedcost data"
	project = "fedcost-test-project"
	topic   = "gcs-events"
	sub     = "gcs-events-bridge"
)

var window = layout.WindowFor(layout.Hourly, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))

func document(t testing.TB, u layout.Upload) []byte {
	t.Helper()
	w := u.Window
	d := etl.NewDocument(u, etl.Producer{Agent: "test", Version: "1", InstallID: "i-" + u.Cluster, Source: "test", BuiltAt: w.End})
	if u.Kind == layout.Allocations {
		a := &cost.Allocation{Name: u.Cluster + "/n0/ns/p/c", Start: w.Start, End: w.End,
			Properties: &cost.AllocationProperties{Node: "n0", Namespace: "ns", Pod: "p", Container: "c"}, CPUCoreHours: 1, CPUCost: 0.03}
		d.Allocations[a.Name] = a
	} else {
		a := &cost.Asset{Type: cost.NodeAssetType, Start: w.Start, End: w.End,
			Properties: cost.AssetProperties{Category: cost.ComputeCategory, Provider: "GCP", Name: "n0"}, CPUCoreHours: 2, CPUCost: 0.08}
		d.Assets[a.Key()] = a
	}
	b, err := etl.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func putWindow(t testing.TB, st store.Store, cluster string) {
	t.Helper()
	for _, k := range layout.Kinds {
		u := layout.Upload{Cluster: cluster, Kind: k, Resolution: layout.Hourly, Window: window}
		if _, err := st.Put(context.Background(), u.Key(), document(t, u)); err != nil {
			t.Fatal(err)
		}
	}
}

func isDerived(t testing.TB, st store.Store, cluster string) bool {
	t.Helper()
	_, err := st.Stat(context.Background(), layout.Derived{Kind: layout.DerivedAllocations, Cluster: cluster, Resolution: layout.Hourly, Window: window}.Key())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// env is the process-wide test environment: pstest, fake-gcs-server publishing OBJECT_FINALIZE
// to it, and the registered functions served by functions-framework on 127.0.0.1. The
// framework cannot be stopped, so it is started once.
type testEnv struct {
	ps      *pstest.Server
	st      store.Store // the bucket, scoped to the prefix
	baseURL string
}

var (
	envOnce sync.Once
	envVal  *testEnv
	envErr  error
)

func setup(t *testing.T) *testEnv {
	t.Helper()
	envOnce.Do(func() { envVal, envErr = startEnv() })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return envVal
}

func startEnv() (*testEnv, error) {
	ctx := context.Background()
	e := &testEnv{ps: pstest.NewServerWithAddress("127.0.0.1:0")}
	// fake-gcs-server's publisher reads PUBSUB_EMULATOR_HOST when it is created.
	os.Setenv("PUBSUB_EMULATOR_HOST", e.ps.Addr)
	pc, err := pubsub.NewClient(ctx, project)
	if err != nil {
		return nil, err
	}
	defer pc.Close()
	topicName := "projects/" + project + "/topics/" + topic
	if _, err := pc.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: topicName}); err != nil {
		return nil, fmt.Errorf("create topic: %w", err)
	}
	if _, err := pc.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{
		Name: "projects/" + project + "/subscriptions/" + sub, Topic: topicName, AckDeadlineSeconds: 60}); err != nil {
		return nil, fmt.Errorf("create subscription: %w", err)
	}
	fake, err := fakestorage.NewServerWithOptions(fakestorage.Options{NoListener: true, EventOptions: fakestorage.EventManagerOptions{
		ProjectID: project, TopicName: topic, Bucket: bucket, NotifyOn: fakestorage.EventNotificationOptions{Finalize: true}}})
	if err != nil {
		return nil, err
	}
	fake.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
	srv := httptest.NewServer(fake.HTTPHandler())
	c := gcs.DefaultConfig()
	c.Bucket, c.Endpoint = bucket, srv.URL
	raw, err := gcs.New(ctx, c)
	if err != nil {
		return nil, err
	}
	e.st = store.WithPrefix(raw, prefix)

	// The functions read these on their first invocation.
	os.Setenv("FEDCOST_BUCKET", bucket)
	os.Setenv("FEDCOST_PREFIX", prefix)
	os.Setenv("FEDCOST_GCS_ENDPOINT", srv.URL)
	os.Setenv("FEDCOST_LOG_LEVEL", "debug")
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a free port for the framework, which binds it itself
	if err != nil {
		return nil, err
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	go func() { _ = funcframework.StartHostPort("127.0.0.1", port) }()
	e.baseURL = "http://127.0.0.1:" + port
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(e.baseURL + "/") // 404 until served; no function runs
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return e, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("functions-framework not serving: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func objectData(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "storage-object.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["name"] = name
	out, _ := json.Marshal(m)
	return out
}

func uploadName(cluster string) string {
	return prefix + "/" + layout.Upload{Cluster: cluster, Kind: layout.Allocations, Resolution: layout.Hourly, Window: window}.Key()
}

func TestCloudEventsOverHTTP(t *testing.T) {
	e := setup(t)
	binary := func(t *testing.T, ceType string, data []byte) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, e.baseURL+"/FedcostIngest", bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("ce-specversion", "1.0")
		req.Header.Set("ce-id", "binary-"+t.Name())
		req.Header.Set("ce-source", "//storage.googleapis.com/projects/_/buckets/"+bucket)
		req.Header.Set("ce-type", ceType)
		req.Header.Set("ce-subject", "objects/x")
		req.Header.Set("ce-time", "2026-11-20T11:02:03Z")
		return req
	}
	structured := func(t *testing.T, ceType string, data []byte) *http.Request {
		b, err := os.ReadFile(filepath.Join("testdata", "cloudevent-structured.json"))
		if err != nil {
			t.Fatal(err)
		}
		var ce map[string]any
		if err := json.Unmarshal(b, &ce); err != nil {
			t.Fatal(err)
		}
		ce["type"], ce["data"] = ceType, json.RawMessage(data)
		body, _ := json.Marshal(ce)
		req, _ := http.NewRequest(http.MethodPost, e.baseURL+"/FedcostIngest", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/cloudevents+json")
		return req
	}
	for _, tc := range []struct {
		name        string
		cluster     string
		request     func(t *testing.T, ceType string, data []byte) *http.Request
		ceType      string
		objectName  string
		wantDerived bool
	}{
		{"binary mode", "bin1", binary, FinalizedType, "", true},
		{"structured mode", "struct1", structured, FinalizedType, "", true},
		{"other event type", "deleted1", binary, "google.cloud.storage.object.v1.deleted", "", false},
		{"outside the prefix", "outside1", binary, FinalizedType, "elsewhere/" + layout.Upload{Cluster: "outside1", Kind: layout.Allocations, Resolution: layout.Hourly, Window: window}.Key(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			putWindow(t, e.st, tc.cluster)
			name := tc.objectName
			if name == "" {
				name = uploadName(tc.cluster)
			}
			resp, err := http.DefaultClient.Do(tc.request(t, tc.ceType, objectData(t, name)))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if got := isDerived(t, e.st, tc.cluster); got != tc.wantDerived {
				t.Fatalf("derived = %v; want %v", got, tc.wantDerived)
			}
		})
	}
}

func TestReconcileOverHTTP(t *testing.T) {
	e := setup(t)
	putWindow(t, e.st, "recon1")
	resp, err := http.Post(e.baseURL+"/FedcostReconcile", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Windows, Derived, UpToDate, Failed int
	}
	err = json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	if !isDerived(t, e.st, "recon1") || rep.Windows == 0 || rep.Failed != 0 {
		t.Fatalf("reconcile report %+v; recon1 derived %v", rep, isDerived(t, e.st, "recon1"))
	}
}

// bridge plays Eventarc: it pulls the bucket's Pub/Sub notifications and POSTs each as a binary
// CloudEvent to the function, acking on 2xx and nacking otherwise (so failures are redelivered).
func bridge(ctx context.Context, t *testing.T, url string) {
	pc, err := pubsub.NewClient(ctx, project)
	if err != nil {
		t.Error(err)
		return
	}
	defer pc.Close()
	err = pc.Subscriber(sub).Receive(ctx, func(ctx context.Context, m *pubsub.Message) {
		if m.Attributes["eventType"] != "OBJECT_FINALIZE" {
			m.Ack()
			return
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(m.Data))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("ce-specversion", "1.0")
		req.Header.Set("ce-id", m.ID)
		req.Header.Set("ce-source", "//storage.googleapis.com/projects/_/buckets/"+m.Attributes["bucketId"])
		req.Header.Set("ce-type", FinalizedType)
		req.Header.Set("ce-subject", "objects/"+m.Attributes["objectId"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			m.Nack()
			return
		}
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			m.Ack()
		} else {
			m.Nack()
		}
	})
	if err != nil && ctx.Err() == nil {
		t.Errorf("bridge: %v", err)
	}
}

// TestEndToEndThroughPubSub: an upload to (fake) GCS → OBJECT_FINALIZE on (fake) Pub/Sub →
// bridge → CloudEvent over HTTP → derived objects in the bucket, with no other call.
func TestEndToEndThroughPubSub(t *testing.T) {
	e := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { bridge(ctx, t, e.baseURL+"/FedcostIngest"); close(done) }()
	defer func() { cancel(); <-done }()
	clusters := []string{"e2e-a", "e2e-b", "e2e-c"}
	for _, c := range clusters {
		putWindow(t, e.st, c)
	}
	deadline := time.Now().Add(time.Minute)
	for _, c := range clusters {
		for !isDerived(t, e.st, c) {
			if time.Now().After(deadline) {
				t.Fatalf("%s never derived through the notification path", c)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// Unit tests of Function without the framework.

type failingStore struct{ store.Store }

func (failingStore) Get(context.Context, string) ([]byte, store.ObjectInfo, error) {
	return nil, store.ObjectInfo{}, errors.New("injected 503")
}

func TestIngestOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wrap    func(store.Store) store.Store
		content []byte // nil: a valid upload
		bucket  string
		wantErr bool
	}{
		{name: "transient failure is an error (retry)", wrap: func(s store.Store) store.Store { return failingStore{s} }, wantErr: true},
		{name: "refused upload is done", content: []byte("not gzip")},
		{name: "another bucket is ignored", bucket: "someone-else"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := store.WithPrefix(memory.New(bucket), prefix)
			putWindow(t, st, "c1")
			if tc.content != nil {
				u := layout.Upload{Cluster: "c1", Kind: layout.Allocations, Resolution: layout.Hourly, Window: window}
				if _, err := st.Put(context.Background(), u.Key(), tc.content); err != nil {
					t.Fatal(err)
				}
			}
			cst := st
			if tc.wrap != nil {
				cst = tc.wrap(st)
			}
			var logs bytes.Buffer
			core, _ := ingest.New(ingest.Config{Store: cst, MaxAttempts: 2, Sleep: func(context.Context, time.Duration) error { return nil }})
			f, err := New(Config{Core: core, Bucket: bucket, Prefix: prefix, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			data := objectData(t, uploadName("c1"))
			if tc.bucket != "" {
				data = bytes.Replace(data, []byte(`"bucket":"`+bucket+`"`), []byte(`"bucket":"`+tc.bucket+`"`), 1)
			}
			ev := event.New()
			ev.SetID("ce-1")
			ev.SetType(FinalizedType)
			ev.SetSource("//storage.googleapis.com/projects/_/buckets/" + bucket)
			if err := ev.SetData("application/json", json.RawMessage(data)); err != nil {
				t.Fatal(err)
			}
			err = f.Ingest(context.Background(), ev)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Ingest = %v; want error %v\n%s", err, tc.wantErr, logs.String())
			}
			if !strings.Contains(logs.String(), `"cloudevent_id":"ce-1"`) {
				t.Fatalf("no host log line with the CloudEvent id:\n%s", logs.String())
			}
			if tc.bucket != "" && isDerived(t, st, "c1") {
				t.Fatal("an event of another bucket was ingested")
			}
		})
	}
}

func TestObjectDataNumbers(t *testing.T) {
	for _, in := range []string{`{"name":"a","generation":"1795172523000000","size":"912"}`, `{"name":"a","generation":1795172523000000,"size":912}`} {
		var d ObjectData
		if err := json.Unmarshal([]byte(in), &d); err != nil || d.Generation != 1795172523000000 || d.Size != 912 {
			t.Fatalf("%s: %+v, %v", in, d, err)
		}
	}
	var d ObjectData
	if err := json.Unmarshal([]byte(`{"generation":"x"}`), &d); err == nil {
		t.Fatal("a non-number generation was accepted")
	}
}
