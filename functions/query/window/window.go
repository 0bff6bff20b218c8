// Package window parses the query window grammar of the Kubecost/OpenCost API (today,
// yesterday, week, lastweek, month, lastmonth, Nm/Nh/Nd/Nw, "N(u) offset M(u)", unix and RFC3339
// pairs) into a UTC cost.Window. The current time is always passed in; nothing here reads the
// clock.
package window

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
)

// Accepted lists the accepted forms; error messages include it.
const Accepted = `today, yesterday, week, lastweek, month, lastmonth, <N>m|h|d|w (e.g. 7d), ` +
	`"<N><u> offset <M><u>" (e.g. 3d offset 1d), <unix>,<unix> (seconds), ` +
	`<RFC3339>,<RFC3339> (e.g. 2026-11-01T00:00:00Z,2026-11-08T00:00:00Z)`

// maxSpan bounds a relative window so that durations never overflow (about 100 years).
const maxSpan = 100 * 365 * 24 * time.Hour

const day = 24 * time.Hour

var (
	relRE    = regexp.MustCompile(`^(\d+)(m|h|d|w)$`)
	offsetRE = regexp.MustCompile(`^(\d+)(m|h|d|w) offset (\d+)(m|h|d|w)$`)
	unixRE   = regexp.MustCompile(`^(\d+)[,|-](\d+)$`)
)

// Error is a window that does not parse; it names the value and lists the accepted forms.
type Error struct {
	Value  string
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid window %q: %s; accepted forms: %s", e.Value, e.Reason, Accepted)
}

// Parse returns the window s means at now. Everything is UTC; the result has Start < End.
func Parse(s string, now time.Time) (cost.Window, error) {
	now = now.UTC()
	v := strings.TrimSpace(s)
	bad := func(reason string) (cost.Window, error) { return cost.Window{}, &Error{Value: s, Reason: reason} }
	if v == "" {
		return bad("empty")
	}
	today := now.Truncate(day)
	switch v {
	case "today":
		return cost.NewWindow(today, today.Add(day)), nil
	case "yesterday":
		return cost.NewWindow(today.Add(-day), today), nil
	case "week":
		return cost.NewWindow(weekStart(today), now), nil
	case "lastweek":
		ws := weekStart(today)
		return cost.NewWindow(ws.AddDate(0, 0, -7), ws), nil
	case "month":
		return cost.NewWindow(monthStart(now), now), nil
	case "lastmonth":
		ms := monthStart(now)
		return cost.NewWindow(ms.AddDate(0, -1, 0), ms), nil
	}
	if m := relRE.FindStringSubmatch(v); m != nil {
		span, err := span(m[1], m[2])
		if err != nil {
			return bad(err.Error())
		}
		if span == 0 {
			return bad("the window is empty")
		}
		if m[2] == "w" {
			end := today.Add(day)
			start := now.Add(-span).Truncate(day).Add(day)
			return cost.NewWindow(start, end), nil
		}
		u := unit(m[2])
		end := now.Truncate(u).Add(u)
		return cost.NewWindow(end.Add(-span), end), nil
	}
	if m := offsetRE.FindStringSubmatch(v); m != nil {
		dur, err := span(m[1], m[2])
		if err != nil {
			return bad(err.Error())
		}
		off, err := span(m[3], m[4])
		if err != nil {
			return bad(err.Error())
		}
		if dur == 0 {
			return bad("the window is empty")
		}
		end := now.Add(-off)
		return cost.NewWindow(end.Add(-dur), end), nil
	}
	if m := unixRE.FindStringSubmatch(v); m != nil {
		a, err1 := strconv.ParseInt(m[1], 10, 64)
		b, err2 := strconv.ParseInt(m[2], 10, 64)
		if err1 != nil || err2 != nil || a > math.MaxInt32*4 || b > math.MaxInt32*4 {
			return bad("unix seconds out of range")
		}
		return ordered(s, time.Unix(a, 0), time.Unix(b, 0))
	}
	if a, b, ok := strings.Cut(v, ","); ok {
		start, err := time.Parse(time.RFC3339, strings.TrimSpace(a))
		if err != nil {
			return bad(fmt.Sprintf("start %q is not RFC3339", a))
		}
		end, err := time.Parse(time.RFC3339, strings.TrimSpace(b))
		if err != nil {
			return bad(fmt.Sprintf("end %q is not RFC3339", b))
		}
		return ordered(s, start, end)
	}
	return bad("unknown form")
}

func ordered(s string, start, end time.Time) (cost.Window, error) {
	if !start.Before(end) {
		return cost.Window{}, &Error{Value: s, Reason: "start must be before end"}
	}
	return cost.NewWindow(start, end), nil
}

func unit(u string) time.Duration {
	switch u {
	case "m":
		return time.Minute
	case "h":
		return time.Hour
	case "d":
		return day
	default:
		return 7 * day
	}
}

// span is n units, refusing anything longer than maxSpan.
func span(n, u string) (time.Duration, error) {
	v, err := strconv.ParseInt(n, 10, 64)
	unitDur := unit(u)
	if err != nil || v > int64(maxSpan/unitDur) {
		return 0, fmt.Errorf("%s%s is longer than 100 years", n, u)
	}
	return time.Duration(v) * unitDur, nil
}

// weekStart is the Sunday 00:00 of the week containing day d (d at 00:00).
func weekStart(d time.Time) time.Time { return d.AddDate(0, 0, -int(d.Weekday())) }

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
