// Package gcf hosts the ingest core on Google Cloud Functions (gen2, functions-framework-go):
//
//   - FedcostIngest, a CloudEvent function for google.cloud.storage.object.v1.finalized
//     (Eventarc trigger on the bucket): ingests the object. A transient failure returns an
//     error (HTTP 500), which Eventarc retries when the trigger's retry policy says so; a
//     refused upload is done (no retry loop). Objects outside the prefix are ignored — Eventarc
//     cannot filter by prefix, so fedcost's own writes arrive here too and are dropped at once.
//   - FedcostReconcile, an HTTP function for Cloud Scheduler: one reconcile pass within a time
//     budget; 200 with the report, 500 when windows failed.
//
// The functions register themselves in init (entry.go) and build their clients once, on the
// first invocation, from the environment (see Settings).
package gcf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
)

// FinalizedType is the CloudEvent type of a new or overwritten GCS object.
const FinalizedType = "google.cloud.storage.object.v1.finalized"

// Defaults.
const (
	DefaultReconcileBudget = 10 * time.Minute
	// DeadlineMargin is kept free before a request's deadline so the report still goes out.
	DeadlineMargin = 10 * time.Second
)

// Int64String is an int64 that GCS events carry as a JSON string ("1700000000000000");
// a plain number is accepted too.
type Int64String int64

// UnmarshalJSON accepts "123" and 123.
func (n *Int64String) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %s", b)
	}
	*n = Int64String(v)
	return nil
}

// ObjectData is the data of a Cloud Storage CloudEvent (the JSON API object resource), the
// fields fedcost reads.
type ObjectData struct {
	Bucket         string      `json:"bucket"`
	Name           string      `json:"name"`
	Generation     Int64String `json:"generation"`
	Metageneration Int64String `json:"metageneration"`
	Size           Int64String `json:"size"`
	ContentType    string      `json:"contentType"`
	TimeCreated    string      `json:"timeCreated"`
	Updated        string      `json:"updated"`
}

// Config configures a Function.
type Config struct {
	Core *ingest.Core // required; its store is scoped to Prefix
	// Bucket, if set, is the only bucket whose events are ingested.
	Bucket string
	// Prefix is the store prefix: object names carry it and it is stripped.
	Prefix string
	// ReconcileBudget bounds a reconcile pass (default DefaultReconcileBudget).
	ReconcileBudget time.Duration
	Logger          *slog.Logger
}

// Function serves both functions.
type Function struct {
	c Config
}

// New returns a Function.
func New(c Config) (*Function, error) {
	if c.Core == nil {
		return nil, errors.New("gcf: a core is required")
	}
	if c.ReconcileBudget <= 0 {
		c.ReconcileBudget = DefaultReconcileBudget
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Prefix = strings.Trim(c.Prefix, "/")
	return &Function{c: c}, nil
}

// Ingest handles one Cloud Storage CloudEvent.
func (f *Function) Ingest(ctx context.Context, e event.Event) error {
	log := f.c.Logger.With("cloudevent_id", e.ID(), "cloudevent_type", e.Type())
	if e.Type() != FinalizedType {
		log.Info("event type ignored")
		return nil
	}
	var d ObjectData
	if err := json.Unmarshal(e.Data(), &d); err != nil || d.Name == "" {
		// Retrying cannot make it readable.
		log.Error("storage event without readable object data ignored", "err", err, "subject", e.Subject())
		return nil
	}
	log = log.With("generation", int64(d.Generation))
	if f.c.Bucket != "" && d.Bucket != "" && d.Bucket != f.c.Bucket {
		log.Warn("event of another bucket ignored", "bucket", d.Bucket, "key", d.Name)
		return nil
	}
	rel, ok := layout.StripPrefix(f.c.Prefix, d.Name)
	if !ok || strings.HasPrefix(rel, layout.CombinedPrefix) || strings.HasPrefix(rel, layout.Root+layout.QuarantineDir+"/") {
		log.Debug("object outside the uploads ignored", "key", d.Name)
		return nil
	}
	start := time.Now()
	res, err := f.c.Core.Ingest(ctx, rel)
	attrs := []any{"key", rel, "cluster", res.Cluster, "window", res.Window, "outcome", string(res.Outcome), "duration", time.Since(start)}
	if err != nil {
		log.Error("ingest failed", append(attrs, "err", err)...)
		return fmt.Errorf("ingest %s: %w", rel, err)
	}
	if res.Reason != "" {
		attrs = append(attrs, "reason", res.Reason)
	}
	log.Info("ingest", attrs...)
	return nil
}

// reconcileReply is FedcostReconcile's JSON answer.
type reconcileReply struct {
	ingest.ReconcileReport
	Errors  []string `json:"errors,omitempty"`
	Partial bool     `json:"partial,omitempty"` // stopped at the budget; the next pass continues
}

// Reconcile serves one reconcile pass (POST or GET, e.g. from Cloud Scheduler; protect it with
// IAM: only the scheduler's service account should be an invoker).
func (f *Function) Reconcile(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "use POST", http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	budget := f.c.ReconcileBudget
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		limit := left - DeadlineMargin
		if limit <= 0 {
			limit = left / 2
		}
		budget = max(min(budget, limit), 0)
	}
	rctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	log := f.c.Logger.With("execution_id", r.Header.Get("Function-Execution-Id"), "trace", r.Header.Get("X-Cloud-Trace-Context"))
	start := time.Now()
	rep, err := f.c.Core.Reconcile(rctx, ingest.ReconcileOptions{})
	reply := reconcileReply{ReconcileReport: rep}
	for _, e := range rep.Errors {
		reply.Errors = append(reply.Errors, e.Error())
	}
	reply.ReconcileReport.Errors = nil
	attrs := []any{"budget", budget, "duration", time.Since(start), "uploads", rep.Uploads, "windows", rep.Windows,
		"up_to_date", rep.UpToDate, "derived", rep.Derived, "unchanged", rep.Unchanged, "refused", rep.Refused, "failed", rep.Failed}
	code := http.StatusOK
	switch {
	case err == nil:
		log.Info("reconcile", attrs...)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		reply.Partial = true
		log.Warn("reconcile stopped at its budget; the next pass continues", attrs...)
	default:
		code = http.StatusInternalServerError
		reply.Errors = append(reply.Errors, err.Error())
		log.Error("reconcile failed", append(attrs, "err", err)...)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(reply)
}
