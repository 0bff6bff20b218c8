package sim

import (
	"errors"
	"fmt"
	"time"

	"github.com/fedcost/fedcost/shared/layout"
)

// Options describe a fleet and what to write.
type Options struct {
	// Clusters is the number of clusters; their ids are ClusterIDs(Clusters, ClusterPrefix).
	Clusters int
	// ClusterPrefix starts every cluster id; default "sim".
	ClusterPrefix string
	// Days is the number of closed daily windows written, ending at the start of End's day.
	Days int
	// HourlyHours is the number of closed hourly windows written, ending at the start of End's
	// hour. 0 means 48; negative means none.
	HourlyHours int
	// Seed selects the fleet; the same seed gives the same data.
	Seed int64
	// ContainersPerDay is the average number of containers a cluster runs per day (0 means
	// 100); cluster sizes are skewed around it.
	ContainersPerDay int
	// End is the fleet's "now". Required.
	End time.Time
	// IncludeOpen also writes the open day and hour, holding data up to End.
	IncludeOpen bool
	// Workers bounds parallel generation; 0 means GOMAXPROCS.
	Workers int
	// Progress, if set, is called serially after every file with the files done and the total.
	Progress func(done, total int)
	// Now is Live's clock; nil means time.Now. Generate never reads it.
	Now func() time.Time
}

const (
	defaultHourlyHours      = 48
	defaultContainersPerDay = 100
	defaultPrefix           = "sim"
)

func (o Options) withDefaults() Options {
	if o.HourlyHours == 0 {
		o.HourlyHours = defaultHourlyHours
	}
	if o.HourlyHours < 0 {
		o.HourlyHours = 0
	}
	if o.ContainersPerDay == 0 {
		o.ContainersPerDay = defaultContainersPerDay
	}
	if o.ClusterPrefix == "" {
		o.ClusterPrefix = defaultPrefix
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// validate checks the options (after withDefaults).
func (o Options) validate() error {
	var errs []error
	if o.Clusters <= 0 {
		errs = append(errs, fmt.Errorf("clusters: %d, want at least 1", o.Clusters))
	}
	if o.Days < 0 {
		errs = append(errs, fmt.Errorf("days: %d, want 0 or more", o.Days))
	}
	if o.ContainersPerDay < 0 {
		errs = append(errs, fmt.Errorf("containers per day: %d, want at least 1", o.ContainersPerDay))
	}
	if o.End.IsZero() {
		errs = append(errs, errors.New("end: required (the fleet's \"now\")"))
	}
	if err := layout.ValidateClusterID(ClusterID(o.ClusterPrefix, max(o.Clusters, 1)-1)); err != nil {
		errs = append(errs, fmt.Errorf("cluster prefix %q: %w", o.ClusterPrefix, err))
	}
	return errors.Join(errs...)
}

// ClusterID is the id of cluster i (0-based) of a fleet: <prefix>-0001, <prefix>-0002, …
func ClusterID(prefix string, i int) string {
	if prefix == "" {
		prefix = defaultPrefix
	}
	return fmt.Sprintf("%s-%04d", prefix, i+1)
}

// ClusterIDs lists the ids of a fleet of n clusters.
func ClusterIDs(n int, prefix string) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = ClusterID(prefix, i)
	}
	return ids
}

// windowPlan lists the windows Generate writes for one cluster, oldest first.
type windowPlan struct {
	r layout.Resolution
	w layout.Window
}

func (o Options) plan() []windowPlan {
	var out []windowPlan
	add := func(r layout.Resolution, n int) {
		open := layout.WindowFor(r, o.End)
		for i := n; i >= 1; i-- {
			s := open.Start.Add(-time.Duration(i) * r.Duration())
			out = append(out, windowPlan{r, layout.Window{Start: s, End: s.Add(r.Duration())}})
		}
		if o.IncludeOpen && o.End.After(open.Start) {
			out = append(out, windowPlan{r, open})
		}
	}
	add(layout.Daily, o.Days)
	add(layout.Hourly, o.HourlyHours)
	return out
}
