package api

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/cost"
)

// recordingSource remembers the last allocation query it was asked.
type recordingSource struct {
	*source.Memory
	mu   sync.Mutex
	last source.AllocationQuery
}

func (r *recordingSource) AllocationSets(ctx context.Context, q source.AllocationQuery) ([]*cost.AllocationSet, error) {
	r.mu.Lock()
	r.last = q
	r.mu.Unlock()
	return r.Memory.AllocationSets(ctx, q)
}

func TestSourceIsAskedWhatTheQueryNeeds(t *testing.T) {
	t.Parallel()
	src := &recordingSource{Memory: goldenSource()}
	h := New(src, Options{Now: func() time.Time { return now }})
	cases := []struct {
		query string
		needs engine.Fields
		res   source.Resolution
	}{
		{"window=7d&aggregate=namespace", engine.FieldNamespace, source.Daily}, // idle all goes to __idle__
		{"window=7d&aggregate=namespace&shareIdle=true", engine.FieldCluster | engine.FieldNamespace, source.Daily},
		{"window=7d&aggregate=namespace&filter=namespace:%22a%22", engine.FieldCluster | engine.FieldNamespace, source.Daily},
		{"window=7d&aggregate=namespace&idleByNode=true", engine.FieldCluster | engine.FieldNode | engine.FieldNamespace, source.Daily},
		{"window=7d&aggregate=controller&filter=label%5Bapp%5D:%22x%22", engine.FieldCluster | engine.FieldController | engine.FieldControllerKind | engine.FieldLabels, source.Daily},
		{"window=7d&aggregate=cluster&shareNamespaces=kube-system", engine.FieldCluster | engine.FieldNamespace, source.Daily},
		{"window=7d", engine.AllFields, source.Daily},
		{"window=2026-11-20T03:00:00Z,2026-11-20T09:00:00Z&aggregate=all", 0, source.Hourly},
		{"window=2026-11-20T00:00:00Z,2026-11-21T00:00:00Z&aggregate=cluster", engine.FieldCluster, source.Hourly},
		{"window=2026-11-20T00:00:00Z,2026-11-21T00:00:00Z&aggregate=cluster&accumulate=true", engine.FieldCluster, source.Daily},
		{"window=2026-11-20T00:00:00Z,2026-11-21T00:00:00Z&aggregate=cluster&step=1d", engine.FieldCluster, source.Daily},
	}
	for _, c := range cases {
		code, _, body := do(t, h, "GET", "/model/allocation?"+c.query)
		if code != 200 {
			t.Fatalf("%s: %d %s", c.query, code, body)
		}
		src.mu.Lock()
		got := src.last
		src.mu.Unlock()
		if got.Needs != c.needs || got.Resolution != c.res {
			t.Errorf("%s: asked for %s at %s, want %s at %s", c.query, got.Needs, got.Resolution, c.needs, c.res)
		}
	}
}
