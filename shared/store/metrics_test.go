package store_test

import (
	"context"
	"io"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

// metricValue returns the value of the counter (or histogram sample count) name with labels.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if matches(m, labels) {
				if h := m.GetHistogram(); h != nil {
					return float64(h.GetSampleCount())
				}
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func matches(m *dto.Metric, labels map[string]string) bool {
	n := 0
	for _, lp := range m.GetLabel() {
		if v, ok := labels[lp.GetName()]; ok {
			if v != lp.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(labels)
}

func TestMetricsCountOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	s := store.WithMetrics(memory.New("m"), reg, "memory")
	v, err := s.Put(ctx, "k", []byte("12345"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	_, _, _ = s.Get(ctx, "missing")
	_, _ = s.PutIfMatch(ctx, "k", []byte("x"), "stale")
	if _, err := s.PutIfMatch(ctx, "k", []byte("abc"), v); err != nil {
		t.Fatal(err)
	}
	r, _, err := s.GetReader(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(r)
	r.Close()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, _ = s.Stat(cctx, "k")
	_ = s.List(ctx, "", "", func(store.ObjectInfo) error { return nil })

	// A second store on the same registry shares the collectors.
	other := store.WithMetrics(memory.New("o"), reg, "other")
	if _, err := other.Put(ctx, "k", []byte("1")); err != nil {
		t.Fatal(err)
	}

	mem := func(extra map[string]string) map[string]string {
		l := map[string]string{"backend": "memory"}
		for k, v := range extra {
			l[k] = v
		}
		return l
	}
	checks := []struct {
		name   string
		metric string
		labels map[string]string
		want   float64
	}{
		{"put success", "fedcost_store_operations_total", mem(map[string]string{"op": "put", "result": "success"}), 1},
		{"get success", "fedcost_store_operations_total", mem(map[string]string{"op": "get", "result": "success"}), 1},
		{"get error", "fedcost_store_operations_total", mem(map[string]string{"op": "get", "result": "error"}), 1},
		{"not found", "fedcost_store_errors_total", mem(map[string]string{"op": "get", "kind": "not_found"}), 1},
		{"precondition", "fedcost_store_errors_total", mem(map[string]string{"op": "put_if_match", "kind": "precondition_failed"}), 1},
		{"canceled", "fedcost_store_errors_total", mem(map[string]string{"op": "stat", "kind": "canceled"}), 1},
		{"list", "fedcost_store_operations_total", mem(map[string]string{"op": "list", "result": "success"}), 1},
		{"get latency samples", "fedcost_store_operation_duration_seconds", mem(map[string]string{"op": "get"}), 2},
		{"bytes written", "fedcost_store_written_bytes_total", mem(nil), 5 + 3},
		{"bytes read", "fedcost_store_read_bytes_total", mem(nil), 5 + 3},
		{"other backend", "fedcost_store_operations_total", map[string]string{"backend": "other", "op": "put", "result": "success"}, 1},
	}
	for _, c := range checks {
		if got := metricValue(t, reg, c.metric, c.labels); got != c.want {
			t.Errorf("%s: %s%v = %v, want %v", c.name, c.metric, c.labels, got, c.want)
		}
	}
}
