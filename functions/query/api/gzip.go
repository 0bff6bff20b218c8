package api

import (
	"compress/gzip"
	"net/http"
	"strings"
	"sync"
)

// newGzipPool returns a pool of writers: a gzip.Writer holds about 800 KiB of state.
func newGzipPool() *sync.Pool {
	return &sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return w
	}}
}

// acceptsGzip reports whether the client takes gzip (JSON compresses about tenfold).
func acceptsGzip(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	for _, enc := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(enc), ";")
		if strings.TrimSpace(name) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

type gzipResponseWriter struct {
	http.ResponseWriter
	gz *gzip.Writer
}

func (g *gzipResponseWriter) WriteHeader(code int) {
	h := g.Header()
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipResponseWriter) Write(b []byte) (int, error) { return g.gz.Write(b) }

// withGzip serves h compressed when the client accepts gzip.
func withGzip(pool *sync.Pool, w http.ResponseWriter, r *http.Request, h http.Handler) {
	if !acceptsGzip(r) {
		h.ServeHTTP(w, r)
		return
	}
	gz := pool.Get().(*gzip.Writer)
	gz.Reset(w)
	defer func() {
		_ = gz.Close()
		pool.Put(gz)
	}()
	h.ServeHTTP(&gzipResponseWriter{ResponseWriter: w, gz: gz}, r)
}
