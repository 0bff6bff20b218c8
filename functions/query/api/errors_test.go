package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/cost"
)

type errBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func decodeErr(t *testing.T, body []byte) errBody {
	t.Helper()
	var e errBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	return e
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, goldenSource(), Options{})
	w := "window=7d"
	cases := []struct {
		name, path string
		want       []string
	}{
		{"missing window", "/model/allocation", []string{"parameter window", "required", "lastweek"}},
		{"bad window", "/model/allocation?window=fortnight", []string{"parameter window", `"fortnight"`, "accepted forms"}},
		{"reversed window", "/model/allocation?window=2026-11-02T00:00:00Z,2026-11-01T00:00:00Z", []string{"parameter window", "start must be before end"}},
		{"unknown aggregate", "/model/allocation?" + w + "&aggregate=namespace,flavor", []string{"parameter aggregate", `"flavor"`, "allowed are cluster"}},
		{"all with others", "/model/allocation?" + w + "&aggregate=all,namespace", []string{"parameter aggregate", "cannot be combined"}},
		{"malformed filter", "/model/allocation?" + w + "&filter=" + url.QueryEscape(`namespace:"a`), []string{"parameter filter", "position 10", "unterminated string"}},
		{"mixed filter ops", "/model/allocation?" + w + "&filter=" + url.QueryEscape(`a:"x"+b:"y"|c:"z"`), []string{"parameter filter", "cannot mix"}},
		{"unknown filter field", "/model/allocation?" + w + "&filter=" + url.QueryEscape(`flavor:"x"`), []string{"parameter filter", `unknown allocation field "flavor"`, "namespace"}},
		{"asset field in allocation filter", "/model/allocation?" + w + "&filter=" + url.QueryEscape(`assetType:"node"`), []string{`unknown allocation field "assetType"`}},
		{"negative limit", "/model/allocation?" + w + "&limit=-1", []string{"parameter limit", "non-negative integer", `"-1"`}},
		{"negative offset", "/model/allocation?" + w + "&offset=-5", []string{"parameter offset", "non-negative integer"}},
		{"non-numeric limit", "/model/allocation?" + w + "&limit=ten", []string{"parameter limit", `"ten"`}},
		{"unknown accumulate", "/model/allocation?" + w + "&accumulate=fortnight", []string{"parameter accumulate", `"fortnight"`, "allowed are true, false, all, hour, day, week, month"}},
		{"unknown accumulateBy", "/allocation?" + w + "&accumulateBy=decade", []string{"parameter accumulateBy", `"decade"`}},
		{"bad shareSplit", "/model/allocation?" + w + "&shareSplit=random", []string{"parameter shareSplit", `"random"`, "allowed are weighted, even"}},
		{"bad shareCost", "/model/allocation?" + w + "&shareCost=-3", []string{"parameter shareCost", "non-negative"}},
		{"bad shareLabels", "/model/allocation?" + w + "&shareLabels=app", []string{"parameter shareLabels", "<label>:<value>"}},
		{"bad idle", "/model/allocation?" + w + "&idle=maybe", []string{"parameter idle", "true or false", `"maybe"`}},
		{"bad includeIdle", "/allocation?" + w + "&includeIdle=2x", []string{"parameter includeIdle"}},
		{"bad shareIdle", "/model/allocation?" + w + "&shareIdle=sometimes", []string{"parameter shareIdle"}},
		{"bad splitIdle", "/model/allocation?" + w + "&splitIdle=yes", []string{"parameter splitIdle"}},
		{"bad reconcile", "/model/allocation?" + w + "&reconcile=nah", []string{"parameter reconcile"}},
		{"bad step", "/model/allocation?" + w + "&step=0d", []string{"parameter step", "positive duration"}},
		{"bad step text", "/model/allocation?" + w + "&step=daily", []string{"parameter step"}},
		{"bad format", "/model/allocation?" + w + "&format=pdf", []string{"parameter format", `"pdf"`, "allowed are json, csv"}},
		{"bad costMetric", "/model/allocation?" + w + "&costMetric=hourly", []string{"parameter costMetric", "cumulative"}},
		{"bad v1 label filter", "/model/allocation?" + w + "&filterLabels=app", []string{"parameter filterLabels", "<name>:<value>"}},
		{"summary bad window", "/model/allocation/summary?window=x", []string{"parameter window"}},
		{"topline bad aggregate", "/model/allocation/summary/topline?" + w + "&aggregate=x", []string{"parameter aggregate"}},
		{"unknown asset aggregate", "/model/assets?" + w + "&aggregate=namespace", []string{"parameter aggregate", `unknown asset aggregation "namespace"`, "providerID"}},
		{"allocation field in asset filter", "/model/assets?" + w + "&filter=" + url.QueryEscape(`namespace:"x"`), []string{"parameter filter", `unknown asset field "namespace"`, "assetType"}},
		{"asset bad disableAdjustments", "/assets?" + w + "&disableAdjustments=q", []string{"parameter disableAdjustments"}},
		{"assets topline bad accumulate", "/model/assets/topline?" + w + "&accumulate=x", []string{"parameter accumulate"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, hdr, body := get(t, srv, c.path)
			if code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", code, body)
			}
			if ct := hdr.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			e := decodeErr(t, body)
			if e.Code != 400 {
				t.Errorf("code %d in body", e.Code)
			}
			for _, want := range c.want {
				if !strings.Contains(e.Message, want) {
					t.Errorf("message %q lacks %q", e.Message, want)
				}
			}
		})
	}
}

