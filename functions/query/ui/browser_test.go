package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/fedcost/fedcost/shared/testenv"
)

// page drives one headless Chromium tab for a test; failures are reported on t.
type page struct {
	t *testing.T
	*tab
}

// tab is the browser tab and what it wrote to its console.
type tab struct {
	ctx  context.Context
	base string
	arts string // screenshot directory

	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

// in returns the page reporting to t (a subtest).
func (p *page) in(t *testing.T) *page { return &page{t: t, tab: p.tab} }

// waitFor bounds every browser step (generous: the CI box is shared and tests run with -race).
const waitFor = 2 * time.Minute

// chromium returns the browser's path, or skips (fails under FEDCOST_REQUIRE_TOOLS=1).
func chromium(t *testing.T) string {
	t.Helper()
	return testenv.Tool(t, "chromium", "scripts/install-tools.sh chromium")
}

func newPage(t *testing.T, base string) *page {
	t.Helper()
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser and the tab without a deadline
		t.Fatalf("start chromium: %v", err)
	}
	p := &page{t: t, tab: &tab{ctx: ctx, base: base, arts: artifactDir(t)}}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.msgs = append(p.msgs, m)
			p.mu.Unlock()
		}
	}()
	return p
}

// artifactDir is $FEDCOST_ARTIFACTS/ui when set (kept after the test), else a temp dir.
func artifactDir(t *testing.T) string {
	dir := t.TempDir()
	if a := os.Getenv("FEDCOST_ARTIFACTS"); a != "" {
		dir = filepath.Join(a, "ui")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

func (p *page) timeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.ctx, waitFor)
}

func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := p.timeout()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression and decodes its JSON value into T.
func eval[T any](p *page, js string) T {
	p.t.Helper()
	ctx, cancel := p.timeout()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (p *page) seq() int {
	return eval[int](p, `Number(document.getElementById("main").dataset.seq || 0)`)
}

// waitView waits until a render after seq prev has finished and returns its state (ready, error).
func (p *page) waitView(prev int) string {
	p.t.Helper()
	ctx, cancel := p.timeout()
	defer cancel()
	js := fmt.Sprintf(`(() => { const m = document.getElementById("main"); return m.dataset.state !== "loading" && Number(m.dataset.seq) > %d ? m.dataset.state : ""; })()`, prev)
	state, err := chromedp.Run(ctx, chromedp.Poll[string](js, chromedp.WithPollingTimeout(waitFor)))
	if err != nil {
		p.t.Fatalf("waiting for the view after render %d: %v (state %q)", prev, err, eval[string](p, `document.getElementById("main").dataset.state`))
	}
	return state
}

// act runs a step that changes the view and waits for the new view; it returns its state.
func (p *page) act(js string) string {
	p.t.Helper()
	prev := p.seq()
	eval[chromedp.Void](p, js)
	return p.waitView(prev)
}

// open navigates to the UI at hash ("#/…") as a fresh page load and waits for the view.
func (p *page) open(hash string) string {
	p.t.Helper()
	p.do(chromedp.Navigate("about:blank"), chromedp.Navigate(p.base+"/"+hash))
	return p.waitView(0)
}

// goTo changes the hash (an in-page navigation, as a link does) and waits for the view.
func (p *page) goTo(hash string) string {
	p.t.Helper()
	return p.act(fmt.Sprintf(`location.hash = %q`, hash))
}

// click clicks the first element matching the CSS selector and waits for the next view.
func (p *page) click(sel string) string {
	p.t.Helper()
	return p.act(fmt.Sprintf(`document.querySelector(%q).click()`, sel))
}

// problems returns and forgets the console errors and exceptions recorded so far, except
// those for which allowed returns true.
func (p *page) problems(allowed func(chromedp.ConsoleMessage) bool) []string {
	time.Sleep(100 * time.Millisecond) // let the console events of the last action arrive
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, m := range p.msgs {
		if (m.Type == chromedp.ConsoleError || m.IsException()) && (allowed == nil || !allowed(m)) {
			out = append(out, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
		}
	}
	p.msgs = nil
	return out
}

// waitConsole waits until n recorded console messages match (they stay recorded).
func (p *page) waitConsole(n int, match func(chromedp.ConsoleMessage) bool) {
	p.t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		p.mu.Lock()
		c := 0
		for _, m := range p.msgs {
			if match(m) {
				c++
			}
		}
		p.mu.Unlock()
		if c >= n {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited for %d console messages, saw %d", n, c)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *page) noConsoleErrors(what string) {
	p.t.Helper()
	if errs := p.problems(nil); len(errs) > 0 {
		p.t.Errorf("%s: console errors:\n%s", what, strings.Join(errs, "\n"))
	}
}

func (p *page) screenshot(name string) {
	p.t.Helper()
	ctx, cancel := p.timeout()
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100) /* PNG */)
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(p.arts, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// download clicks a download button and returns the downloaded file's content.
func (p *page) download(sel string) string {
	p.t.Helper()
	dir := p.t.TempDir()
	ctx, cancel := p.timeout()
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		p.t.Fatalf("download behaviour: %v", err)
	}
	events := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	eval[chromedp.Void](p, fmt.Sprintf(`document.querySelector(%q).click()`, sel))
	for ev, err := range events {
		if err != nil {
			p.t.Fatalf("waiting for the download: %v", err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				p.t.Fatalf("read download: %v", err)
			}
			return string(b)
		case browser.DownloadProgressStateCanceled:
			p.t.Fatalf("download canceled")
		}
	}
	p.t.Fatal("no download")
	return ""
}

// getAPI calls the API directly and decodes the data of the answer.
func getAPI[T any](t *testing.T, base, path string, q url.Values) T {
	t.Helper()
	var out struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    T      `json:"data"`
	}
	res, err := http.Get(base + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v: %s", path, err, b)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s?%s: %d %s", path, q.Encode(), res.StatusCode, out.Message)
	}
	return out.Data
}

// apiError calls the API expecting an error and returns its message.
func apiError(t *testing.T, base, path string, q url.Values) (int, string) {
	t.Helper()
	res, err := http.Get(base + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Message string `json:"message"`
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out.Message
}
