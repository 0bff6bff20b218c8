package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress reports done/total: a redrawn bar on a terminal, plain lines (at most one every
// few seconds, and the last) otherwise.
type progress struct {
	w     io.Writer
	what  string
	tty   bool
	start time.Time
	mu    sync.Mutex
	last  time.Time
}

func newProgress(w io.Writer, what string) *progress {
	return &progress{w: w, what: what, tty: isTerminal(w), start: time.Now()}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	final := done >= total
	rate := float64(done) / max(now.Sub(p.start).Seconds(), 1e-3)
	if p.tty {
		const width = 30
		fill := 0
		if total > 0 {
			fill = done * width / total
		}
		fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d (%.1f/s)", p.what, strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, total, rate)
		if final {
			fmt.Fprintln(p.w)
		}
		return
	}
	if final || now.Sub(p.last) >= 5*time.Second {
		p.last = now
		fmt.Fprintf(p.w, "%s: %d/%d (%.1f/s)\n", p.what, done, total, rate)
	}
}