func do(t *testing.T, h http.Handler, method, path string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := &recorder{header: http.Header{}}
	h.ServeHTTP(rec, req)
	return rec.code, rec.header, rec.body
}

type recorder struct {
	header http.Header
	code   int
	body   []byte
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(c int)   { r.code = c }
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = 200
	}
	r.body = append(r.body, b...)
	return len(b), nil
}

func TestHTTPBehaviour(t *testing.T) {
	t.Parallel()
	m := goldenSource()
	fixed := func() time.Time { return now }
	h := New(m, Options{Now: fixed, Tokens: []string{"s3cret", "other"}, CORSOrigins: []string{"https://ui.example"}, MaxURLBytes: 200})
	ok := "/model/allocation?window=yesterday&aggregate=cluster"
	auth := []string{"Authorization", "Bearer s3cret"}
	cases := []struct {
		name   string
		method string
		path   string
		header []string
		code   int
		msg    string
	}{
		{"no token", "GET", ok, nil, 401, "bearer token"},
		{"wrong token", "GET", ok, []string{"Authorization", "Bearer nope"}, 401, "bearer token"},
		{"basic auth", "GET", ok, []string{"Authorization", "Basic czNjcmV0"}, 401, "bearer token"},
		{"good token", "GET", ok, auth, 200, ""},
		{"second token", "GET", ok, []string{"Authorization", "Bearer other"}, 200, ""},
		{"healthz without token", "GET", "/healthz", nil, 200, ""},
		{"readyz without token", "GET", "/readyz", nil, 200, ""},
		{"post", "POST", ok, auth, 405, "read-only"},
		{"delete", "DELETE", "/model/assets", auth, 405, "read-only"},
		{"head", "HEAD", ok, auth, 200, ""},
		{"not found", "GET", "/model/nothing", auth, 404, "not found"},
		{"url too long", "GET", ok + "&filter=" + strings.Repeat("x", 300), auth, 414, "longer than 200 bytes"},
		{"preflight", "OPTIONS", ok, []string{"Origin", "https://ui.example"}, 204, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, hdr, body := do(t, h, c.method, c.path, c.header...)
			if code != c.code {
				t.Fatalf("status %d, want %d: %s", code, c.code, body)
			}
			if c.msg != "" {
				e := decodeErr(t, body)
				if e.Code != c.code || !strings.Contains(e.Message, c.msg) {
					t.Errorf("body %+v, want code %d and %q", e, c.code, c.msg)
				}
			}
			if c.code == 401 && hdr.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if c.code == 405 && hdr.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", hdr.Get("Allow"))
			}
		})
	}
	t.Run("cors", func(t *testing.T) {
		t.Parallel()
		_, hdr, _ := do(t, h, "GET", ok, "Authorization", "Bearer s3cret", "Origin", "https://ui.example")
		if hdr.Get("Access-Control-Allow-Origin") != "https://ui.example" {
			t.Errorf("allowed origin not echoed: %v", hdr)
		}
		_, hdr, _ = do(t, h, "GET", ok, "Authorization", "Bearer s3cret", "Origin", "https://evil.example")
		if hdr.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("foreign origin allowed: %v", hdr)
		}
	})
}

