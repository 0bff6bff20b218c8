package prom

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDecodeResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		check   func(*apiResponse) bool
		wantErr string
	}{
		{"vector", `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1700000000.5,"0.25"]}]}}`,
			func(r *apiResponse) bool {
				return r.Status == "success" && r.ResultType == "vector" && len(r.Result) == 1 &&
					r.Result[0].Metric.get("a") == "b" && r.Result[0].Value == pair{1700000000.5, 0.25}
			}, ""},
		{"any key order, spaces, unknown keys", " {\n \"data\" : { \"result\" : [ { \"value\" : [ 1 , \"1e3\" ] , \"metric\" : { } , \"x\" : [null, true, {\"y\": -1.5e-3}] } ] , \"resultType\" : \"vector\" } , \"warnings\" : [\"w\"], \"status\" : \"success\" } ",
			func(r *apiResponse) bool {
				return len(r.Result) == 1 && r.Result[0].Value.V == 1000 && len(r.Result[0].Metric) == 0
			}, ""},
		{"special values", `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"+Inf"]},{"metric":{},"value":[1,"NaN"]}]}}`,
			func(r *apiResponse) bool {
				return len(r.Result) == 2 && r.Result[0].Value.V > 1e308 && r.Result[1].Value.V != r.Result[1].Value.V
			}, ""},
		{"native histogram skipped", `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"2","buckets":[[0,"1","2","3"]]}]}]}}`,
			func(r *apiResponse) bool { return len(r.Result) == 1 }, ""},
		{"scalar skipped", `{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}`,
			func(r *apiResponse) bool { return r.ResultType == "scalar" && r.Result == nil }, ""},
		{"error", `{"status":"error","errorType":"bad_data","error":"parse error: unexpected \"}\""}`,
			func(r *apiResponse) bool {
				return r.ErrorType == "bad_data" && r.Error == `parse error: unexpected "}"`
			}, ""},
		{"escaped label", `{"data":{"result":[{"metric":{"a":"x\"y\u00e9"},"value":[1,"1"]}]}}`,
			func(r *apiResponse) bool { return r.Result[0].Metric.get("a") == "x\"yé" }, ""},
		{"bad value", `{"data":{"result":[{"metric":{},"value":[1,"x"]}]}}`, nil, `sample value "x" is not a number`},
		{"bad time", `{"data":{"result":[{"metric":{},"value":["1","2"]}]}}`, nil, "is not a number"},
		{"short value", `{"data":{"result":[{"metric":{},"value":[1]}]}}`, nil, "want [time"},
		{"long value", `{"data":{"result":[{"metric":{},"value":[1,"2",3]}]}}`, nil, "want [time"},
		{"label not a string", `{"data":{"result":[{"metric":{"a":1},"value":[1,"2"]}]}}`, nil, "want a string"},
		{"trailing data", `{"status":"success"} x`, nil, "trailing data"},
		{"unterminated", `{"status":"succ`, nil, "unterminated string"},
		{"missing comma", `{"status":"a" "error":"b"}`, nil, "want ',' or '}'"},
		{"bad literal", `{"status":nul}`, nil, "want a string"},
		{"bad number", `{"x":1.2.3}`, nil, "is not a number"},
		{"control character", "{\"status\":\"a\tb\"}", nil, "control character"},
		{"html", `<html>`, nil, "want '{'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := decodeResponse([]byte(tt.in), nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(r) {
				t.Errorf("decoded %+v", r)
			}
		})
	}
}

