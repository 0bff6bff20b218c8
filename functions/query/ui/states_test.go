package ui_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fedcost/fedcost/functions/query/ui"
)

// TestLoadingAndErrorStates holds the API's answers to see the loading state, then answers
// 503 (as an API whose cache is still loading does) to see the error state.
func TestLoadingAndErrorStates(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	var loaded atomic.Bool
	uiH := ui.Handler(ui.Options{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPI(r.URL.Path) {
			uiH.ServeHTTP(w, r)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if loaded.Load() {
			_, _ = w.Write([]byte(emptyStatus))
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"code":503,"message":"data is still loading; retry shortly"}`))
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(free) // runs before srv.Close: unblock held requests

	p := newPage(t, srv.URL)
	p.do(chromedp.Navigate(srv.URL + "/#/clusters"))
	p.do(chromedp.WaitVisible(chromedp.CSS("#main #loading")))
	if st := eval[string](p, `document.getElementById("main").dataset.state`); st != "loading" {
		t.Errorf("while the API is busy: state %q", st)
	}
	p.screenshot("loading-1280")
	free()
	if st := p.waitView(0); st != "error" {
		t.Fatalf("after a 503: state %q", st)
	}
	msg := eval[string](p, `document.getElementById("error").textContent`)
	if !strings.Contains(msg, "503") || !strings.Contains(msg, "data is still loading") {
		t.Errorf("error banner %q", msg)
	}
	if eval[bool](p, `!!document.getElementById("loading")`) {
		t.Error("the loading indicator stays after the error")
	}
	p.screenshot("error-1280")
	if errs := p.problems(func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && strings.Contains(m.Text, "503")
	}); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
	// Once the API has loaded, Retry shows the page.
	loaded.Store(true)
	if st := p.click("#error button.retry"); st != "ready" {
		t.Errorf("retry: state %q", st)
	}
	p.noConsoleErrors("retry")
}

// emptyStatus is a federation status of a fleet with no clusters yet.
const emptyStatus = `{"code":200,"data":{"clusters":[],"summary":{"clusters":0,"stale":0,"duplicates":0,"quarantined":0,"staleAfterSeconds":7200,"ready":true,"hourlyCoverage":null,"dailyCoverage":null}}}`

// TestTokenPrompt: an API that requires a bearer token answers 401; the page asks for the
// token, keeps it in localStorage and sends it with every request.
func TestTokenPrompt(t *testing.T) {
	uiH := ui.Handler(ui.Options{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPI(r.URL.Path) {
			uiH.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"code":401,"message":"missing or invalid bearer token"}`))
			return
		}
		_, _ = w.Write([]byte(emptyStatus))
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)

	p := newPage(t, srv.URL)
	if st := p.open("#/clusters"); st != "error" {
		t.Fatalf("without a token: state %q", st)
	}
	if !eval[bool](p, `!!document.querySelector("#error #token")`) {
		t.Fatal("a 401 does not ask for a token")
	}
	if st := p.act(`(() => { document.getElementById("token").value = "s3cret"; document.querySelector("#error form").requestSubmit(); })()`); st != "ready" {
		t.Fatalf("with the token: state %q", st)
	}
	if got := eval[string](p, `document.getElementById("sum-clusters").textContent`); got != "0" {
		t.Errorf("clusters %q", got)
	}
	p.problems(nil) // the 401 is logged by the browser
}

// TestUnderPathPrefix: behind a reverse proxy that serves the query service under /fedcost/,
// the page's relative URLs reach the UI's files and the API there.
func TestUnderPathPrefix(t *testing.T) {
	uiH := ui.Handler(ui.Options{})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPI(r.URL.Path) {
			uiH.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(emptyStatus))
	})
	outer := http.NewServeMux()
	outer.Handle("/fedcost/", http.StripPrefix("/fedcost", inner))
	srv := httptest.NewUnstartedServer(outer)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)

	p := newPage(t, srv.URL+"/fedcost")
	if st := p.open("#/clusters"); st != "ready" {
		t.Fatalf("under /fedcost/: state %q", st)
	}
	p.noConsoleErrors("under a path prefix")
}
