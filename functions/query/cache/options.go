package cache

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Options configure a Cache. Zero values take the defaults named on each field.
type Options struct {
	// HourlyRetention and DailyRetention bound what is loaded: windows that ended more than
	// this long before now are skipped (Kubecost's defaults: 49h and 91d).
	HourlyRetention time.Duration
	DailyRetention  time.Duration
	// Refresh is Run's listing interval (default 30s).
	Refresh time.Duration
	// StaleAfter flags a cluster whose last upload is older; 0 derives it per cluster from the
	// agent's upload interval: 2 intervals + 15 min (interval default 5 min).
	StaleAfter time.Duration
	// LazyBytes bounds what is read on demand and kept (node and controller rollups,
	// container rows, assets; estimated; default 64 MiB).
	LazyBytes int
	// SetRows bounds the rows of the allocation sets kept for reuse, about 650 bytes each
	// (default 150,000). Repeated queries do not need them (the engine's Memo answers by set
	// ref ID); they save rebuilding when the same windows are asked with new options.
	SetRows int
	// FleetMin: a refresh that must read at least this many rollups objects of one window
	// reads the window's fleet object first (layout.FleetKey, written by the reconciler) and
	// takes from it the rows of every cluster whose recorded version is the current one
	// (default 8; negative: never read fleet objects).
	FleetMin int
	// Concurrency bounds parallel object reads (default 8).
	Concurrency int
	// Registry receives the cache's and the per-cluster metrics (nil: not registered).
	Registry prometheus.Registerer
	Logger   *slog.Logger     // default: discard
	Now      func() time.Time // default: time.Now
}

// Defaults.
const (
	DefaultHourlyRetention = 49 * time.Hour
	DefaultDailyRetention  = 91 * 24 * time.Hour
	DefaultRefresh         = 30 * time.Second
	DefaultInterval        = 5 * time.Minute
)

func (o Options) withDefaults() Options {
	if o.HourlyRetention <= 0 {
		o.HourlyRetention = DefaultHourlyRetention
	}
	if o.DailyRetention <= 0 {
		o.DailyRetention = DefaultDailyRetention
	}
	if o.Refresh <= 0 {
		o.Refresh = DefaultRefresh
	}
	if o.LazyBytes <= 0 {
		o.LazyBytes = 64 << 20
	}
	if o.SetRows <= 0 {
		o.SetRows = 150_000
	}
	if o.FleetMin == 0 {
		o.FleetMin = 8
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// staleAfter is the staleness threshold of a cluster whose agent uploads every interval.
func (o Options) staleAfter(intervalSeconds int) time.Duration {
	if o.StaleAfter > 0 {
		return o.StaleAfter
	}
	iv := DefaultInterval
	if intervalSeconds > 0 {
		iv = time.Duration(intervalSeconds) * time.Second
	}
	return 2*iv + 15*time.Minute
}