func TestDecodeResponseStreams(t *testing.T) {
	t.Parallel()
	var got []string
	each := func(m labels, p pair) { got = append(got, m.get("a")+"="+strconv.FormatFloat(p.V, 'g', -1, 64)) }
	r, err := decodeResponse([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"x"},"value":[1,"1"]},{"metric":{"a":"y"},"value":[1,"2"]}]}}`), each)
	if err != nil || len(r.Result) != 0 || strings.Join(got, ",") != "x=1,y=2" {
		t.Errorf("streamed: %v %v %v", r, err, got)
	}
	got = nil
	r, err = decodeResponse([]byte(`{"data":{"result":[{"metric":{"a":"x"},"value":[1,"1"]}],"resultType":"vector"},"status":"success"}`), each)
	if err != nil || len(r.Result) != 1 || got != nil || r.Result[0].Metric.get("a") != "x" {
		t.Errorf("result before resultType must be collected, not streamed: %+v %v %v", r, err, got)
	}
	r, err = decodeResponse([]byte(`{"data":{"resultType":"matrix","result":[{"metric":{"a":"x"},"values":[[1,"1"]]}]}}`), each)
	if err != nil || got != nil || r.ResultType != "matrix" {
		t.Errorf("a matrix must not be streamed: %+v %v %v", r, err, got)
	}
}

func TestClientQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		max     int64
		want    int
		wantErr string
	}{
		{"vector", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1,"2"]},{"metric":{},"value":[1,"3"]}]}}`, 1 << 20, 2, ""},
		{"empty", 200, `{"status":"success","data":{"resultType":"vector","result":[]}}`, 1 << 20, 0, ""},
		{"scalar", 200, `{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}`, 1 << 20, 0, ""},
		{"matrix refused", 200, `{"status":"success","data":{"resultType":"matrix","result":[]}}`, 1 << 20, 0, `result type "matrix"`},
		{"bad data", 400, `{"status":"error","errorType":"bad_data","error":"parse error at char 3"}`, 1 << 20, 0, "HTTP 400: bad_data: parse error at char 3"},
		{"timeout", 503, `{"status":"error","errorType":"timeout","error":"query timed out"}`, 1 << 20, 0, "HTTP 503: timeout"},
		{"not json", 502, `<html>bad gateway</html>`, 1 << 20, 0, "HTTP 502: decode response"},
		{"too large", 200, `{"status":"success","data":{"resultType":"vector","result":[]}}`, 10, 0, "response larger than 10 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotForm string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/prefix/api/v1/query" {
					t.Errorf("request %s %s", r.Method, r.URL.Path)
				}
				_ = r.ParseForm()
				gotForm = r.PostForm.Encode()
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c := &client{base: srv.URL + "/prefix/", http: srv.Client(), timeout: time.Minute, maxBytes: tt.max, sem: make(chan struct{}, 1)}
			var res []sample
			err := c.query(context.Background(), namedQuery{"my_query", "up{job=\"x\"}"}, time.Unix(1700000000, 0), func(m labels, p pair) {
				res = append(res, sample{append(labels(nil), m...), p})
			})
			if tt.wantErr != "" {
				var qe *QueryError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &qe) || qe.Name != "my_query" {
					t.Fatalf("err = %v, want a QueryError naming my_query containing %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), `up{job="x"}`) {
					t.Errorf("error does not show the query: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != tt.want {
				t.Errorf("samples = %d, want %d", len(res), tt.want)
			}
			for _, p := range []string{"query=up", "time=1700000000.000", "timeout=60000ms"} {
				if !strings.Contains(gotForm, p) {
					t.Errorf("form %q lacks %q", gotForm, p)
				}
			}
		})
	}
}

func TestControllerOf(t *testing.T) {
	t.Parallel()
	r := newRaw()
	r.rsOwner[nsName{"ns", "web-abc"}] = owner{"Deployment", "web"}
	r.rsOwner[nsName{"ns", "orphan-rs"}] = owner{"<none>", "<none>"}
	r.rsOwner[nsName{"ns", "roll-1"}] = owner{"Rollout", "roll"}
	r.jobOwner[nsName{"ns", "nightly-28000000"}] = owner{"CronJob", "nightly"}
	tests := []struct {
		o          owner
		kind, name string
	}{
		{owner{"ReplicaSet", "web-abc"}, "deployment", "web"},
		{owner{"ReplicaSet", "orphan-rs"}, "replicaset", "orphan-rs"},
		{owner{"ReplicaSet", "unknown-rs"}, "replicaset", "unknown-rs"},
		{owner{"ReplicaSet", "roll-1"}, "rollout", "roll"},
		{owner{"Job", "nightly-28000000"}, "job", "nightly"},
		{owner{"Job", "once"}, "job", "once"},
		{owner{"StatefulSet", "db"}, "statefulset", "db"},
		{owner{"DaemonSet", "agent"}, "daemonset", "agent"},
		{owner{"<none>", "<none>"}, "", ""},
		{owner{}, "", ""},
	}
	for _, tt := range tests {
		if k, n := r.controllerOf("ns", tt.o); k != tt.kind || n != tt.name {
			t.Errorf("controllerOf(%v) = %s/%s, want %s/%s", tt.o, k, n, tt.kind, tt.name)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		c       Config
		wantErr string
	}{
		{"ok", Config{URL: "http://prometheus:9090"}, ""},
		{"ok with cluster", Config{URL: "https://p/prom", ClusterLabel: "cluster_id", ClusterFilter: "a"}, ""},
		{"no url", Config{}, "URL is required"},
		{"bad url", Config{URL: "prometheus:9090"}, `URL "prometheus:9090"`},
		{"label without filter", Config{URL: "http://p", ClusterLabel: "cluster_id"}, "must be set together"},
		{"bad label", Config{URL: "http://p", ClusterLabel: "cluster-id", ClusterFilter: "x"}, "not a Prometheus label name"},
		{"bad step", Config{URL: "http://p", HourlyStep: 7 * time.Minute}, "HourlyStep 7m0s"},
		{"sub-second step", Config{URL: "http://p", DailyStep: time.Millisecond}, "DailyStep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := New(tt.c, nil); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
