package store_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
	"github.com/fedcost/fedcost/shared/store/storetest"
)

// Every decorator is a Store and must pass the acceptance suite over the reference backend.
func TestDecoratorsAcceptance(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	cases := []struct {
		name string
		wrap func(store.Store) store.Store
	}{
		{"prefix", func(s store.Store) store.Store { return store.WithPrefix(s, "tenant/x") }},
		{"retry", func(s store.Store) store.Store { return store.WithRetry(s, store.RetryPolicy{}) }},
		{"metrics", func(s store.Store) store.Store { return store.WithMetrics(s, reg, "memory") }},
		{"all stacked", func(s store.Store) store.Store {
			return store.WithMetrics(store.WithRetry(store.WithPrefix(s, "p"), store.RetryPolicy{}), reg, "stacked")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Acceptance(t, func(t *testing.T) store.Store {
				return c.wrap(memory.New(t.Name()))
			}, storetest.Options{})
		})
	}
}
