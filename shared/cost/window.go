package cost

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Window is a closed-open time range [Start, End) in UTC. The zero Window is empty.
type Window struct {
	Start time.Time
	End   time.Time
}

// NewWindow returns [start, end) converted to UTC.
func NewWindow(start, end time.Time) Window {
	return Window{Start: start.UTC(), End: end.UTC()}
}

// IsZero reports whether both bounds are unset.
func (w Window) IsZero() bool { return w.Start.IsZero() && w.End.IsZero() }

// Duration is End − Start.
func (w Window) Duration() time.Duration { return w.End.Sub(w.Start) }

// Hours is the window's length in hours.
func (w Window) Hours() float64 { return w.Duration().Hours() }

// Minutes is the window's length in minutes.
func (w Window) Minutes() float64 { return w.Duration().Minutes() }

// Contains reports whether t is inside [Start, End).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// ContainsWindow reports whether o lies entirely inside w.
func (w Window) ContainsWindow(o Window) bool {
	return !o.Start.Before(w.Start) && !o.End.After(w.End)
}

// Overlaps reports whether the two windows share any instant.
func (w Window) Overlaps(o Window) bool { return w.Start.Before(o.End) && o.Start.Before(w.End) }

// Expand returns the smallest window covering both (a zero window is ignored).
func (w Window) Expand(o Window) Window {
	if w.IsZero() {
		return o
	}
	if o.IsZero() {
		return w
	}
	r := w
	if o.Start.Before(r.Start) {
		r.Start = o.Start
	}
	if o.End.After(r.End) {
		r.End = o.End
	}
	return r
}

// String formats the window as [start, end) in RFC3339.
func (w Window) String() string {
	return fmt.Sprintf("[%s, %s)", w.Start.UTC().Format(time.RFC3339), w.End.UTC().Format(time.RFC3339))
}

type windowJSON struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// MarshalJSON writes {"start":"…","end":"…"} in RFC3339 UTC, as OpenCost does.
func (w Window) MarshalJSON() ([]byte, error) {
	return json.Marshal(windowJSON{Start: w.Start.UTC(), End: w.End.UTC()})
}

// UnmarshalJSON reads {"start":"…","end":"…"}; bounds are converted to UTC. The compact
// form encoders write is parsed directly (it is on the upload decoding hot path); anything
// else goes through encoding/json.
func (w *Window) UnmarshalJSON(b []byte) error {
	if start, end, ok := compactWindow(b); ok {
		*w = NewWindow(start, end)
		return nil
	}
	var j windowJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*w = NewWindow(j.Start, j.End)
	return nil
}

// compactWindow parses exactly {"start":"<RFC3339>","end":"<RFC3339>"}.
func compactWindow(b []byte) (start, end time.Time, ok bool) {
	s := string(b)
	rest, found := strings.CutPrefix(s, `{"start":"`)
	if !found {
		return start, end, false
	}
	a, rest, found := strings.Cut(rest, `","end":"`)
	if !found {
		return start, end, false
	}
	e, found := strings.CutSuffix(rest, `"}`)
	if !found || strings.ContainsAny(e, `"\\`) || strings.ContainsAny(a, `"\\`) {
		return start, end, false
	}
	var err1, err2 error
	start, err1 = time.Parse(time.RFC3339, a)
	end, err2 = time.Parse(time.RFC3339, e)
	return start, end, err1 == nil && err2 == nil
}
