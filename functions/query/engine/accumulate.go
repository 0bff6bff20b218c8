package engine

import (
	"fmt"
	"time"
)

// Accumulate says how per-window results are folded together.
type Accumulate int

// Accumulations (OpenCost ParseAccumulate).
const (
	AccumulateNone    Accumulate = iota // one result per set
	AccumulateAll                       // one result for the whole range
	AccumulateHour                      // per hour
	AccumulateDay                       // per UTC day
	AccumulateWeek                      // per week, Sunday to Saturday
	AccumulateMonth                     // per calendar month
	AccumulateQuarter                   // per calendar quarter
)

// ParseAccumulate accepts "", false, true, all, hour, day, week, month, quarter.
func ParseAccumulate(s string) (Accumulate, error) {
	switch s {
	case "", "false", "none":
		return AccumulateNone, nil
	case "true", "all":
		return AccumulateAll, nil
	case "hour", "hourly":
		return AccumulateHour, nil
	case "day", "daily":
		return AccumulateDay, nil
	case "week", "weekly":
		return AccumulateWeek, nil
	case "month", "monthly":
		return AccumulateMonth, nil
	case "quarter", "quarterly":
		return AccumulateQuarter, nil
	}
	return 0, fmt.Errorf("unknown accumulate %q: allowed are true, false, all, hour, day, week, month, quarter", s)
}

// bucket returns the start of the accumulation period containing t (UTC).
func (acc Accumulate) bucket(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch acc {
	case AccumulateHour:
		return t.Truncate(time.Hour)
	case AccumulateDay:
		return day
	case AccumulateWeek:
		return day.AddDate(0, 0, -int(day.Weekday()))
	case AccumulateMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case AccumulateQuarter:
		return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// AccumulateSets folds time-ordered results by period; the inputs are consumed. A set is
// placed by its start; sets already longer than the period are kept as they are.
func AccumulateSets(sets []*Set, acc Accumulate) []*Set {
	switch {
	case acc == AccumulateNone || len(sets) == 0:
		return sets
	case acc == AccumulateAll:
		return fold(sets, func(*Set) time.Time { return time.Time{} })
	}
	return fold(sets, func(s *Set) time.Time { return acc.bucket(s.Window.Start) })
}

// StepSets folds time-ordered results into consecutive steps of the given length starting at
// start (step=1d over 7 days of hourly sets gives 7 sets). step <= 0 keeps the sets.
func StepSets(sets []*Set, start time.Time, step time.Duration) []*Set {
	if step <= 0 || len(sets) == 0 {
		return sets
	}
	return fold(sets, func(s *Set) time.Time { return stepBucket(s.Window.Start, start, step) })
}

// stepBucket is the start of the step containing t; anything before start is one step early.
func stepBucket(t, start time.Time, step time.Duration) time.Time {
	if t.Before(start) {
		return start.Add(-step)
	}
	return start.Add(t.Sub(start) / step * step)
}

func fold(sets []*Set, key func(*Set) time.Time) []*Set {
	var out []*Set
	var cur *Set
	var curKey time.Time
	for _, s := range sets {
		k := key(s)
		if cur != nil && k.Equal(curKey) {
			if cur.shared {
				cur = cur.own()
				out[len(out)-1] = cur
			}
			cur.merge(s)
			continue
		}
		cur, curKey = s, k
		out = append(out, s)
	}
	return out
}
