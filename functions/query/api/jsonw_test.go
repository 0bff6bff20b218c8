package api

import (
	"encoding/json"
	"math"
	"testing"
)

func TestAppendFloat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {1, "1"}, {1.234564, "1.23456"}, {1.234566, "1.23457"}, {-0.000001, "0"},
		{123456789.123456789, "123456789.12346"}, {3.4e10, "34000000000"}, {1e300, "1e+300"},
		{math.NaN(), "null"}, {math.Inf(1), "null"}, {math.Inf(-1), "null"},
	}
	for _, c := range cases {
		if got := string(appendFloat(nil, c.in, 5)); got != c.want {
			t.Errorf("appendFloat(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestAppendString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"plain", `quote " and \ backslash`, "ctrl \x00\x1f\n\t", "ünïcødé ✓", "bad \xff utf8", "</script>"} {
		b := appendString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("appendString(%q) = %s: invalid JSON: %v", s, b, err)
		}
		want := s
		if s == "bad \xff utf8" {
			want = "bad \ufffd utf8"
		}
		if back != want {
			t.Errorf("round trip of %q gave %q", s, back)
		}
	}
}
