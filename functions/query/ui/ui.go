// Package ui is the query service's web UI: hand-written HTML, CSS and JavaScript modules
// embedded in the binary (no build step, no runtime dependencies). The pages read only the
// public API (/model/allocation/summary, /model/assets, /model/federation/status…), with
// relative URLs, so the UI works wherever the API is served, also behind a path prefix.
//
// Handler serves index.html at "/", the assets under "/static/", and "/ui-config.js" (the
// Options the page needs). Every other path is 404: the query command mounts the API first
// and the UI as the fallback, so the UI never answers for an API path.
package ui

import (
	"bytes"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// Options configure the UI.
type Options struct {
	// Currency is the symbol put before costs (display only, no conversion); default "$".
	Currency string
	// Title names the deployment in the page header; default "fedcost".
	Title string
}

func (o Options) withDefaults() Options {
	if strings.TrimSpace(o.Currency) == "" {
		o.Currency = "$"
	}
	if strings.TrimSpace(o.Title) == "" {
		o.Title = "fedcost"
	}
	return o
}

// config is what /ui-config.js hands to the page.
type config struct {
	Currency string `json:"currency"`
	Title    string `json:"title"`
}

// csp allows only same-origin scripts, styles and data; blob: for the CSV download link.
const csp = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

// Handler returns the UI handler.
func Handler(opts Options) http.Handler {
	opts = opts.withDefaults()
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	cfg, err := json.Marshal(config(opts))
	if err != nil {
		panic(err)
	}
	cfgJS := append(append([]byte("export default "), cfg...), ";\n"...)
	modTime := time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		p := r.URL.Path
		switch {
		case p == "/" || p == "/index.html":
			h.Set("Cache-Control", "no-cache")
			serveFile(w, r, files, "index.html", modTime)
		case p == "/ui-config.js":
			h.Set("Cache-Control", "no-cache")
			h.Set("Content-Type", "text/javascript; charset=utf-8")
			http.ServeContent(w, r, "ui-config.js", modTime, bytes.NewReader(cfgJS))
		case strings.HasPrefix(p, "/static/"):
			name := strings.TrimPrefix(path.Clean(p), "/static/")
			if fi, err := fs.Stat(files, name); err != nil || fi.IsDir() || name == "index.html" {
				http.NotFound(w, r)
				return
			}
			h.Set("Cache-Control", "no-cache")
			serveFile(w, r, files, name, modTime)
		default:
			http.NotFound(w, r)
		}
	})
}

func serveFile(w http.ResponseWriter, r *http.Request, files fs.FS, name string, modTime time.Time) {
	b, err := fs.ReadFile(files, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	http.ServeContent(w, r, name, modTime, bytes.NewReader(b))
}
