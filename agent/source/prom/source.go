package prom

import (
	"log/slog"

	"github.com/fedcost/fedcost/agent/source"
)

// Source builds cost windows from a Prometheus. It is safe for concurrent use.
type Source struct {
	cfg    Config
	log    *slog.Logger
	client *client
}

var _ source.Source = (*Source)(nil)

// New returns a Prometheus source. A nil logger discards.
func New(cfg Config, logger *slog.Logger) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Source{
		cfg: cfg,
		log: logger,
		client: &client{
			base: cfg.URL, http: cfg.HTTPClient, timeout: cfg.QueryTimeout,
			maxBytes: cfg.MaxResponseBytes, sem: make(chan struct{}, cfg.Concurrency),
		},
	}, nil
}

// Name is "prometheus".
func (s *Source) Name() string { return "prometheus" }
