package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress shows simulate's progress: a redrawn bar on a terminal, or a plain line at every
// 10% otherwise (logs, CI). Calls are serial (sim.Options.Progress).
type progress struct {
	w     io.Writer
	tty   bool
	now   func() time.Time
	start time.Time
	last  time.Time
	step  int // plain mode: last 10% step printed
	drawn bool
}

func newProgress(w io.Writer, tty bool, now func() time.Time) *progress {
	t := now()
	return &progress{w: w, tty: tty, now: now, start: t, last: t}
}

func (p *progress) update(done, total int) {
	if total <= 0 {
		return
	}
	t := p.now()
	rate := float64(done) / max(t.Sub(p.start).Seconds(), 1e-3)
	if !p.tty {
		if s := done * 10 / total; s > p.step {
			p.step = s
			fmt.Fprintf(p.w, "simulate: %3d%% (%d/%d files, %.0f files/s)\n", done*100/total, done, total, rate)
		}
		return
	}
	if done != total && t.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = t
	const width = 30
	filled := done * width / total
	eta := ""
	if rate > 0 && done < total {
		eta = " ETA " + (time.Duration(float64(total-done)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r[%s%s] %3d%% %d/%d files %.0f files/s%s   ", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		done*100/total, done, total, rate, eta)
	p.drawn = true
}

func (p *progress) finish() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
	}
}
