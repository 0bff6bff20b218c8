package prom

import (
	"bytes"
	"context"

	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
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
	bufs     sync.Pool     // *bytes.Buffer response bodies, reused (decoded strings are copies)
}

// maxPooledBuffer keeps one huge response from pinning its buffer.
const maxPooledBuffer = 16 << 20

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

// query evaluates q at t and passes every sample of the resulting vector to each (labels are
// only valid during the call).
func (c *client) query(ctx context.Context, q namedQuery, t time.Time, each func(labels, pair)) error {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return &QueryError{q.Name, q.Expr, ctx.Err()}
	}
	defer func() { <-c.sem }()
	if err := c.do(ctx, q.Expr, t, each); err != nil {
		return &QueryError{q.Name, q.Expr, err}
	}
	return nil
}

func (c *client) do(ctx context.Context, expr string, t time.Time, each func(labels, pair)) error {
	form := url.Values{}
	form.Set("query", expr)
	form.Set("time", strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64))
	if c.timeout > 0 {
		form.Set("timeout", strconv.FormatInt(c.timeout.Milliseconds(), 10)+"ms")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.base, "/")+"/api/v1/query", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf, _ := c.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			c.bufs.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, c.maxBytes+1)); err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	body := buf.Bytes()
	if int64(len(body)) > c.maxBytes {
		return fmt.Errorf("response larger than %d bytes: lower MaxSeriesPerQuery", c.maxBytes)
	}
	// Samples stream into each while decoding; if the response then turns out not to be a
	// successful vector, the error fails the whole build, so what each saw is discarded.
	r, err := decodeResponse(body, each)
	if err != nil {
		return fmt.Errorf("HTTP %d: decode response: %w (body starts %.120q)", resp.StatusCode, err, body)
	}
	if r.Status != "success" {
		return fmt.Errorf("HTTP %d: %s: %s", resp.StatusCode, r.ErrorType, r.Error)
	}
	switch r.ResultType {
	case "vector":
		for _, smp := range r.Result {
			each(smp.Metric, smp.Value)
		}
		return nil
	case "scalar":
		return nil
	default:
		return fmt.Errorf("result type %q: want vector", r.ResultType)
	}
}
