package ui_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/fedcost/fedcost/functions/query/ui"
)

func get(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestHandlerRoutes(t *testing.T) {
	t.Parallel()
	h := ui.Handler(ui.Options{Currency: "CHF ", Title: "acme"})
	for _, tc := range []struct {
		target, ctype string
		status        int
		contains      string
	}{
		{"/", "text/html", 200, `<script type="module" src="static/js/main.js">`},
		{"/index.html", "text/html", 200, `id="main"`},
		{"/ui-config.js", "text/javascript", 200, `export default {"currency":"CHF ","title":"acme"};`},
		{"/static/js/main.js", "text/javascript", 200, "route()"},
		{"/static/app.css", "text/css", 200, "@media"},
		// Not the UI's: the API (mounted first in the query command) or nothing.
		{"/model/allocation", "", 404, ""},
		{"/static/", "", 404, ""},
		{"/static/index.html", "", 404, ""},
		{"/static/../ui.go", "", 404, ""},
		{"/nope", "", 404, ""},
	} {
		res, body := get(t, h, http.MethodGet, tc.target)
		if res.StatusCode != tc.status {
			t.Errorf("GET %s: %d, want %d", tc.target, res.StatusCode, tc.status)
			continue
		}
		if ct := res.Header.Get("Content-Type"); tc.ctype != "" && !strings.HasPrefix(ct, tc.ctype) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.target, ct, tc.ctype)
		}
		if !strings.Contains(body, tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.target, tc.contains)
		}
		if tc.status == 200 && !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("GET %s: no CSP", tc.target)
		}
	}
	if res, _ := get(t, h, http.MethodPost, "/"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d", res.StatusCode)
	}
	if _, body := get(t, ui.Handler(ui.Options{}), http.MethodGet, "/ui-config.js"); !strings.Contains(body, `"currency":"$"`) {
		t.Errorf("default currency: %s", body)
	}
}

var importRE = regexp.MustCompile(`(?m)^import .*?from "([^"]+)";|^import "([^"]+)";`)

// TestStaticAssets checks the shipped files: every module import resolves to an embedded file
// (or /ui-config.js), nothing is loaded from another origin, and every module is served.
func TestStaticAssets(t *testing.T) {
	t.Parallel()
	h := ui.Handler(ui.Options{})
	root := os.DirFS("static")
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		src := string(b)
		if regexp.MustCompile(`(?i)(src|href)="https?://|from "https?://|import\("https?://|fetch\("https?://`).MatchString(src) {
			t.Errorf("%s loads from another origin", p)
		}
		if !strings.HasSuffix(p, ".js") {
			return nil
		}
		if res, _ := get(t, h, http.MethodGet, "/static/"+p); res.StatusCode != 200 {
			t.Errorf("/static/%s: %d", p, res.StatusCode)
		}
		for _, m := range importRE.FindAllStringSubmatch(src, -1) {
			spec := m[1] + m[2]
			target := path.Join(path.Dir("/static/"+p), spec)
			if res, _ := get(t, h, http.MethodGet, target); res.StatusCode != 200 {
				t.Errorf("%s imports %s (%s): %d", p, spec, target, res.StatusCode)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
