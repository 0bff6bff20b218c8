package prom

import (
	"bytes"
	"context"
	"encoding/json"

	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// client is a minimal Prometheus HTTP API client: instant queries (POST /api/v1/query) whose
// results are vectors. Every query is named; errors say which query failed and why.
type client struct {
	base     string
	http     *http.Client
	timeout  time.Duration
	maxBytes int64
	sem      chan struct{} // bounds queries in flight
}

// sample is one series of an instant vector.
type sample struct {
	Metric labels `json:"metric"`
	Value  pair   `json:"value"`
}

// vector is an API result that decodes in place (no copy of the raw result): a vector's
// samples; any other result type (scalar, string) is skipped, and the caller checks
// resultType.
type vector []sample

// UnmarshalJSON decodes the result array when it holds objects.
func (v *vector) UnmarshalJSON(b []byte) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return nil
	}
	if j := skipSpace(b, i+1); j >= len(b) || (b[j] != '{' && b[j] != ']') {
		return nil // a scalar or string result: [time, "value"]
	}
	return json.Unmarshal(b, (*[]sample)(v))
}

// pair is a [<unix seconds>, "<value>"] sample value.
type pair struct {
	T float64
	V float64
}

// UnmarshalJSON parses [1700000000.123,"0.5"] without reflection.
func (p *pair) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return fmt.Errorf("sample value %.40q: want [time, \"value\"]", b)
	}
	ts, vs, ok := bytes.Cut(b[1:len(b)-1], []byte(","))
	if !ok {
		return fmt.Errorf("sample value %.40q: want [time, \"value\"]", b)
	}
	var err error
	if p.T, err = strconv.ParseFloat(string(bytes.TrimSpace(ts)), 64); err != nil {
		return fmt.Errorf("sample time %.40q: %w", ts, err)
	}
	vs = bytes.Trim(bytes.TrimSpace(vs), `"`)
	if p.V, err = strconv.ParseFloat(string(vs), 64); err != nil {
		return fmt.Errorf("sample value %.40q: %w", vs, err)
	}
	return nil
}

type apiResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string `json:"resultType"`
		Result     vector `json:"result"`
	} `json:"data"`
	Warnings []string `json:"warnings"`
}

// namedQuery is a PromQL expression with a short name for errors and logs.
type namedQuery struct {
	Name string
	Expr string
}

// QueryError says which query failed.
type QueryError struct {
	Name, Expr string
	Err        error
}

func (e *QueryError) Error() string {
	expr := e.Expr
	if len(expr) > 300 {
		expr = expr[:300] + "…"
	}
	return fmt.Sprintf("prometheus query %s (%s): %v", e.Name, expr, e.Err)
}

func (e *QueryError) Unwrap() error { return e.Err }

// query evaluates q at t and returns its vector.
func (c *client) query(ctx context.Context, q namedQuery, t time.Time) ([]sample, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, &QueryError{q.Name, q.Expr, ctx.Err()}
	}
	defer func() { <-c.sem }()
	res, err := c.do(ctx, q.Expr, t)
	if err != nil {
		return nil, &QueryError{q.Name, q.Expr, err}
	}
	return res, nil
}

func (c *client) do(ctx context.Context, expr string, t time.Time) ([]sample, error) {
	form := url.Values{}
	form.Set("query", expr)
	form.Set("time", strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64))
	if c.timeout > 0 {
		form.Set("timeout", strconv.FormatInt(c.timeout.Milliseconds(), 10)+"ms")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.base, "/")+"/api/v1/query", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if int64(len(body)) > c.maxBytes {
		return nil, fmt.Errorf("response larger than %d bytes: lower MaxSeriesPerQuery", c.maxBytes)
	}
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("HTTP %d: decode response: %w (body starts %.120q)", resp.StatusCode, err, body)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("HTTP %d: %s: %s", resp.StatusCode, r.ErrorType, r.Error)
	}
	switch r.Data.ResultType {
	case "vector":
		return r.Data.Result, nil
	case "scalar":
		return nil, nil
	default:
		return nil, fmt.Errorf("result type %q: want vector", r.Data.ResultType)
	}
}