func TestGzip(t *testing.T) {
	t.Parallel()
	h := New(goldenSource(), Options{Now: func() time.Time { return now }})
	path := "/model/allocation?window=yesterday&aggregate=namespace"
	_, plainHdr, plain := do(t, h, "GET", path)
	code, hdr, body := do(t, h, "GET", path, "Accept-Encoding", "br, gzip")
	if code != 200 || hdr.Get("Content-Encoding") != "gzip" || plainHdr.Get("Content-Encoding") != "" {
		t.Fatalf("status %d, Content-Encoding %q (plain %q)", code, hdr.Get("Content-Encoding"), plainHdr.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, plain) {
		t.Errorf("gzip body differs from plain body (%v)", err)
	}
	if _, hdr, _ := do(t, h, "GET", path, "Accept-Encoding", "gzip;q=0"); hdr.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 answered with gzip")
	}
}

func TestReadiness(t *testing.T) {
	t.Parallel()
	m := goldenSource()
	m.SetReady(false)
	h := New(m, Options{Now: func() time.Time { return now }})
	for _, path := range []string{"/readyz", "/model/allocation?window=1d", "/assets?window=1d"} {
		code, _, body := do(t, h, "GET", path)
		if code != 503 || decodeErr(t, body).Code != 503 {
			t.Errorf("%s: status %d, want 503: %s", path, code, body)
		}
	}
	if code, _, _ := do(t, h, "GET", "/healthz"); code != 200 {
		t.Errorf("healthz %d while loading", code)
	}
	if code, _, body := do(t, h, "GET", "/model/federation/status"); code != 200 || !strings.Contains(string(body), `"ready":false`) {
		t.Errorf("status while loading: %d %s", code, body)
	}
	m.SetReady(true)
	if code, _, _ := do(t, h, "GET", "/readyz"); code != 200 {
		t.Errorf("readyz %d when ready", code)
	}
}

// slowSource blocks until the request context ends.
type slowSource struct{ *source.Memory }

func (s slowSource) AllocationSets(ctx context.Context, q source.AllocationQuery) ([]*cost.AllocationSet, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestTimeoutAndSourceErrors(t *testing.T) {
	t.Parallel()
	h := New(slowSource{goldenSource()}, Options{Now: func() time.Time { return now }, Timeout: 10 * time.Millisecond})
	code, _, body := do(t, h, "GET", "/model/allocation?window=1d")
	if code != 503 || !strings.Contains(decodeErr(t, body).Message, "timed out") {
		t.Errorf("timeout: %d %s", code, body)
	}
	h = New(failingSource{goldenSource()}, Options{Now: func() time.Time { return now }})
	code, _, body = do(t, h, "GET", "/model/allocation?window=1d")
	if code != 500 || strings.Contains(string(body), "disk on fire") {
		t.Errorf("internal error: %d %s (cause must not leak)", code, body)
	}
	code, _, _ = do(t, h, "GET", "/model/assets?window=1d")
	if code != 503 {
		t.Errorf("ErrNotReady: %d, want 503", code)
	}
}

type panickingSource struct{ *source.Memory }

func (panickingSource) Clusters(context.Context) ([]source.ClusterStatus, error) { panic("boom") }

func TestPanicIsInternalError(t *testing.T) {
	t.Parallel()
	h := New(panickingSource{goldenSource()}, Options{Now: func() time.Time { return now }})
	code, _, body := do(t, h, "GET", "/model/federation/status")
	if code != 500 || decodeErr(t, body).Message != "internal error" {
		t.Errorf("panic: %d %s", code, body)
	}
}

type failingSource struct{ *source.Memory }

func (failingSource) AllocationSets(context.Context, source.AllocationQuery) ([]*cost.AllocationSet, error) {
	return nil, errors.New("disk on fire")
}

func (failingSource) AssetSets(context.Context, source.AssetQuery) ([]*cost.AssetSet, error) {
	return nil, fmt.Errorf("load: %w", source.ErrNotReady)
}
