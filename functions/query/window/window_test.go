package window

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// now is Saturday 2026-11-21 12:34:56 UTC.
var now = time.Date(2026, 11, 21, 12, 34, 56, 0, time.UTC)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in         string
		start, end string
	}{
		{"today", "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"},
		{"yesterday", "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"},
		{"week", "2026-11-15T00:00:00Z", "2026-11-21T12:34:56Z"},
		{"lastweek", "2026-11-08T00:00:00Z", "2026-11-15T00:00:00Z"},
		{"month", "2026-11-01T00:00:00Z", "2026-11-21T12:34:56Z"},
		{"lastmonth", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"},
		{"7d", "2026-11-15T00:00:00Z", "2026-11-22T00:00:00Z"},
		{"1d", "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"},
		{"24h", "2026-11-20T13:00:00Z", "2026-11-21T13:00:00Z"},
		{"30m", "2026-11-21T12:05:00Z", "2026-11-21T12:35:00Z"},
		{"2w", "2026-11-08T00:00:00Z", "2026-11-22T00:00:00Z"},
		{"3d offset 1d", "2026-11-17T12:34:56Z", "2026-11-20T12:34:56Z"},
		{"2h offset 30m", "2026-11-21T10:04:56Z", "2026-11-21T12:04:56Z"},
		{"1763596800,1763683200", "2025-11-20T00:00:00Z", "2025-11-21T00:00:00Z"},
		{"2026-11-01T00:00:00Z,2026-11-08T00:00:00Z", "2026-11-01T00:00:00Z", "2026-11-08T00:00:00Z"},
		{" 2026-11-01T01:00:00+01:00,2026-11-02T00:00:00Z ", "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			w, err := Parse(c.in, now)
			if err != nil {
				t.Fatal(err)
			}
			if !w.Start.Equal(ts(c.start)) || !w.End.Equal(ts(c.end)) {
				t.Errorf("Parse(%q) = %s, want [%s, %s)", c.in, w, c.start, c.end)
			}
			if w.Start.Location() != time.UTC || w.End.Location() != time.UTC {
				t.Errorf("not UTC: %v", w)
			}
		})
	}
}

func TestParseMonthBoundaries(t *testing.T) {
	t.Parallel()
	jan := time.Date(2026, 1, 10, 5, 0, 0, 0, time.UTC)
	w, err := Parse("lastmonth", jan)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Start.Equal(ts("2025-12-01T00:00:00Z")) || !w.End.Equal(ts("2026-01-01T00:00:00Z")) {
		t.Errorf("lastmonth in January = %s", w)
	}
	// On a Sunday, week starts today.
	sun := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	w, _ = Parse("week", sun)
	if !w.Start.Equal(ts("2026-11-22T00:00:00Z")) {
		t.Errorf("week on Sunday = %s", w)
	}
	// A non-UTC now is converted.
	w, _ = Parse("today", now.In(time.FixedZone("x", -10*3600)))
	if !w.Start.Equal(ts("2026-11-21T00:00:00Z")) {
		t.Errorf("today with zone = %s", w)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, reason string }{
		{"", "empty"},
		{"tomorrow", "unknown form"},
		{"7x", "unknown form"},
		{"0d", "empty"},
		{"99999999999999d", "longer than 100 years"},
		{"3d offset 99999999999999999999w", "longer than 100 years"},
		{"200,100", "start must be before end"},
		{"2026-11-01,2026-11-02", "not RFC3339"},
		{"2026-11-02T00:00:00Z,2026-11-01T00:00:00Z", "start must be before end"},
		{"99999999999999999999,1", "out of range"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(c.in, now)
			var we *Error
			if !errors.As(err, &we) {
				t.Fatalf("Parse(%q) error = %v, want *Error", c.in, err)
			}
			msg := err.Error()
			for _, want := range []string{c.reason, `"` + c.in + `"`, "accepted forms", "lastweek"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
		})
	}
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"today", "7d", "3d offset 1d", "1,2", "2026-11-01T00:00:00Z,2026-11-08T00:00:00Z", "lastmonth", "9999999999w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := Parse(s, now)
		if err != nil {
			return
		}
		if w.End.Before(w.Start) {
			t.Errorf("Parse(%q) = %s: end before start", s, w)
		}
	})
}
