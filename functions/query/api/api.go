// Package api is the query service's HTTP API: one http.Handler serving the Kubecost paths
// (/model/allocation, summaries, toplines, /model/assets), the OpenCost paths (/allocation,
// /allocation/compute, /allocation/summary, /assets), /model/federation/status and the
// /healthz and /readyz probes, from a source.Source. It is read-only: GET and HEAD only.
package api

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/cost"
)

// Options configure the handler. Zero values take the documented defaults.
type Options struct {
	LabelConfig cost.LabelConfig // zero: cost.DefaultLabelConfig()
	Now         func() time.Time // zero: time.Now
	// StaleAfter flags clusters whose last upload is older (default 2h).
	StaleAfter time.Duration
	// Tokens, when any, require "Authorization: Bearer <token>" on every path but the probes.
	Tokens []string
	// CORSOrigins are the allowed browser origins ("*" for any); none disables CORS.
	CORSOrigins  []string
	MaxURLBytes  int           // default 8 KiB
	MaxBodyBytes int64         // default 64 KiB (requests are GETs; bodies are not read)
	Timeout      time.Duration // per request, default 30s
	Logger       *slog.Logger  // default: discard
	// MemoBytes bounds the per-set results remembered across queries (engine.Memo), by
	// estimated size: default 256 MiB; negative disables it.
	MemoBytes int
}

