package memory_test

import (
	"testing"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
	"github.com/fedcost/fedcost/shared/store/storetest"
)

func TestAcceptance(t *testing.T) {
	t.Parallel()
	storetest.Acceptance(t, func(t *testing.T) store.Store { return memory.New(t.Name()) }, storetest.Options{})
}

func TestAcceptanceWithPrefix(t *testing.T) {
	t.Parallel()
	storetest.Acceptance(t, func(t *testing.T) store.Store {
		return store.WithPrefix(memory.New(t.Name()), "tenant/a")
	}, storetest.Options{})
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, memory.New("bench"))
}
