package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type env struct {
	bucket store.Store // the whole bucket
	st     store.Store // scoped to the prefix
	h      *Handler
	logs   *bytes.Buffer
}

// newEnv builds a handler over a memory bucket; wrap may decorate the prefixed store.
func newEnv(t *testing.T, wrap func(store.Store) store.Store) *env {
	t.Helper()
	e := &env{bucket: memory.New(fixtureBucket), logs: &bytes.Buffer{}}
	e.st = store.WithPrefix(e.bucket, fixturePrefix)
	cst := e.st
	if wrap != nil {
		cst = wrap(cst)
	}
	log := slog.New(slog.NewJSONHandler(e.logs, nil))
	core, err := ingest.New(ingest.Config{Store: cst, Logger: log, MaxAttempts: 2,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	e.h, err = New(Config{Core: core, Bucket: fixtureBucket, Prefix: fixturePrefix, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// invoke goes through aws-lambda-go's own handler adapter, as lambda.Start does.
func (e *env) invoke(t *testing.T, payload []byte) ([]byte, error) {
	t.Helper()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	return awslambda.NewHandler(e.h.Invoke).Invoke(ctx, payload)
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		file string
		want Kind
	}{
		{"s3-put.json", KindS3},
		{"sqs-batch.json", KindSQS},
		{"s3-test-event.json", KindTest},
		{"eventbridge-scheduled.json", KindSchedule},
		{"eventbridge-s3-object-created.json", KindEventBridge},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if got := Detect(fixture(t, tc.file)); got != tc.want {
				t.Fatalf("Detect = %s; want %s", got, tc.want)
			}
		})
	}
	if got := Detect([]byte(`{"hello":1}`)); got != KindUnknown {
		t.Fatalf("Detect(other) = %s", got)
	}
}

func TestS3Event(t *testing.T) {
	for _, tc := range []struct {
		name        string
		wrap        func(store.Store) store.Store
		wantErr     bool
		wantDerived bool
	}{
		{name: "derives", wantDerived: true},
		{name: "transient store failure is an error", wrap: func(s store.Store) store.Store { return failingStore{s, "c1/etl/assets"} }, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.wrap)
			putWindow(t, e.st, "c1")
			_, err := e.invoke(t, fixture(t, "s3-put.json"))
			if (err != nil) != tc.wantErr {
				t.Fatalf("invoke: err = %v; want error %v", err, tc.wantErr)
			}
			if got := derived(t, e.st, "c1"); got != tc.wantDerived {
				t.Fatalf("derived = %v; want %v\nlogs:\n%s", got, tc.wantDerived, e.logs)
			}
			// The host logs its own line per key with the request id, key, cluster, window, outcome.
			if !tc.wantErr && !strings.Contains(e.logs.String(), `"aws_request_id":"req-1"`) {
				t.Fatalf("no host log line with the request id:\n%s", e.logs)
			}
		})
	}
}