func (o Options) withDefaults() Options {
	if o.LabelConfig == (cost.LabelConfig{}) {
		o.LabelConfig = cost.DefaultLabelConfig()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = 2 * time.Hour
	}
	if o.MaxURLBytes <= 0 {
		o.MaxURLBytes = 8 << 10
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 64 << 10
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MemoBytes == 0 {
		o.MemoBytes = 256 << 20
	}
	return o
}

type server struct {
	src  source.Source
	opts Options
	mux  *http.ServeMux
	gzip *sync.Pool
	memo *engine.Memo // nil when disabled
}

// New returns the API handler over src.
func New(src source.Source, opts Options) http.Handler {
	s := &server{src: src, opts: opts.withDefaults(), mux: http.NewServeMux(), gzip: newGzipPool()}
	if s.opts.MemoBytes > 0 {
		s.memo = engine.NewMemo(s.opts.MemoBytes)
	}
	routes := map[string]handlerFunc{
		"/model/allocation":                 s.allocation(kubecost),
		"/model/allocation/compute":         s.allocation(kubecost),
		"/model/allocation/summary":         s.allocationSummary(kubecost),
		"/model/allocation/summary/topline": s.allocationTopline,
		"/model/assets":                     s.assets(kubecost),
		"/model/assets/topline":             s.assetsTopline,
		"/allocation":                       s.allocation(openCost),
		"/allocation/compute":               s.allocation(openCost),
		"/allocation/summary":               s.allocationSummary(openCost),
		"/assets":                           s.assets(openCost),
		"/model/federation/status":          s.federationStatus,
	}
	for path, h := range routes {
		s.mux.Handle(path, s.api(h))
	}
	s.mux.HandleFunc("/healthz", s.healthz)
	s.mux.HandleFunc("/readyz", s.readyz)
	s.mux.Handle("/", s.api(func(*http.Request) (response, error) {
		return nil, errorf(kindNotFound, "not found: see /model/allocation, /model/assets, /allocation, /assets, /model/federation/status")
	}))
	return s
}

// flavor selects Kubecost or OpenCost defaults and shapes.
type flavor bool

const (
	kubecost flavor = false
	openCost flavor = true
)

// response writes a successful answer.
type response interface {
	write(w http.ResponseWriter)
}

type handlerFunc func(r *http.Request) (response, error)

// ServeHTTP applies the limits, CORS, the method check and auth, then routes.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.RawQuery)+len(r.URL.Path) > s.opts.MaxURLBytes {
		writeError(w, errorf(kindURITooLong, "request URL longer than %d bytes", s.opts.MaxURLBytes))
		return
	}
	if r.ContentLength > s.opts.MaxBodyBytes {
		writeError(w, errorf(kindTooLarge, "request body larger than %d bytes", s.opts.MaxBodyBytes))
		return
	}
	s.cors(w, r)
	if r.Method == http.MethodOptions && r.Header.Get("Origin") != "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, errorf(kindMethodNotAllowed, "method %s not allowed: the API is read-only (GET, HEAD)", r.Method))
		return
	}
	if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" && !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fedcost"`)
		writeError(w, errorf(kindUnauthorized, "missing or invalid bearer token"))
		return
	}
	withGzip(s.gzip, w, r, s.mux)
}

func (s *server) authorized(r *http.Request) bool {
	if len(s.opts.Tokens) == 0 {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	match := 0
	for _, t := range s.opts.Tokens {
		match |= subtle.ConstantTimeCompare([]byte(got), []byte(t))
	}
	return match == 1
}

func (s *server) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" || len(s.opts.CORSOrigins) == 0 {
		return
	}
	h := w.Header()
	switch {
	case slices.Contains(s.opts.CORSOrigins, "*"):
		h.Set("Access-Control-Allow-Origin", "*")
	case slices.Contains(s.opts.CORSOrigins, origin):
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
	default:
		return
	}
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
}

// api wraps an API handler: readiness, the per-request timeout, and error responses.
func (s *server) api(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.src.Ready() && r.URL.Path != "/model/federation/status" {
			writeError(w, errorf(kindUnavailable, "data is still loading; retry shortly"))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.Timeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				s.opts.Logger.ErrorContext(ctx, "query panicked", "path", r.URL.Path, "query", r.URL.RawQuery, "panic", p)
				writeError(w, errorf(kindInternal, "internal error"))
			}
		}()
		resp, err := h(r.WithContext(ctx))
		if err != nil {
			ae := classify(err)
			if ae.kind == kindInternal || ae.kind == kindTimeout {
				s.opts.Logger.ErrorContext(ctx, "query failed", "path", r.URL.Path, "query", r.URL.RawQuery, "err", err)
			}
			writeError(w, ae)
			return
		}
		resp.write(w)
	})
}

func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []byte(`{"code":200,"status":"ok"}`))
}

func (s *server) readyz(w http.ResponseWriter, _ *http.Request) {
	if !s.src.Ready() {
		writeError(w, errorf(kindUnavailable, "not ready: data is still loading"))
		return
	}
	writeJSON(w, http.StatusOK, []byte(`{"code":200,"status":"ready"}`))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError writes {"code":<status>,"message":"…"}.
func writeError(w http.ResponseWriter, e *apiError) {
	status := statusOf(e.kind)
	b := append([]byte(`{"code":`), appendInt(nil, int64(status))...)
	b = append(b, `,"message":`...)
	b = appendString(b, e.msg)
	writeJSON(w, status, append(b, '}'))
}

// chunkBytes is how much of a streamed response is buffered before it is written.
const chunkBytes = 32 << 10

// stream is a success response {"code":200,"data":…} whose data is generated piecewise: gen
// appends to b and passes it through flush, which writes it out once it holds chunkBytes, so
// large answers never sit in memory whole.
type stream func(b []byte, flush func([]byte) []byte) []byte

func (s stream) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flush := func(b []byte) []byte {
		if len(b) < chunkBytes {
			return b
		}
		_, _ = w.Write(b)
		return b[:0]
	}
	b := make([]byte, 0, 2*chunkBytes)
	b = s(append(b, `{"code":200,"data":`...), flush)
	_, _ = w.Write(append(b, '}'))
}

// jsonData is a success response {"code":200,"data":<data>}.
type jsonData []byte

func (d jsonData) write(w http.ResponseWriter) {
	b := make([]byte, 0, len(d)+24)
	b = append(b, `{"code":200,"data":`...)
	b = append(b, d...)
	writeJSON(w, http.StatusOK, append(b, '}'))
}
