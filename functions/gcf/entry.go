package gcf

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/gcs"
)

// The deployed entry points: this file is the functions' main.
func init() {
	functions.CloudEvent("FedcostIngest", func(ctx context.Context, e event.Event) error {
		f, err := shared.get()
		if err != nil {
			return err
		}
		return f.Ingest(ctx, e)
	})
	functions.HTTP("FedcostReconcile", func(w http.ResponseWriter, r *http.Request) {
		f, err := shared.get()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		f.Reconcile(w, r)
	})
}

// shared is the instance's Function, built once on first use (a failure is retried on the
// next invocation rather than cached).
var shared lazyFunction

type lazyFunction struct {
	mu sync.Mutex
	f  *Function
}

func (l *lazyFunction) get() (*Function, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		return l.f, nil
	}
	set, err := SettingsFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	f, err := set.Function(context.Background(), os.Stdout)
	if err != nil {
		return nil, err
	}
	l.f = f
	return f, nil
}

// Settings is the functions' environment:
//
//	FEDCOST_BUCKET            the bucket (required)
//	FEDCOST_PREFIX            the store prefix ("" for none)
//	FEDCOST_LOG_LEVEL         debug, info (default), warn, error
//	FEDCOST_RECONCILE_BUDGET  time budget of FedcostReconcile (default 10m)
//	FEDCOST_GCS_ENDPOINT      JSON API endpoint override (tests: fake-gcs-server)
//
// Credentials are the function's service account (Application Default Credentials).
type Settings struct {
	Bucket, Prefix, Endpoint string
	LogLevel                 slog.Level
	ReconcileBudget          time.Duration
}

// SettingsFromEnv reads Settings through getenv.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{Bucket: getenv("FEDCOST_BUCKET"), Prefix: strings.Trim(getenv("FEDCOST_PREFIX"), "/"),
		Endpoint: getenv("FEDCOST_GCS_ENDPOINT"), ReconcileBudget: DefaultReconcileBudget}
	if s.Bucket == "" {
		return s, fmt.Errorf("FEDCOST_BUCKET: required: the bucket the agents upload to")
	}
	if v := getenv("FEDCOST_LOG_LEVEL"); v != "" {
		if err := s.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return s, fmt.Errorf("FEDCOST_LOG_LEVEL: %q is not debug, info, warn or error", v)
		}
	}
	if v := getenv("FEDCOST_RECONCILE_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return s, fmt.Errorf("FEDCOST_RECONCILE_BUDGET: %q is not a positive duration such as 10m", v)
		}
		s.ReconcileBudget = d
	}
	return s, nil
}

// Logger writes JSON lines Cloud Logging understands (severity, message).
func (s Settings) Logger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: s.LogLevel,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.LevelKey:
				a.Key = "severity"
				if lv, ok := a.Value.Any().(slog.Level); ok && lv >= slog.LevelError {
					a.Value = slog.StringValue("ERROR")
				} else if ok && lv >= slog.LevelWarn {
					a.Value = slog.StringValue("WARNING")
				}
			case slog.MessageKey:
				a.Key = "message"
			}
			return a
		}}))
}

// Function opens the bucket and builds the Function.
func (s Settings) Function(ctx context.Context, logTo io.Writer) (*Function, error) {
	c := gcs.DefaultConfig()
	c.Bucket, c.Endpoint = s.Bucket, s.Endpoint
	st, err := gcs.New(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("open gs://%s: %w", s.Bucket, err)
	}
	log := s.Logger(logTo)
	core, err := ingest.New(ingest.Config{Store: store.WithPrefix(st, s.Prefix), Logger: log})
	if err != nil {
		return nil, err
	}
	return New(Config{Core: core, Bucket: s.Bucket, Prefix: s.Prefix, ReconcileBudget: s.ReconcileBudget, Logger: log})
}
