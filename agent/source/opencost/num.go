package opencost

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// num is an OpenCost number: null (how OpenCost writes NaN and Inf), a JSON number, or a
// quoted number all read as a finite float64 (0 when not finite).
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*n = 0
		return nil
	}
	if len(s) >= 2 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		*n = 0
		return nil
	}
	*n = num(v)
	return nil
}

// stamp is an OpenCost time: RFC3339, or the string "null" / null / "" for an unset bound.
type stamp struct{ time.Time }

func (t *stamp) UnmarshalJSON(b []byte) error {
	var s string
	if string(b) == "null" {
		return nil
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" || s == "null" {
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = v.UTC()
	return nil
}