func TestS3EventRefusedIsSuccess(t *testing.T) {
	e := newEnv(t, nil)
	u := layout.Upload{Cluster: "c1", Kind: layout.Allocations, Resolution: layout.Hourly, Window: fixtureWindow}
	if _, err := e.st.Put(context.Background(), u.Key(), []byte("not gzip")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.invoke(t, fixture(t, "s3-put.json")); err != nil {
		t.Fatalf("a refused upload must not be retried: %v", err)
	}
	if !strings.Contains(e.logs.String(), `"outcome":"refused"`) {
		t.Fatalf("want a refused outcome in the logs:\n%s", e.logs)
	}
}

func TestS3EventKeysOutsideScopeIgnored(t *testing.T) {
	for _, tc := range []struct{ name, from, to string }{
		{"other prefix", "fedcost+data/federated/", "other/federated/"},
		{"other bucket", `"name": "fedcost-test"`, `"name": "someone-else"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			// The same uploads also exist where the rewritten event points, unprefixed.
			putWindow(t, e.st, "c1")
			putWindow(t, store.WithPrefix(e.bucket, "other"), "c1")
			ev := strings.ReplaceAll(string(fixture(t, "s3-put.json")), tc.from, tc.to)
			if _, err := e.invoke(t, []byte(ev)); err != nil {
				t.Fatal(err)
			}
			if derived(t, e.st, "c1") || derived(t, store.WithPrefix(e.bucket, "other"), "c1") {
				t.Fatal("an event outside the configured bucket/prefix was ingested")
			}
		})
	}
}

func TestSQSBatchItemFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(store.Store) store.Store
		want []string // failed message ids
	}{
		// Message 3 is poisoned (not decodable): only it returns to the queue. Message 2 is
		// an s3:TestEvent: ignored.
		{name: "poisoned message", want: []string{"00000003-1b2c-4d5e-8f90-a1b2c3d4e5f6"}},
		{name: "transient failure of one upload", wrap: func(s store.Store) store.Store { return failingStore{s, "c2/etl/assets"} },
			want: []string{"00000001-1b2c-4d5e-8f90-a1b2c3d4e5f6", "00000003-1b2c-4d5e-8f90-a1b2c3d4e5f6", "00000004-1b2c-4d5e-8f90-a1b2c3d4e5f6"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.wrap)
			putWindow(t, e.st, "c2")
			out, err := e.invoke(t, fixture(t, "sqs-batch.json"))
			if err != nil {
				t.Fatalf("invoke: %v", err)
			}
			var resp events.SQSEventResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("response %s: %v", out, err)
			}
			var got []string
			for _, f := range resp.BatchItemFailures {
				got = append(got, f.ItemIdentifier)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("batchItemFailures = %v; want %v (response %s)", got, tc.want, out)
			}
			if tc.wrap == nil && !derived(t, e.st, "c2") {
				t.Fatalf("c2 not derived:\n%s", e.logs)
			}
		})
	}
}

func TestSQSEmptyFailuresIsAList(t *testing.T) {
	e := newEnv(t, nil)
	ev := `{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":` + jsonString(string(fixture(t, "s3-test-event.json"))) + `}]}`
	out, err := e.invoke(t, []byte(ev))
	if err != nil || string(out) != `{"batchItemFailures":[]}` {
		t.Fatalf("invoke = %s, %v; want an empty batchItemFailures list", out, err)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestScheduledReconcile(t *testing.T) {
	e := newEnv(t, nil)
	putWindow(t, e.st, "c1")
	putWindow(t, e.st, "c2") // no events for these: the reconcile finds them
	if _, err := e.invoke(t, fixture(t, "eventbridge-scheduled.json")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"c1", "c2"} {
		if !derived(t, e.st, c) {
			t.Fatalf("%s not derived by the reconcile:\n%s", c, e.logs)
		}
	}
	if !strings.Contains(e.logs.String(), `"msg":"reconcile"`) {
		t.Fatalf("no reconcile log line:\n%s", e.logs)
	}
}

func TestEventBridgeObjectCreated(t *testing.T) {
	e := newEnv(t, nil)
	putWindow(t, e.st, "c3")
	if _, err := e.invoke(t, fixture(t, "eventbridge-s3-object-created.json")); err != nil {
		t.Fatal(err)
	}
	if !derived(t, e.st, "c3") {
		t.Fatalf("c3 not derived:\n%s", e.logs)
	}
}

func TestBudget(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name        string
		left        time.Duration
		hasDeadline bool
		budget      time.Duration
		want        time.Duration
	}{
		{"no deadline", 0, false, 4 * time.Minute, 4 * time.Minute},
		{"budget below timeout", 15 * time.Minute, true, 4 * time.Minute, 4 * time.Minute},
		{"timeout below budget", 3 * time.Minute, true, 4 * time.Minute, 3*time.Minute - DeadlineMargin},
		{"almost no time left", 8 * time.Second, true, 4 * time.Minute, 4 * time.Second},
		{"past the deadline", -time.Second, true, 4 * time.Minute, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Budget(now, now.Add(tc.left), tc.hasDeadline, tc.budget); got != tc.want {
				t.Fatalf("Budget = %s; want %s", got, tc.want)
			}
		})
	}
}

func TestSettingsFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, s Settings)
	}{
		{name: "defaults", env: map[string]string{"FEDCOST_BUCKET": "b", "AWS_REGION": "eu-west-1"}, check: func(t *testing.T, s Settings) {
			c := s.S3Config()
			if s.ReconcileBudget != DefaultReconcileBudget || c.Endpoint != "s3.eu-west-1.amazonaws.com" || !c.AWSSDKAuth || c.Insecure {
				t.Fatalf("settings %+v, s3 config %+v", s, c)
			}
		}},
		{name: "overrides", env: map[string]string{"FEDCOST_BUCKET": "b", "FEDCOST_PREFIX": "/t/a/", "FEDCOST_RECONCILE_BUDGET": "90s",
			"FEDCOST_LOG_LEVEL": "debug", "FEDCOST_S3_ENDPOINT": "http://127.0.0.1:9000"}, check: func(t *testing.T, s Settings) {
			c := s.S3Config()
			if s.Prefix != "t/a" || s.ReconcileBudget != 90*time.Second || s.LogLevel != slog.LevelDebug || c.Endpoint != "127.0.0.1:9000" || !c.Insecure {
				t.Fatalf("settings %+v, s3 config %+v", s, c)
			}
		}},
		{name: "no bucket", env: map[string]string{}, wantErr: "FEDCOST_BUCKET"},
		{name: "bad budget", env: map[string]string{"FEDCOST_BUCKET": "b", "FEDCOST_RECONCILE_BUDGET": "soon"}, wantErr: "FEDCOST_RECONCILE_BUDGET"},
		{name: "bad level", env: map[string]string{"FEDCOST_BUCKET": "b", "FEDCOST_LOG_LEVEL": "loud"}, wantErr: "FEDCOST_LOG_LEVEL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := SettingsFromEnv(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s)
		})
	}
}
